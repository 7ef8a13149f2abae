import { Group } from "@visx/group";
import { scaleBand, scaleLinear } from "@visx/scale";
import { Bar } from "@visx/shape";
import { useId } from "react";
import { axisTicks, CHART_TEXT, YAxisGrid, yAxisWidth } from "./y-axis";

/** One month of the chart: gains stacked above the line, losses below, each a share of the month's movement. */
export type MovementColumn = {
  label: string;
  gains: { name: string; value: number }[];
  losses: { name: string; value: number }[];
};

const WIDTH = 480;
const HEIGHT = 220;
const MARGIN = { top: 12, right: 28, bottom: 34, left: 56 };
/** Tailwind fills per segment, in stacking order (gains, then losses); the legend repeats them. */
const GAIN_FILLS = ["fill-emerald-600", "fill-emerald-400", "fill-teal-300"];
const LOSS_FILLS = ["fill-amber-500", "fill-red-600"];

/**
 * Each month's MRR movements as a diverging stacked bar, rendered on the server as plain SVG (visx,
 * ADR 23): new, reactivation and expansion above the zero line, contraction and churn below it.
 * `role="img"` with a `<title>` that says every month's gains and losses in words (`format` writes
 * an amount); the same figures are in the table the page shows beside it, and in the legend's words.
 */
export function MovementsChart({
  columns,
  label,
  format,
}: {
  columns: readonly MovementColumn[];
  label: string;
  format: (value: number) => string;
}) {
  const id = useId();
  const sum = (parts: { value: number }[]) => parts.reduce((total, part) => total + part.value, 0);
  const summary = columns.length
    ? `${label}: ${columns.map((c) => `${c.label} gained ${format(sum(c.gains))}, lost ${format(sum(c.losses))}`).join("; ")}.`
    : `${label}: no figures yet.`;
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const top = Math.max(1, ...columns.map((c) => sum(c.gains)));
  const bottom = Math.max(1, ...columns.map((c) => sum(c.losses)));
  const y = scaleLinear<number>({ domain: [-bottom, top], range: [innerHeight, 0], nice: true });
  const ticks = axisTicks(
    y,
    columns.flatMap((c) => [...c.gains, ...c.losses].map((part) => part.value)),
  );
  const left = yAxisWidth(
    ticks.map((tick) => format(tick)),
    MARGIN.left,
  );
  const innerWidth = WIDTH - left - MARGIN.right;
  const x = scaleBand<string>({ domain: columns.map((c) => c.label), range: [0, innerWidth], padding: 0.25 });
  const xLabels = [...new Set([0, Math.floor((columns.length - 1) / 2), columns.length - 1])].filter((i) => i >= 0);
  const legend = [
    ...(columns[0]?.gains ?? []).map((part, n) => ({ name: part.name, fill: GAIN_FILLS[n % GAIN_FILLS.length]! })),
    ...(columns[0]?.losses ?? []).map((part, n) => ({ name: part.name, fill: LOSS_FILLS[n % LOSS_FILLS.length]! })),
  ];
  const stack = (parts: { value: number }[], fills: string[], up: boolean, left: number) => {
    let from = 0;
    return parts.map((part, n) => {
      const to = from + (up ? part.value : -part.value);
      const [y1, y2] = [y(from), y(to)];
      from = to;
      return part.value > 0 ? (
        <Bar
          key={n}
          x={left}
          y={Math.min(y1, y2)}
          width={x.bandwidth()}
          height={Math.abs(y2 - y1)}
          className={fills[n % fills.length]}
        />
      ) : null;
    });
  };
  return (
    <figure className="space-y-2">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        className="block h-auto w-full max-w-xl"
        role="img"
        aria-labelledby={`${id}-title`}
        aria-label={summary}
        data-chart="movements"
      >
        <title id={`${id}-title`}>{summary}</title>
        <Group left={left} top={MARGIN.top}>
          <YAxisGrid ticks={ticks} y={y} width={innerWidth} format={format} />
          {columns.map((column) => {
            const left = x(column.label) ?? 0;
            return (
              <g key={column.label}>
                {stack(column.gains, GAIN_FILLS, true, left)}
                {stack(column.losses, LOSS_FILLS, false, left)}
              </g>
            );
          })}
          {xLabels.map((index) => {
            const column = columns[index]!;
            return (
              <text
                key={column.label}
                x={(x(column.label) ?? 0) + x.bandwidth() / 2}
                y={innerHeight + 22}
                textAnchor="middle"
                className={CHART_TEXT}
              >
                {column.label}
              </text>
            );
          })}
        </Group>
      </svg>
      <figcaption>
        <ul className="flex flex-wrap gap-x-4 gap-y-1 text-sm text-slate-700" aria-label="Legend">
          {legend.map((item) => (
            <li key={item.name} className="inline-flex items-center gap-1.5">
              <svg viewBox="0 0 10 10" className="h-3 w-3" aria-hidden="true">
                <rect width="10" height="10" rx="2" className={item.fill} />
              </svg>
              {item.name}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
