/** The value at fraction `p` of an ascending list, rounded to whole milliseconds. */
export function percentile(sorted: number[], p: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0);
}
