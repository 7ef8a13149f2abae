import type { StaffRole } from "#db/schema";

/** Staff roles as the console names them (ADR 15 says what each may do). */
export const staffRoleLabels: Record<StaffRole, string> = { staff: "staff", admin: "staff admin" };
