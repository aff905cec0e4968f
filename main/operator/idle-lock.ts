// Locks the station after the operator has been idle for the configured minutes. Activity (a key, a click, a
// command from the renderer) only records the time; one timer is armed for the earliest moment the lock could be
// due and, when it fires, re-armed for the rest if there was activity meanwhile. So a burst of activity costs no
// timer churn, and a timer that fires late (the machine slept) locks at once because the idle time is measured
// on the clock, not counted by the timer.
//
// Pure: time and timers are injected (defaults: Date.now and the global timers), so tests use fake timers.

export interface IdleLockTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface IdleLockOptions {
  /** Idle minutes before the lock (config `idleLockMinutes`). */
  minutes: number;
  /** Called once per expiry, typically `() => session.lock()`. */
  onLock: () => void | Promise<void>;
  /** Called when `onLock` throws or rejects (the idle lock itself stays consistent). */
  onError?: (error: unknown) => void;
  now?: () => number;
  timers?: IdleLockTimers;
}

const globalTimers: IdleLockTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Node's timers overflow above 2^31-1 ms (~24.8 days) and fire at once; never ask for more. */
const MAX_TIMER_MS = 2_147_483_647;

export class IdleLock {
  private readonly idleMs: number;
  private readonly now: () => number;
  private readonly timers: IdleLockTimers;
  private lastActivity = 0;
  private handle: unknown = null;
  private running = false;

  constructor(private readonly options: IdleLockOptions) {
    if (!Number.isFinite(options.minutes) || options.minutes <= 0) throw new RangeError('Idle lock minutes must be a positive number');
    this.idleMs = options.minutes * 60_000;
    this.now = options.now ?? Date.now;
    this.timers = options.timers ?? globalTimers;
  }

  /** Starts watching (when an operator signs in); counts from now. Restarting is harmless. */
  start(): void {
    this.running = true;
    this.lastActivity = this.now();
    this.arm(this.idleMs);
  }

  /** Stops watching (sign-out, or the lock happened another way). */
  stop(): void {
    this.running = false;
    this.disarm();
  }

  /** Operator activity: the idle time starts again. Ignored while stopped. */
  activity(): void {
    if (this.running) this.lastActivity = this.now();
  }

  isRunning(): boolean {
    return this.running;
  }

  /** Milliseconds until the lock, or null while stopped. */
  remainingMs(): number | null {
    if (!this.running) return null;
    return Math.max(0, this.lastActivity + this.idleMs - this.now());
  }

  private arm(ms: number): void {
    this.disarm();
    this.handle = this.timers.setTimeout(() => this.fire(), Math.min(Math.max(0, ms), MAX_TIMER_MS));
  }

  private disarm(): void {
    if (this.handle !== null) this.timers.clearTimeout(this.handle);
    this.handle = null;
  }

  private fire(): void {
    this.handle = null;
    if (!this.running) return;
    const remaining = this.lastActivity + this.idleMs - this.now();
    if (remaining > 0) {
      this.arm(remaining);
      return;
    }
    this.running = false;
    let outcome: void | Promise<void>;
    try {
      outcome = this.options.onLock();
    } catch (e) {
      this.options.onError?.(e);
      return;
    }
    if (outcome instanceof Promise) outcome.catch((e: unknown) => this.options.onError?.(e));
  }
}

/** What `lockWhenIdle` needs of the operator session (OperatorSession has it). */
export interface LockableSession {
  onChange(listener: (change: { kind: 'signed-in' | 'signed-out' }) => void): () => void;
  lock(): Promise<void>;
}

/**
 * Runs an IdleLock for as long as an operator is signed in: starts at sign-in, stops at any sign-out, locks
 * the session on expiry. Feed it activity with `.activity()`; call the returned `dispose` at shutdown.
 */
export function lockWhenIdle(session: LockableSession, options: Omit<IdleLockOptions, 'onLock'>): { idle: IdleLock; dispose: () => void } {
  const idle = new IdleLock({ ...options, onLock: () => session.lock() });
  const unsubscribe = session.onChange((change) => (change.kind === 'signed-in' ? idle.start() : idle.stop()));
  return {
    idle,
    dispose: () => {
      unsubscribe();
      idle.stop();
    },
  };
}
