/**
 * A day as the portal writes it in sentences, "12 March 2026": the UTC calendar day, as the billing
 * page shows dates (times are stored in UTC; pages that show a time of day use the viewer's zone).
 */
export function longDate(value: Date | string): string {
  return new Date(value).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
}
