import { SITE_NAME } from "~/lib/site";
import { longDate } from "~/lib/dates";
import { resultFieldLabel } from "~/modules/provisioning-labels";

/** Plain-text emails: readable everywhere, and links are easy to find and test. */
type Email = { subject: string; text: string };

export const signature = `\n\n— The ${SITE_NAME} team`;

export function verifyEmailMessage(name: string, link: string): Email {
  return {
    subject: `Confirm your email for ${SITE_NAME}`,
    text: `Hi ${name},\n\nConfirm your email address to finish setting up your account:\n\n${link}\n\nThe link works for 24 hours. If you did not sign up, ignore this email.${signature}`,
  };
}

export function accountExistsMessage(name: string, loginLink: string, resetLink: string): Email {
  return {
    subject: `You already have a ${SITE_NAME} account`,
    text: `Hi ${name},\n\nSomeone, probably you, tried to sign up with this email address, which already has an account.\n\nLog in: ${loginLink}\nForgot your password? ${resetLink}\n\nIf it was not you, you can ignore this email.${signature}`,
  };
}

export function resetPasswordMessage(name: string, link: string): Email {
  return {
    subject: `Reset your ${SITE_NAME} password`,
    text: `Hi ${name},\n\nChoose a new password here:\n\n${link}\n\nThe link works for one hour and only once. If you did not ask for it, ignore this email: your password stays as it is.${signature}`,
  };
}

export function changeEmailMessage(name: string, link: string): Email {
  return {
    subject: `Confirm your new email address for ${SITE_NAME}`,
    text: `Hi ${name},\n\nConfirm that you want to use this address for your ${SITE_NAME} account:\n\n${link}\n\nThe link works for 24 hours.${signature}`,
  };
}

export function emailChangedNotice(name: string, newEmail: string): Email {
  return {
    subject: `Your ${SITE_NAME} email address was changed`,
    text: `Hi ${name},\n\nThe email address of your account is now ${newEmail}. If you did not do this, reset your password at once and contact us.${signature}`,
  };
}

export function passwordChangedNotice(name: string): Email {
  return {
    subject: `Your ${SITE_NAME} password was changed`,
    text: `Hi ${name},\n\nYour password was just changed and your other sessions were signed out. If you did not do this, reset your password at once.${signature}`,
  };
}

export function invitationMessage(inviterName: string, organisationName: string, role: string, link: string): Email {
  return {
    subject: `${inviterName} invited you to ${organisationName} on ${SITE_NAME}`,
    text: `Hi,\n\n${inviterName} invited you to join ${organisationName} on ${SITE_NAME} as ${role === "admin" ? "an admin" : `a ${role}`}.\n\nAccept the invitation:\n\n${link}\n\nThe invitation expires in 7 days.${signature}`,
  };
}

export function setupCompleteMessage(
  name: string,
  planName: string,
  access: Record<string, string>,
  accountLink: string,
  /** The end of the free trial this instance serves, when it is one: the email says it. */
  trialEndsAt: Date | null = null,
): Email {
  const trial = trialEndsAt ? `\n\nYour free trial runs until ${longDate(trialEndsAt)}.` : "";
  const details = Object.entries(access)
    .map(([key, value]) => `  ${resultFieldLabel(key)}: ${value}`)
    .join("\n");
  return {
    subject: `Your ${planName} service is ready`,
    text: `Hi ${name},\n\nYour ${planName} service is set up and ready to use.${trial}${details ? `\n\n${details}` : ""}\n\nSee it any time on your account page: ${accountLink}${signature}`,
  };
}

export function trialReminderMessage(
  name: string,
  planName: string,
  daysLeft: number,
  endsAt: Date,
  link: string,
): Email {
  return {
    subject: `Your ${planName} trial ends in ${daysLeft} ${daysLeft === 1 ? "day" : "days"}`,
    text: `Hi ${name},\n\nYour free ${planName} trial ends in ${daysLeft} ${daysLeft === 1 ? "day" : "days"}, on ${longDate(endsAt)}. Buy a plan to keep your workspace and everything in it:\n\n${link}\n\nQuestions? Just reply to this email.${signature}`,
  };
}

export function trialEndedMessage(name: string, planName: string, link: string): Email {
  return {
    subject: `Your ${planName} trial has ended`,
    text: `Hi ${name},\n\nYour free ${planName} trial has ended and your workspace is paused. Nothing is deleted yet: buy a plan within 14 days and you continue where you left off.\n\n${link}${signature}`,
  };
}

export function slaOverdueMessage(name: string, count: number, link: string): Email {
  return {
    subject: `${count} provisioning ${count === 1 ? "request is" : "requests are"} past due`,
    text: `Hi ${name},\n\n${count} provisioning ${count === 1 ? "request has" : "requests have"} passed ${count === 1 ? "its" : "their"} promised setup time. Open the queue:\n\n${link}${signature}`,
  };
}

export function paymentFailedMessage(name: string, planName: string, amount: string, link: string): Email {
  return {
    subject: `We could not take your ${planName} payment`,
    text: `Hi ${name},\n\nThe payment of ${amount} for your ${planName} subscription did not go through. We will try again over the next days; your service keeps running meanwhile.\n\nUpdate your card here to settle it now:\n\n${link}\n\nIf the payment keeps failing, the service is paused until it is paid.${signature}`,
  };
}

export function paymentActionRequiredMessage(name: string, planName: string, amount: string, link: string): Email {
  return {
    subject: `Confirm your ${planName} payment`,
    text: `Hi ${name},\n\nYour bank asks you to confirm the payment of ${amount} for your ${planName} subscription. Confirm it here:\n\n${link}${signature}`,
  };
}

