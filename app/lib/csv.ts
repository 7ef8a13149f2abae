/**
 * A spreadsheet reads a cell starting with = + - @ (or a tab or return) as a formula: text people or
 * links typed (names, UTM values) is prefixed with an apostrophe so it stays text (OWASP "CSV injection").
 */
export function csvText(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}
