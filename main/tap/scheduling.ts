/**
 * Timers and back-off for the TAP lifecycle (deletion retries, completion polling), injectable so tests move
 * time by hand instead of sleeping.
 *
 * A timer callback may return a promise; production ignores it, a test clock awaits it before it fires the
 * next timer, so "advance 5 minutes" runs every poll to completion, in order.
 */

/** Whatever the timer implementation hands back; only given back to its `clearTimeout`. */
export type TimerHandle = unknown;

export interface Timers {
  setTimeout(callback: () => void | Promise<void>, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemTimers: Timers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(() => void callback(), ms);
    // A pending retry or poll must never keep a quitting process alive on its own.
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface BackoffOptions {
  /** First delay. */
  initialMs: number;
  /** Each further delay is the previous one times this. */
  factor: number;
  /** No delay is longer than this (a Retry-After may be, up to `retryAfterCapMs`). */
  maxMs: number;
}

/** The delay before attempt `n + 1` after `n` failures (n ≥ 1): initial · factor^(n−1), capped. */
export function backoffDelay(failures: number, options: BackoffOptions): number {
  const n = Math.max(1, Math.floor(failures));
  return Math.min(options.maxMs, options.initialMs * options.factor ** (n - 1));
}

/** Retry-After wins when the service sent one (it knows when it will take us again), within a sane cap. */
export function delayHonouringRetryAfter(backoffMs: number, retryAfterMs: number | undefined, retryAfterCapMs = 15 * 60_000): number {
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs) || retryAfterMs < 0) return backoffMs;
  return Math.min(retryAfterCapMs, Math.max(retryAfterMs, 0));
}
