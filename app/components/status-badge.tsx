import type { RequestStatus } from "../../provisioning/types";
import { statusLabels, statusStyles } from "~/modules/provisioning-labels";

export function StatusBadge({ status }: { status: RequestStatus }) {
  return (
    <span
      className={`inline-block rounded-full px-2.5 py-0.5 text-xs font-semibold ${statusStyles[status]}`}
      data-testid="request-status"
    >
      {statusLabels[status]}
    </span>
  );
}
