/**
 * What a chart says in words (its `aria-label`, `<title>` and the text beside it): the figures a
 * person would read off the picture, so the chart is never the only way to get them.
 */

/** One point of a line chart: `x` is what the point is labelled with ("3 Nov"), `y` its value. */
export type LinePoint = { x: string; y: number };
/** One bar: `value` out of `max` (both in the same unit; `max` > 0). */
export type BarDatum = { label: string; value: number; max: number };

const number = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

/**
 * "Health score, 30 points from 3 Nov to 2 Dec: 82 on 3 Nov, 45 on 2 Dec (lowest 40 on 28 Nov, highest 85 on 5 Nov)."
 * With no points: "Health score: no figures yet."
 */
export function lineSummary(
  label: string,
  points: readonly LinePoint[],
  format: (value: number) => string = (value) => number.format(value),
): string {
  const first = points[0];
  const last = points.at(-1);
  if (!first || !last) return `${label}: no figures yet.`;
  if (points.length === 1) return `${label}: ${format(first.y)} on ${first.x}.`;
  const lowest = points.reduce((low, point) => (point.y < low.y ? point : low), first);
  const highest = points.reduce((high, point) => (point.y > high.y ? point : high), first);
  return (
    `${label}, ${points.length} points from ${first.x} to ${last.x}: ` +
    `${format(first.y)} on ${first.x}, ${format(last.y)} on ${last.x} ` +
    `(lowest ${format(lowest.y)} on ${lowest.x}, highest ${format(highest.y)} on ${highest.x}).`
  );
}

/** "Measures: Active users 40 of 100; Payment 100 of 100." With no bars: "Measures: no figures yet." */
export function barSummary(label: string, bars: readonly BarDatum[]): string {
  if (!bars.length) return `${label}: no figures yet.`;
  return `${label}: ${bars.map((bar) => `${bar.label} ${number.format(bar.value)} of ${number.format(bar.max)}`).join("; ")}.`;
}
