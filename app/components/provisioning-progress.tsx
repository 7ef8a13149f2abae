import { useLiveRevalidation } from "./use-live-revalidation";
import type { Operation, RequestStatus } from "../../provisioning/types";
import { LocalDate } from "~/components/local-date";
import { customerEvent, resultFieldLabel } from "~/modules/provisioning-labels";

/** A provisioning request as the customer's pages show it (dates as strings once serialised). */
export type RequestRow = {
  id: string;
  operation: Operation;
  status: RequestStatus;
  planName: string;
  result: Record<string, string> | null;
  waitingReason: string | null;
  createdAt: Date | string;
  completedAt: Date | string | null;
};

const settled = new Set<RequestStatus>(["succeeded", "cancelled", "failed"]);

/** What the customer bought, being set up; it follows the requests live while any is moving. */
export function ProvisioningProgress({ requests }: { requests: RequestRow[] }) {
  useLiveRevalidation(requests.some((request) => !settled.has(request.status)));
  return (
    <section aria-labelledby="services-heading">
      <h2 id="services-heading" className="text-lg font-semibold">
        Your services
      </h2>
      <RequestHistory requests={requests} />
    </section>
  );
}

/** Requests as events a customer reads ("Set up: Team", "Paused: Starter"), with their access details. */
export function RequestHistory({ requests, className = "mt-4" }: { requests: RequestRow[]; className?: string }) {
  return (
    <ul className={`${className} divide-y divide-slate-100 rounded-xl ring-1 ring-slate-200`} aria-live="polite">
      {requests.map((request) => {
        const event = customerEvent(request.operation, request.status, request.planName);
        return (
          <li key={request.id} className="px-4 py-3" data-testid="service-request">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <p className="font-medium">{event.text}</p>
              <span
                className={`inline-block rounded-full px-2.5 py-0.5 text-xs font-semibold ${event.badgeStyle}`}
                data-testid="request-status"
              >
                {event.badge}
              </span>
            </div>
            <p className="text-xs text-slate-600">
              <LocalDate value={request.completedAt ?? request.createdAt} />
            </p>
            {request.status === "waiting_staff" ? (
              <p className="mt-1 text-sm text-slate-600">Our team is setting this up for you.</p>
            ) : null}
            {request.status === "waiting_customer" && request.waitingReason ? (
              <p className="mt-1 text-sm text-amber-900">{request.waitingReason}</p>
            ) : null}
            {request.status === "succeeded" &&
            // A pause or removal gives no access: its details would only repeat the setup's.
            request.operation !== "suspend" &&
            request.operation !== "deprovision" &&
            request.result &&
            Object.keys(request.result).length ? (
              <dl className="mt-2 grid gap-1 text-sm" data-testid="access-details">
                {Object.entries(request.result).map(([key, value]) => (
                  <div key={key} className="flex flex-wrap gap-2">
                    <dt className="text-slate-600">{resultFieldLabel(key)}</dt>
                    <dd className="break-all">
                      {/^https?:\/\//.test(value) ? (
                        <a href={value} className="text-brand-700 underline">
                          {value}
                        </a>
                      ) : (
                        value
                      )}
                    </dd>
                  </div>
                ))}
              </dl>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
