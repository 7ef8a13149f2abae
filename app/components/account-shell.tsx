import type { ReactNode } from "react";
import type { MembershipRole } from "#db/schema";
import { TabLink, TabNav } from "~/components/ui/tab-nav";

/** The organisation the account pages are about, and the person's role in it. */
export type ShellOrganisation = { organisationId: string; role: MembershipRole } | null;

/**
 * The signed-in customer's page frame: the page container and the account tabs (Overview, Team,
 * Billing for owners and admins, Settings). The /account pages and the team page
 * (/orgs/:id/members) share it so both look and navigate the same.
 */
export function AccountShell({ current, children }: { current: ShellOrganisation; children: ReactNode }) {
  return (
    <div className="mx-auto max-w-4xl px-4 py-10">
      <TabNav label="Account">
        <TabLink to="/account" end>
          Overview
        </TabLink>
        {current ? <TabLink to={`/orgs/${current.organisationId}/members`}>Team</TabLink> : null}
        {current && current.role !== "member" ? <TabLink to="/account/billing">Billing</TabLink> : null}
        <TabLink to="/account/settings">Settings</TabLink>
      </TabNav>
      <div className="mt-8">{children}</div>
    </div>
  );
}
