import autocannon from "autocannon";

export type LoadResult = { rps: number; p50Ms: number; p99Ms: number; errors: number; non2xx: number };

/** Closed-loop load from this process on loopback: `connections` clients sending back to back. */
export async function load(url: string, { connections = 50, seconds = 10, headers = {} as Record<string, string> } = {}): Promise<LoadResult> {
  const result = await autocannon({ url, connections, duration: seconds, headers });
  return {
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
