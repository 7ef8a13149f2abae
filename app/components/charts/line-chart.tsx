import { Group } from "@visx/group";
import { scaleLinear, scalePoint } from "@visx/scale";
import { LinePath } from "@visx/shape";
import { useId } from "react";
import { axisTicks, CHART_TEXT, YAxisGrid, yAxisWidth } from "./y-axis";
import { lineSummary, type LinePoint } from "./summary";

/** The drawing's own units; the SVG scales to its container's width (no sideways scroll on a phone). */
const WIDTH = 480;
const HEIGHT = 180;
// Room on the right for half of the last day's label, which is centred on its point.
const MARGIN = { top: 12, right: 40, bottom: 34, left: 36 };

/**
 * A line chart rendered on the server as plain SVG (visx scales and shapes, ADR 23), readable
 * without JavaScript: `role="img"` with a `<title>` and `aria-label` that say the figures
 * (`lineSummary`), and the figures again in a table under a "Figures" disclosure. `points` are in
 * order; `yDomain` fixes the vertical scale (e.g. [0, 100] for a score), else it fits the data;
 * `format` writes a value (ticks, figures, summary), e.g. as money.
 * No inline styles: the page's CSP forbids them; colours are Tailwind classes.
 */
export function LineChart({
  points,
  label,
  yDomain,
  format,
}: {
  points: readonly LinePoint[];
  label: string;
  yDomain?: [number, number];
  format?: (value: number) => string;
}) {
  const id = useId();
  const summary = lineSummary(label, points, format);
  const show = format ?? String;
  const values = points.map((point) => point.y);
  const domain = yDomain ?? [Math.min(0, ...values), Math.max(1, ...values)];
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const y = scaleLinear<number>({ domain, range: [innerHeight, 0], nice: !yDomain });
  const ticks = axisTicks(y, values);
  const left = yAxisWidth(
    ticks.map((tick) => show(tick)),
    MARGIN.left,
  );
  const innerWidth = WIDTH - left - MARGIN.right;
  const x = scalePoint<string>({ domain: points.map((point) => point.x), range: [0, innerWidth], padding: 0.2 });
  // Three labels along the bottom (first, middle, last) stay legible at a phone's width.
  const xLabels = [...new Set([0, Math.floor((points.length - 1) / 2), points.length - 1])]
    .filter((index) => index >= 0)
    .map((index) => points[index]!);
  return (
    <figure className="space-y-2">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        className="block h-auto w-full max-w-xl"
        role="img"
        aria-labelledby={`${id}-title`}
        aria-label={summary}
        data-chart="line"
      >
        <title id={`${id}-title`}>{summary}</title>
        <Group left={left} top={MARGIN.top}>
          <YAxisGrid ticks={ticks} y={y} width={innerWidth} format={show} />
          {xLabels.map((point) => (
            <text key={point.x} x={x(point.x) ?? 0} y={innerHeight + 22} textAnchor="middle" className={CHART_TEXT}>
              {point.x}
            </text>
          ))}
          <LinePath
            data={[...points]}
            x={(point) => x(point.x) ?? 0}
            y={(point) => y(point.y)}
            className="fill-none stroke-brand-600"
            strokeWidth={2.5}
            strokeLinejoin="round"
            strokeLinecap="round"
          />
          {points.map((point) => (
            <circle key={point.x} cx={x(point.x) ?? 0} cy={y(point.y)} r={2.5} className="fill-brand-700" />
          ))}
        </Group>
      </svg>
      <details className="text-sm">
        <summary className="cursor-pointer text-brand-700 underline">Figures</summary>
        <table className="mt-2 text-left">
          <caption className="sr-only">{label}</caption>
          <tbody>
            {points.map((point) => (
              <tr key={point.x}>
                <th scope="row" className="pr-4 font-normal text-slate-600">
                  {point.x}
                </th>
                <td className="tabular-nums">{show(point.y)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
