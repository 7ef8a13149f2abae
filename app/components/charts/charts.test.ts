import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { BarChart } from "./bar-chart";
import { LineChart } from "./line-chart";
import { barSummary, lineSummary } from "./summary";

const points = [
  { x: "1 Nov", y: 80 },
  { x: "2 Nov", y: 62 },
  { x: "3 Nov", y: 45 },
];

describe("chart summaries", () => {
  it("say the first, last, lowest and highest figures of a line", () => {
    expect(lineSummary("Health score by day", points)).toBe(
      "Health score by day, 3 points from 1 Nov to 3 Nov: 80 on 1 Nov, 45 on 3 Nov (lowest 45 on 3 Nov, highest 80 on 1 Nov).",
    );
    expect(lineSummary("Health", [{ x: "1 Nov", y: 70 }])).toBe("Health: 70 on 1 Nov.");
    expect(lineSummary("Health", [])).toBe("Health: no figures yet.");
  });

  it("say every bar's value out of its maximum", () => {
    expect(
      barSummary("Measures", [
        { label: "Active users", value: 40, max: 100 },
        { label: "Payment", value: 100, max: 100 },
      ]),
    ).toBe("Measures: Active users 40 of 100; Payment 100 of 100.");
    expect(barSummary("Measures", [])).toBe("Measures: no figures yet.");
  });
});

describe("charts rendered on the server", () => {
  it("draw a line chart as plain SVG with its figures in words and in a table, no inline style", () => {
    const html = renderToStaticMarkup(
      createElement(LineChart, { points, label: "Health score by day", yDomain: [0, 100] }),
    );
    expect(html).toMatch(/^<figure/);
    expect(html).toContain('role="img"');
    expect(html).toContain(`aria-label="${lineSummary("Health score by day", points)}"`);
    expect(html).toContain(`<title id=`);
    expect(html).toMatch(/<path[^>]* d="M[\d.]+,[\d.]+L/);
    expect(html.match(/<circle /g)).toHaveLength(3);
    expect(html).toContain('<td class="tabular-nums">62</td>');
    // The page's CSP allows no inline styles (ADR 3): nothing may carry a style attribute.
    expect(html).not.toContain("style=");
  });

  it("draws each bar to its own maximum, with the figure beside it", () => {
    const html = renderToStaticMarkup(
      createElement(BarChart, {
        label: "Measures",
        tone: "health",
        bars: [
          { label: "Active users", value: 25, max: 100 },
          { label: "Limit", value: 3, max: 4 },
        ],
      }),
    );
    expect(html).toContain('role="img"');
    expect(html).toContain("25 / 100");
    expect(html).toContain("3 / 4");
    // The track is 106 units wide (340 - 172 - 62): a quarter is 26.5, three quarters 79.5.
    expect(html).toMatch(/<rect class="visx-bar fill-red-600"[^>]* width="26.5"/);
    expect(html).toMatch(/<rect class="visx-bar fill-emerald-600"[^>]* width="79.5"/);
    expect(html).not.toContain("style=");
  });
});
