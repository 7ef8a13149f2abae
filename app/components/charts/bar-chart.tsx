import { Group } from "@visx/group";
import { scaleBand, scaleLinear } from "@visx/scale";
import { Bar } from "@visx/shape";
import { useId } from "react";
import { barSummary, type BarDatum } from "./summary";

// Drawn at about a phone's content width, so its 13 px labels read at 13 px on a phone and are
// scaled only a little on a wide screen (max-w-sm).
const WIDTH = 340;
const ROW = 30;
const LABEL_WIDTH = 172;
const VALUE_WIDTH = 62;

/**
 * Horizontal bars rendered on the server as plain SVG (visx, ADR 23): each bar's label on its left
 * and "value / max" on its right, so the figures are text in the chart itself, and `role="img"` with
 * a `<title>`/`aria-label` saying them all (`barSummary`). Each bar is scaled to its own `max`
 * (a score out of 100, a count out of a limit). `tone` colours a bar by its value's share
 * (< 50% red, < 75% amber, else green) when set to "health".
 */
export function BarChart({
  bars,
  label,
  tone = "brand",
  valueText = (bar) => `${bar.value} / ${bar.max}`,
}: {
  bars: readonly BarDatum[];
  label: string;
  tone?: "brand" | "health";
  /** The words on a bar's right: by default "value / max"; a count alone where the max says nothing. */
  valueText?: (bar: BarDatum) => string;
}) {
  const id = useId();
  const summary = barSummary(label, bars);
  const height = Math.max(ROW, bars.length * ROW);
  const trackWidth = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const y = scaleBand<string>({ domain: bars.map((bar) => bar.label), range: [0, height], padding: 0.3 });
  const fillOf = (bar: BarDatum) => {
    if (tone === "brand") return "fill-brand-600";
    const share = bar.max > 0 ? bar.value / bar.max : 0;
    return share < 0.5 ? "fill-red-600" : share < 0.75 ? "fill-amber-500" : "fill-emerald-600";
  };
  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${height}`}
      className="block h-auto w-full max-w-sm"
      role="img"
      aria-labelledby={`${id}-title`}
      aria-label={summary}
      data-chart="bar"
    >
      <title id={`${id}-title`}>{summary}</title>
      {bars.map((bar) => {
        const top = y(bar.label) ?? 0;
        const x = scaleLinear<number>({ domain: [0, bar.max > 0 ? bar.max : 1], range: [0, trackWidth], clamp: true });
        return (
          <Group key={bar.label} top={top}>
            <text
              x={LABEL_WIDTH - 8}
              y={y.bandwidth() / 2}
              dy="0.32em"
              textAnchor="end"
              className="fill-slate-800 text-[13px]"
            >
              {bar.label}
            </text>
            <Bar x={LABEL_WIDTH} y={0} width={trackWidth} height={y.bandwidth()} rx={3} className="fill-slate-200" />
            <Bar x={LABEL_WIDTH} y={0} width={x(bar.value)} height={y.bandwidth()} rx={3} className={fillOf(bar)} />
            <text
              x={WIDTH - VALUE_WIDTH + 8}
              y={y.bandwidth() / 2}
              dy="0.32em"
              className="fill-slate-800 text-[13px] tabular-nums"
            >
              {valueText(bar)}
            </text>
          </Group>
        );
      })}
    </svg>
  );
}
