/**
 * Users used of bought, as people read it: "3 of 5 users", "1 of 1 users", or "4 users" when
 * nothing limits them (`bought` null; see `SeatUsage` in seats.server.ts).
 */
export function seatUsageText({ used, bought }: { used: number; bought: number | null }): string {
  const number = (n: number) => n.toLocaleString("en-US");
  if (bought === null) return `${number(used)} ${used === 1 ? "user" : "users"}`;
  return `${number(used)} of ${number(bought)} users`;
}
