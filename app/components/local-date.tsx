import { useEffect, useState } from "react";
import { longDate } from "~/lib/dates";

const withTime: Intl.DateTimeFormatOptions = {
  day: "numeric",
  month: "long",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
};

/**
 * A moment shown in the viewer's time zone, "12 March 2026, 14:05". The server does not know the
 * zone, so it renders the UTC day ("12 March 2026", as other pages show dates) and the browser puts
 * in the local day and time once the page is live.
 */
export function LocalDate({ value }: { value: Date | string }) {
  const iso = new Date(value).toISOString();
  const [text, setText] = useState(() => longDate(iso));
  useEffect(() => setText(new Date(iso).toLocaleString("en-GB", withTime)), [iso]);
  return <time dateTime={iso}>{text}</time>;
}
