import autocannon, { type Request as AutocannonRequest } from "autocannon";

export type LoadResult = {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  statusCounts: Record<"2xx" | "3xx" | "4xx" | "5xx", number>;
};

type LoadOptions = {
  connections?: number;
  seconds?: number;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** Changes each request before it is sent, e.g. to vary the client address. */
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
  /** Requests per second offered across all connections (open loop); unset: each connection sends back to back. */
  rate?: number;
  /** Reads each answer's status and body, e.g. to count per-event outcomes. */
  onResponse?: (status: number, body: string) => void;
};

/** Closed-loop load from this process on loopback: `connections` clients sending back to back. */
export async function load(
  url: string,
  {
    connections = 50,
    seconds = 10,
    method = "GET",
    headers = {},
    body,
    setupRequest,
    onResponse,
    rate,
  }: LoadOptions = {},
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    method,
    headers,
    body,
    ...(rate ? { overallRate: rate } : {}),
    ...(setupRequest || onResponse ? { requests: [{ setupRequest, onResponse }] } : {}),
  });
  return {
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    statusCounts: { "2xx": result["2xx"], "3xx": result["3xx"], "4xx": result["4xx"], "5xx": result["5xx"] },
  };
}
