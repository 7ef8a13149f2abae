import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireCatalog } from "~/modules/catalog/catalog.server";

export async function loader({ context }: LoaderFunctionArgs) {
  const { appUrl } = context.config;
  const catalog = await requireCatalog(context.db);
  // The indexable pages: everything else says noindex (see pageMeta).
  const paths = [
    "/",
    "/pricing",
    ...catalog.plans.map((plan) => `/plans/${plan.slug}`),
    "/qualify",
    "/signup",
    ...(catalog.plans.some((plan) => plan.salesMode === "contact_sales") ? ["/contact-sales"] : []),
  ];
  const urls = paths.map((path) => `  <url><loc>${escapeXml(appUrl + path)}</loc></url>`).join("\n");
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls}\n</urlset>\n`;
  return new Response(body, {
    headers: { "Content-Type": "application/xml; charset=utf-8", "Cache-Control": "public, max-age=3600" },
  });
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
