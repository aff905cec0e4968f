// The station runs on real time in the harness (createStation gets no clock), and the 10-minute window is not
// something a 5-minute suite can wait for. The harness runs in this worker process, and XState's default clock
// calls the global setTimeout at scheduling time, so: while installed, every timer of at least `minMs` set in
// this process is recorded beside the real one, and `fire()` runs the recorded ones now (clearing the real ones),
// as if their time had come. Nothing else (sockets, Playwright, short polls) is touched.
interface Held {
  fn: (...args: unknown[]) => void;
  args: unknown[];
  ms: number;
}

export class TimeWarp {
  readonly #held = new Map<ReturnType<typeof setTimeout>, Held>();
  readonly #realSet = globalThis.setTimeout;
  readonly #realClear = globalThis.clearTimeout;

  constructor(readonly minMs: number) {}

  install(): this {
    const held = this.#held;
    const realSet = this.#realSet;
    const realClear = this.#realClear;
    const minMs = this.minMs;
    const patchedSet = ((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const handle = realSet(
        (...a: unknown[]) => {
          held.delete(handle);
          fn(...a);
        },
        ms,
        ...args,
      );
      if (typeof fn === 'function' && (ms ?? 0) >= minMs) held.set(handle, { fn, args, ms: ms ?? 0 });
      return handle;
    }) as typeof setTimeout;
    const patchedClear = ((handle?: ReturnType<typeof setTimeout>) => {
      if (handle !== undefined) held.delete(handle);
      realClear(handle);
    }) as typeof clearTimeout;
    globalThis.setTimeout = patchedSet;
    globalThis.clearTimeout = patchedClear;
    return this;
  }

  /** The long timers pending now (their delays in ms). */
  pending(): number[] {
    return [...this.#held.values()].map((h) => h.ms);
  }

  /** Runs every pending long timer whose delay matches, now. Returns how many ran. */
  fire(match: (ms: number) => boolean = () => true): number {
    let ran = 0;
    for (const [handle, h] of [...this.#held]) {
      if (!match(h.ms)) continue;
      this.#held.delete(handle);
      this.#realClear(handle);
      h.fn(...h.args);
      ran += 1;
    }
    return ran;
  }

  uninstall(): void {
    globalThis.setTimeout = this.#realSet;
    globalThis.clearTimeout = this.#realClear;
    this.#held.clear();
  }
}
