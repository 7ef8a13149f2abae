/**
 * How long and how much a scenario runs. Full runs give the figures README and the closing
 * notes quote; `--smoke` runs each scenario for a second or two (figures printed, not meant to be
 * compared) so CI proves every scenario still works.
 */
export type Scale = {
  smoke: boolean;
  /** `full` in a full run, `smoke` in a smoke run. */
  pick: <T>(full: T, smoke: T) => T;
};

export function scale(smoke: boolean): Scale {
  return { smoke, pick: (full, small) => (smoke ? small : full) };
}

/** One figure: printed as a `name: value` line. */
export type Report = (name: string, value: number) => void;

export type Scenario = (report: Report, scale: Scale) => Promise<void>;
