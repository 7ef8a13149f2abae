/** Where the clock's offset is kept: the store, so that a restarted emulator keeps its time. */
export interface ClockState {
  clockOffsetSeconds: number;
}

function realNow(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * The emulator's time in unix seconds: real time plus an offset that `set` moves forward.
 * While due work runs the clock is pinned to the moment the work fell due, so that the objects
 * and events it creates carry that moment, as they would have at Stripe.
 */
export class Clock {
  private pinned: number | null = null;

  constructor(private readonly state: ClockState) {}

  now(): number {
    return this.pinned ?? realNow() + this.state.clockOffsetSeconds;
  }

  pin(at: number): void {
    this.pinned = at;
  }

  unpin(): void {
    this.pinned = null;
  }

  /** From here on `now()` reads `at`, then ticks with real time. */
  set(at: number): void {
    this.pinned = null;
    this.state.clockOffsetSeconds = at - realNow();
  }
}
