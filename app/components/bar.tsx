/**
 * A thin horizontal bar filled to `percent` (0..100), decorative: the figure it shows is always in
 * the text beside it. Drawn in SVG attributes because the page's CSP allows no inline styles.
 */
export function Bar({ percent, tone = "brand" }: { percent: number; tone?: "brand" | "amber" }) {
  return (
    <svg className="block h-1.5 w-full" aria-hidden="true" focusable="false">
      <rect width="100%" height="100%" rx="3" className="fill-slate-200" />
      {percent > 0 ? (
        <rect
          width={`${Math.min(100, percent)}%`}
          height="100%"
          rx="3"
          className={tone === "amber" ? "fill-amber-600" : "fill-brand-600"}
        />
      ) : null}
    </svg>
  );
}
