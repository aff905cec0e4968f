// Time moved by hand: a ClockPort and Timers whose callbacks run, in due order, only when the test advances
// the clock, each awaited to completion (a poll's HTTP round trip included) before the next one fires.
import type { ClockPort } from '../../../main/enrollment/ports';
import type { TimerHandle, Timers } from '../../../main/tap/scheduling';

interface Pending {
  id: number;
  at: number;
  callback: () => void | Promise<void>;
}

export class ManualTime implements ClockPort, Timers {
  #now: number;
  #seq = 0;
  #pending: Pending[] = [];

  constructor(start = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void | Promise<void>, ms: number): TimerHandle {
    const timer = { id: ++this.#seq, at: this.#now + Math.max(0, ms), callback };
    this.#pending.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#pending = this.#pending.filter((t) => t.id !== handle);
  }

  /** Timers waiting, soonest first (ms from now). */
  get waiting(): number[] {
    return this.#pending.map((t) => t.at - this.#now).sort((a, b) => a - b);
  }

  /** Move time forward by `ms`, running every timer that falls due on the way (and those they set). */
  async advance(ms: number): Promise<void> {
    const until = this.#now + ms;
    for (;;) {
      await settle();
      const next = [...this.#pending].sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!next || next.at > until) break;
      this.#pending = this.#pending.filter((t) => t !== next);
      this.#now = Math.max(this.#now, next.at);
      await next.callback();
    }
    this.#now = until;
    await settle();
  }
}

/** Let already-resolved promise chains run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Advances in steps of simulated time until `done()` holds or `maxSteps` have passed. Between steps it gives
 * work that runs outside any timer (an HTTP round trip to the emulator started by a command) a short real-time
 * window to land: `settle()` alone cannot wait for the network, and on a loaded machine the loop would
 * otherwise outrun it.
 */
export async function advanceUntil(time: ManualTime, done: () => boolean, options: { stepMs: number; maxSteps: number; ioWaitMs?: number }): Promise<void> {
  for (let i = 0; i < options.maxSteps && !done(); i += 1) {
    await time.advance(options.stepMs);
    const until = Date.now() + (options.ioWaitMs ?? 250);
    while (!done() && Date.now() < until) await new Promise<void>((resolve) => setTimeout(resolve, 5));
  }
}
