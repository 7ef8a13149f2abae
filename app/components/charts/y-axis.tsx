import { Line } from "@visx/shape";

/**
 * Chart text: 12 units, and 16 on a phone, where a 480-unit drawing is shown about 340 px wide
 * (16 units read as about 11 px there). For the ticks here and the charts' bottom labels.
 */
export const CHART_TEXT = "fill-slate-600 text-[12px] max-sm:text-[16px]";

/** The left margin a chart needs for its widest tick label ("-$10,000"): about 9.5 units a character at 16. */
export function yAxisWidth(labels: readonly string[], least: number): number {
  return Math.max(least, 10 + 9.5 * Math.max(0, ...labels.map((label) => label.length)));
}

/**
 * Horizontal grid lines across the plot at each tick, each labelled on the left (`format` writes
 * the value); the zero line darker where the values go below it.
 */
export function YAxisGrid({
  ticks,
  y,
  width,
  format,
}: {
  ticks: readonly number[];
  y: (value: number) => number;
  width: number;
  format: (value: number) => string;
}) {
  const below = ticks.some((tick) => tick < 0);
  return ticks.map((tick) => (
    <g key={tick}>
      <Line
        from={{ x: 0, y: y(tick) }}
        to={{ x: width, y: y(tick) }}
        className={below && tick === 0 ? "stroke-slate-500" : "stroke-slate-200"}
        strokeWidth={1}
      />
      <text x={-6} y={y(tick)} dy="0.32em" textAnchor="end" className={CHART_TEXT}>
        {format(tick)}
      </text>
    </g>
  ));
}

/**
 * About four ticks of `y`; whole numbers only when every value charted is whole, so a chart of
 * whole dollars or scores never reads "$0.20" (a domain of [0, 1] when every value is zero).
 */
export function axisTicks(y: { ticks: (count: number) => number[] }, values: readonly number[]): number[] {
  const ticks = y.ticks(4);
  return values.every(Number.isInteger) ? ticks.filter(Number.isInteger) : ticks;
}
