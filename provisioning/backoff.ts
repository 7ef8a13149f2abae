const BASE_MS = 5_000;
const CAP_MS = 10 * 60_000;

/** Exponential backoff with full jitter: attempt 1 waits up to 5 s, then 10 s, 20 s, … up to 10 minutes. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
