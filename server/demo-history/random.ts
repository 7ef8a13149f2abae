/**
 * Deterministic randomness for the demo history: every id and every choice follows from (seed,
 * account index), so a second load writes the same rows and a larger `--accounts` keeps the first ones.
 */
import { createHash } from "node:crypto";

/** A UUID-shaped id (version 8, "custom", RFC 9562 §5.8) derived from its parts. */
export function historyId(...parts: (string | number)[]): string {
  const hex = createHash("sha256")
    .update(`demo-history:${parts.join(":")}`)
    .digest("hex");
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A short hex key derived from its parts, for Stripe-style ids (`sub_hist_…`). */
export function historyKey(...parts: (string | number)[]): string {
  return createHash("sha256")
    .update(`demo-history:${parts.join(":")}`)
    .digest("hex")
    .slice(0, 20);
}

/** A seeded pseudo-random source (mulberry32) with the helpers the story needs. */
export class Random {
  private state: number;

  constructor(...parts: (string | number)[]) {
    this.state = createHash("sha256").update(parts.join(":")).digest().readUInt32LE(0);
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** One of the keys, with probability proportional to its weight. */
  weighted<T extends string>(weights: Record<T, number>): T {
    const entries = Object.entries(weights) as [T, number][];
    let roll = this.next() * entries.reduce((sum, [, w]) => sum + w, 0);
    for (const [key, weight] of entries) {
      roll -= weight;
      if (roll < 0) return key;
    }
    return entries[entries.length - 1]![0];
  }

  /** A Poisson-distributed count with mean `mean` (Knuth; small means only). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let count = 0;
    for (let p = this.next(); p > limit; p *= this.next()) count += 1;
    return count;
  }
}
