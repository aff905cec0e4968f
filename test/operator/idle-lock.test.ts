// The idle lock with fake timers: it locks after the configured idle minutes, activity pushes the lock back,
// it never locks while stopped, and a timer that fires late (the machine slept) locks at once.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleLock, lockWhenIdle, type IdleLockTimers, type LockableSession } from '../../main/operator/idle-lock';

const MIN = 60_000;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('IdleLock', () => {
  it('locks once after the configured idle minutes', () => {
    const onLock = vi.fn();
    const idle = new IdleLock({ minutes: 5, onLock });
    idle.start();
    vi.advanceTimersByTime(5 * MIN - 1);
    expect(onLock).not.toHaveBeenCalled();
    expect(idle.remainingMs()).toBe(1);
    vi.advanceTimersByTime(1);
    expect(onLock).toHaveBeenCalledTimes(1);
    expect(idle.isRunning()).toBe(false);
    vi.advanceTimersByTime(60 * MIN);
    expect(onLock).toHaveBeenCalledTimes(1);
  });

  it('any activity starts the idle time again', () => {
    const onLock = vi.fn();
    const idle = new IdleLock({ minutes: 5, onLock });
    idle.start();
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(4 * MIN);
      idle.activity();
    }
    expect(onLock).not.toHaveBeenCalled();
    vi.advanceTimersByTime(5 * MIN - 1);
    expect(onLock).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onLock).toHaveBeenCalledTimes(1);
  });

  it('a burst of activity arms no extra timers', () => {
    const idle = new IdleLock({ minutes: 5, onLock: vi.fn() });
    idle.start();
    for (let i = 0; i < 1000; i++) idle.activity();
    expect(vi.getTimerCount()).toBe(1);
  });

  it('never locks while stopped, and activity while stopped does not start it', () => {
    const onLock = vi.fn();
    const idle = new IdleLock({ minutes: 1, onLock });
    idle.activity();
    vi.advanceTimersByTime(10 * MIN);
    idle.start();
    vi.advanceTimersByTime(30_000);
    idle.stop();
    vi.advanceTimersByTime(10 * MIN);
    expect(onLock).not.toHaveBeenCalled();
    expect(idle.remainingMs()).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
    idle.start(); // a new sign-in counts from now
    vi.advanceTimersByTime(MIN - 1);
    expect(onLock).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onLock).toHaveBeenCalledTimes(1);
  });

  it('measures idle time on the clock: a timer that fires late (sleep) locks at once, not a full period later', () => {
    let now = 0;
    const pending: { at: number; run: () => void }[] = [];
    const timers: IdleLockTimers = {
      setTimeout: (run, ms) => {
        const t = { at: now + ms, run };
        pending.push(t);
        return t;
      },
      clearTimeout: (t) => {
        const i = pending.indexOf(t as (typeof pending)[number]);
        if (i >= 0) pending.splice(i, 1);
      },
    };
    const onLock = vi.fn();
    const idle = new IdleLock({ minutes: 5, onLock, now: () => now, timers });
    idle.start();
    now = 3 * MIN;
    idle.activity();
    // The machine sleeps for an hour; the one timer (due at 5 min) fires on wake.
    now = 63 * MIN;
    pending.shift()!.run();
    expect(onLock).toHaveBeenCalledTimes(1);
  });

  it('an early timer re-arms for the rest of the idle time', () => {
    let now = 0;
    const armed: number[] = [];
    let fire: (() => void) | undefined;
    const timers: IdleLockTimers = {
      setTimeout: (run, ms) => {
        armed.push(ms);
        fire = run;
        return armed.length;
      },
      clearTimeout: () => undefined,
    };
    const onLock = vi.fn();
    const idle = new IdleLock({ minutes: 5, onLock, now: () => now, timers });
    idle.start();
    now = 2 * MIN;
    idle.activity();
    now = 5 * MIN;
    fire!();
    expect(onLock).not.toHaveBeenCalled();
    expect(armed).toEqual([5 * MIN, 2 * MIN]);
    now = 7 * MIN;
    fire!();
    expect(onLock).toHaveBeenCalledTimes(1);
  });

  it('a failing lock is reported, not thrown into the timer', async () => {
    const onError = vi.fn();
    const idle = new IdleLock({ minutes: 1, onLock: () => Promise.reject(new Error('lock failed')), onError });
    idle.start();
    await vi.advanceTimersByTimeAsync(MIN);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'lock failed' }));
    const sync = new IdleLock({
      minutes: 1,
      onLock: () => {
        throw new Error('sync');
      },
      onError,
    });
    sync.start();
    vi.advanceTimersByTime(MIN);
    expect(onError).toHaveBeenLastCalledWith(expect.objectContaining({ message: 'sync' }));
  });

  it('refuses a lock time that is not a positive number of minutes', () => {
    for (const minutes of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => new IdleLock({ minutes, onLock: vi.fn() })).toThrow(RangeError);
  });
});

describe('lockWhenIdle', () => {
  function fakeSession() {
    const listeners = new Set<(c: { kind: 'signed-in' | 'signed-out' }) => void>();
    const session: LockableSession & { emit(kind: 'signed-in' | 'signed-out'): void; locks: number } = {
      locks: 0,
      onChange: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      lock: async () => {
        session.locks += 1;
        session.emit('signed-out');
      },
      emit: (kind) => listeners.forEach((l) => l({ kind })),
    };
    return session;
  }

  it('runs while an operator is signed in and locks the session when idle', async () => {
    const session = fakeSession();
    const { idle, dispose } = lockWhenIdle(session, { minutes: 2 });
    vi.advanceTimersByTime(10 * MIN);
    expect(session.locks).toBe(0); // nobody signed in
    session.emit('signed-in');
    await vi.advanceTimersByTimeAsync(2 * MIN);
    expect(session.locks).toBe(1);
    expect(idle.isRunning()).toBe(false);

    session.emit('signed-in');
    vi.advanceTimersByTime(MIN);
    session.emit('signed-out'); // signed out by hand: the lock stops
    await vi.advanceTimersByTimeAsync(10 * MIN);
    expect(session.locks).toBe(1);

    session.emit('signed-in');
    dispose();
    await vi.advanceTimersByTimeAsync(10 * MIN);
    expect(session.locks).toBe(1);
  });
});
