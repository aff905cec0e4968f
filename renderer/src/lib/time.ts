/** Countdowns: main sends deadlines (epoch ms); the screen counts down. Pure. */
import type { Countdown } from '../../../common/session';

/** Milliseconds left until `endsAt`, never negative. */
export function remaining(endsAt: number, now: number): number {
  if (!Number.isFinite(endsAt) || !Number.isFinite(now)) return 0;
  return Math.max(0, endsAt - now);
}

/** "9:05" or "1:02:03" (hours only when needed); rounds up so "0:00" means it has ended. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * What a screen reader is told, at a sane rate: whole minutes while more than two minutes are left (one
 * announcement a minute), then steps of 30 s, then 10 s in the last 30 s; 'ended' at zero. The live region
 * re-renders only when this value changes.
 */
export type Announcement = { unit: 'minutes' | 'seconds'; value: number } | { unit: 'ended'; value: 0 };

export function announcement(ms: number): Announcement {
  if (ms <= 0) return { unit: 'ended', value: 0 };
  const s = Math.ceil(ms / 1000);
  if (s > 120) return { unit: 'minutes', value: Math.ceil(s / 60) };
  if (s > 30) return { unit: 'seconds', value: Math.ceil(s / 30) * 30 };
  return { unit: 'seconds', value: Math.ceil(s / 10) * 10 };
}

export function findCountdown(countdowns: readonly Countdown[], kind: Countdown['kind']): Countdown | null {
  return countdowns.find((c) => c.kind === kind) ?? null;
}

/**
 * The registering screen's countdown: the registration window, or the five minutes of a fresh sign-in when main
 * sends them (they end first: main/enrollment/freshness.ts). Once those five minutes are over, `freshEnded` (the
 * screen says what to do) and the registration window counts on, if there is one.
 */
export function registrationClock(countdowns: readonly Countdown[], now: number): { countdown: Countdown | null; freshEnded: boolean } {
  const window = findCountdown(countdowns, 'registration-window');
  const fresh = findCountdown(countdowns, 'fresh-sign-in');
  if (!fresh || (window && window.endsAt <= fresh.endsAt)) return { countdown: window, freshEnded: false };
  return now < fresh.endsAt ? { countdown: fresh, freshEnded: false } : { countdown: window, freshEnded: true };
}