export function checkoutLinkMessage(name: string, planName: string, total: string, link: string): Email {
  return {
    subject: `Your ${planName} order is ready to pay`,
    text: `Hi ${name},\n\nAs agreed, your ${planName} order (${total}, excluding tax) is ready. Pay securely with Stripe here:\n\n${link}\n\nOnce it is paid, our team approves and sets up your service.${signature}`,
  };
}

/** The service was paused; `why` is a sentence saying why and what to do. */
export function servicePausedMessage(name: string, planName: string, why: string, link: string): Email {
  return {
    subject: `Your ${planName} service is paused`,
    text: `Hi ${name},\n\nYour ${planName} service is paused: your team cannot use it for now. Nothing is deleted.\n\n${why}\n\n${link}${signature}`,
  };
}

export function serviceResumedMessage(name: string, planName: string, link: string): Email {
  return {
    subject: `Your ${planName} service is running again`,
    text: `Hi ${name},\n\nYour ${planName} service is running again, with everything as you left it.\n\nSee it on your account page: ${link}${signature}`,
  };
}

export function serviceRemovedMessage(name: string, planName: string, link: string): Email {
  return {
    subject: `Your ${planName} service has been removed`,
    text: `Hi ${name},\n\nYour ${planName} service and its data have been removed, as your subscription ended more than 30 days ago. To start again, choose a plan:\n\n${link}${signature}`,
  };
}

/** The customer took back a cancellation at the period end; `renewsOn` ("12 March 2026") or "" when unknown. */
export function subscriptionContinuesMessage(name: string, planName: string, renewsOn: string, link: string): Email {
  return {
    subject: `Your ${planName} subscription continues`,
    text: `Hi ${name},\n\nYour ${planName} subscription is no longer cancelled: it continues${renewsOn ? ` and renews on ${renewsOn}` : ""}, and your service keeps running as it is.\n\nSee your plan, next invoice and card on the billing page: ${link}${signature}`,
  };
}

/** The subscription was cancelled at the period end: the service runs until `endsOn` ("12 March 2026"). */
export function subscriptionEndingMessage(name: string, planName: string, endsOn: string, link: string): Email {
  return {
    subject: `Your ${planName} subscription ends on ${endsOn}`,
    text: `Hi ${name},\n\nYour ${planName} subscription is cancelled and ends on ${endsOn}. Until then your service runs as it is; afterwards it is paused and its data kept for 30 days.\n\nChanged your mind? Resume it on the billing page before then: ${link}${signature}`,
  };
}

/** What an order confirmation says; amounts and dates already formatted for people. */
export type OrderConfirmation = {
  planName: string;
  seats: number;
  /** "monthly" or "yearly". */
  billing: string;
  /** "$72.00 per month". */
  price: string;
  taxes: string;
  chargedToday: string;
  /** "12 March 2026". */
  firstChargeDate: string;
  firstChargeAmount: string;
  trial: boolean;
  orderLink: string;
};

export function orderConfirmationMessage(name: string, order: OrderConfirmation): Email {
  const users = `${order.seats} ${order.seats === 1 ? "user" : "users"}`;
  const charge = order.trial
    ? `Charged today: ${order.chargedToday}. Your trial continues: first charge on ${order.firstChargeDate}: ${order.firstChargeAmount}.`
    : `Charged today: ${order.chargedToday} (${order.firstChargeDate}). Next, ${order.price}.`;
  return {
    subject: `Order confirmed: ${order.planName}, ${users}, billed ${order.billing}`,
    text: `Hi ${name},\n\nThank you for your order. Here is what you bought:\n\n  Plan: ${order.planName}\n  Users: ${order.seats}\n  Billed: ${order.billing}\n  Price: ${order.price}, excluding tax\n  Taxes: ${order.taxes}\n\n${charge}\n\nSee your order and follow its setup: ${order.orderLink}${signature}`,
  };
}

/** A paid invoice's receipt; amounts and dates already formatted for people. */
export type Receipt = {
  planName: string;
  number: string;
  /** "12 March 2026". */
  paidOn: string;
  lines: { description: string; amount: string }[];
  taxes: string;
  total: string;
  invoiceLink: string;
};

export function receiptMessage(name: string, receipt: Receipt): Email {
  const lines = receipt.lines.map((line) => `  ${line.description}: ${line.amount}`).join("\n");
  return {
    subject: `Receipt for your ${receipt.planName} payment: ${receipt.total} (invoice ${receipt.number})`,
    text: `Hi ${name},\n\nWe received your payment of ${receipt.total} on ${receipt.paidOn}. Thank you.\n\n  Invoice number: ${receipt.number}\n  Paid on: ${receipt.paidOn}\n${lines}\n  Taxes: ${receipt.taxes}\n  Total paid: ${receipt.total}\n\nSee or download the invoice: ${receipt.invoiceLink}${signature}`,
  };
}

/** Security notice to an organisation's owners: a service's usage reporting (ingest) key was replaced. */
export function ingestKeyRotatedNotice(
  name: string,
  planName: string,
  oldPrefix: string,
  rotatedBy: string,
  link: string,
): Email {
  return {
    subject: `The usage reporting key of your ${planName} service was replaced`,
    text: `Hi ${name},\n\nThe usage reporting key of your ${planName} service was just replaced by ${rotatedBy}. The old key (starting ${oldPrefix}) stopped working at once: the product reports usage only with the new one.\n\nIf you did not expect this, tell us, and check who can manage your account: ${link}${signature}`,
  };
}
