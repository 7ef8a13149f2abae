import type { MembershipRole } from "#db/schema";
import { SITE_NAME } from "~/lib/site";
import { signature } from "./templates";

/** Plain-text emails to the person a team change affects (issue 14): what changed, who did it, where to look. */
type Email = { subject: string; text: string };

/** "an owner", "an admin", "a member": a role as a sentence says it. */
export function roleWithArticle(role: MembershipRole): string {
  return role === "member" ? "a member" : `an ${role}`;
}

const roleMeaning: Record<MembershipRole, string> = {
  owner: "You can now manage the team, billing and ownership.",
  admin: "You can now invite people, manage the team and billing.",
  member: "You can use the organisation's services; owners and admins manage the team and billing.",
};

export function roleChangedMessage(
  name: string,
  organisationName: string,
  role: MembershipRole,
  /** Who made the change; null when the person changed their own role. */
  changedBy: string | null,
  teamLink: string,
): Email {
  const who = changedBy ? `${changedBy} made you` : "You made yourself";
  return {
    subject: `You are now ${roleWithArticle(role)} of ${organisationName}`,
    text: `Hi ${name},\n\n${who} ${roleWithArticle(role)} of ${organisationName} on ${SITE_NAME}. ${roleMeaning[role]}\n\nSee the team: ${teamLink}${signature}`,
  };
}

export function removedMessage(name: string, organisationName: string, removedBy: string): Email {
  return {
    subject: `You were removed from ${organisationName}`,
    text: `Hi ${name},\n\n${removedBy} removed you from ${organisationName} on ${SITE_NAME}. You no longer have access to its services or billing. If this is a mistake, ask ${removedBy} to invite you again.${signature}`,
  };
}

export function leftMessage(name: string, organisationName: string): Email {
  return {
    subject: `You left ${organisationName}`,
    text: `Hi ${name},\n\nYou left ${organisationName} on ${SITE_NAME} and no longer have access to its services or billing. To come back, ask one of its owners or admins to invite you again.${signature}`,
  };
}

export function ownershipReceivedMessage(
  name: string,
  organisationName: string,
  previousOwner: string,
  teamLink: string,
): Email {
  return {
    subject: `You are now the owner of ${organisationName}`,
    text: `Hi ${name},\n\n${previousOwner} transferred the ownership of ${organisationName} on ${SITE_NAME} to you. ${roleMeaning.owner} ${previousOwner} is now an admin.\n\nSee the team: ${teamLink}${signature}`,
  };
}

export function ownershipGivenMessage(
  name: string,
  organisationName: string,
  newOwner: string,
  teamLink: string,
): Email {
  return {
    subject: `You transferred the ownership of ${organisationName} to ${newOwner}`,
    text: `Hi ${name},\n\nYou transferred the ownership of ${organisationName} on ${SITE_NAME} to ${newOwner}. You are now an admin: you can still invite people and manage billing, and ${newOwner} manages ownership.\n\nSee the team: ${teamLink}${signature}`,
  };
}
