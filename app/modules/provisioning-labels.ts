import type { Operation, RequestStatus } from "../../provisioning/types";

export const statusLabels: Record<RequestStatus, string> = {
  queued: "Queued",
  running: "In progress",
  waiting_staff: "Waiting for staff",
  waiting_customer: "Waiting for you",
  succeeded: "Ready",
  failed: "Failed",
  cancelled: "Cancelled",
};

export const operationLabels: Record<Operation, string> = {
  provision: "Set up",
  modify: "Change",
  suspend: "Suspend",
  resume: "Resume",
  deprovision: "Remove",
};

export const statusStyles: Record<RequestStatus, string> = {
  queued: "bg-slate-100 text-slate-800",
  running: "bg-blue-100 text-blue-900",
  waiting_staff: "bg-amber-100 text-amber-900",
  waiting_customer: "bg-amber-100 text-amber-900",
  succeeded: "bg-green-100 text-green-800",
  failed: "bg-red-100 text-red-800",
  cancelled: "bg-slate-100 text-slate-700",
};
