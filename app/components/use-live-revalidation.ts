import { useRevalidator } from "@remix-run/react";
import { useEffect } from "react";

const POLL_MS = 1_500;

/** While `active`, reloads the page's data every 1.5 s (when visible); a reload without JavaScript shows the same. */
export function useLiveRevalidation(active: boolean): void {
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle" && document.visibilityState === "visible") revalidator.revalidate();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [active, revalidator]);
}
