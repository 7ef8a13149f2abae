import { escapeHtml } from "./html";

export interface HtmlResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** No scripts at all; the page's own <style> is the only inline content allowed. */
const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
  "cache-control": "no-store",
};

/** A hosted page (Checkout, Billing Portal): plain HTML that works without JavaScript. */
export function page(status: number, title: string, body: string): HtmlResponse {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Stripe emulator</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
table { width: 100%; border-collapse: collapse; margin-bottom: 1.5rem; }
th, td { text-align: left; padding: .4rem 0; border-bottom: 1px solid #ccc; }
label { display: block; font-weight: 600; margin-bottom: .25rem; }
input { width: 100%; padding: .5rem; font-size: 1rem; box-sizing: border-box; }
button { padding: .6rem 1.5rem; font-size: 1rem; background: #533afd; color: #fff; border: 0; border-radius: 4px; }
button:focus-visible, input:focus-visible, a:focus-visible { outline: 3px solid #1a1a1a; outline-offset: 2px; }
fieldset { border: 1px solid #ccc; padding: 1rem; }
dl { display: grid; grid-template-columns: auto 1fr; gap: .25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
[role="alert"] { color: #a4000f; font-weight: 600; }
</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>`;
  return { status, headers: PAGE_HEADERS, body: html };
}

/** 303 See Other: after a successful form POST the browser GETs `location` (post/redirect/get). */
export function redirect(location: string): HtmlResponse {
  return { status: 303, headers: { location, "cache-control": "no-store" }, body: "" };
}
