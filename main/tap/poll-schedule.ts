/**
 * How often a completion watch (completion.ts) asks Graph, by where the person is. Graph requests are few: the view
 * (view-progress.ts) says most of it for free, so polls are mostly a safety net.
 *  - `afterDone`: the view left the naming page (the key is registered at Microsoft): at once, then 5 → 10 → 20 →
 *    30 s cap (Graph may lag behind);
 *  - `inCeremony`: in the ceremony on login.microsoft.com, 120 s → 240 s cap: the key cannot exist before the view
 *    comes back; `naming`: on the naming page, 15 s → 60 s cap, in case no later hop shows;
 *  - `withSteps`: once the view has shown Microsoft's hops it will also show the ceremony and the naming: 60 s →
 *    120 s cap;
 *  - `signIn`, `key`: no view, or a view whose URLs say nothing recognisable: 30 s → 60 s cap for each.
 * Every view navigation restarts the wait and each poll that finds nothing doubles it (completion.ts).
 */
import type { BackoffOptions } from './scheduling';

export interface PollSchedule {
  /** getTap while waiting for sign-in, when the view cannot say where the user is (no view, real pages). */
  signIn: BackoffOptions;
  /** listSecurityKeys after sign-in, likewise. */
  key: BackoffOptions;
  /** Either, once the view has shown Microsoft's hops: it will show the return from the ceremony; polls are a safety net. */
  withSteps: BackoffOptions;
  /** listSecurityKeys while the view is in the registration ceremony: a safety net, the view will show the return. */
  inCeremony: BackoffOptions;
  /** listSecurityKeys while the view is on the naming page: a safety net in case no later hop shows. */
  naming: BackoffOptions;
  /** listSecurityKeys after the view left the naming page but Graph did not show the key yet (replication). */
  afterDone: BackoffOptions;
}

export const DEFAULT_POLL_SCHEDULE: PollSchedule = {
  signIn: { initialMs: 30_000, factor: 2, maxMs: 60_000 },
  key: { initialMs: 30_000, factor: 2, maxMs: 60_000 },
  withSteps: { initialMs: 60_000, factor: 2, maxMs: 120_000 },
  inCeremony: { initialMs: 120_000, factor: 2, maxMs: 240_000 },
  naming: { initialMs: 15_000, factor: 2, maxMs: 60_000 },
  afterDone: { initialMs: 5_000, factor: 2, maxMs: 30_000 },
};

/** Where the watch stands, as far as the schedule cares. */
export interface PollWhere {
  /** The view has left the naming page. */
  doneSeen: boolean;
  /** Where the view last said the person is, when that is mid-registration. */
  midRegistration: 'registering' | 'naming-key' | null;
  /** The view has shown Microsoft's hops. */
  viewHasSteps: boolean;
  /** The sign-in has been seen (the watch looks for the key). */
  signedIn: boolean;
}

/** The back-off that applies now: the first that fits, in the order of the list above. */
export function pollBackoff(schedule: PollSchedule, where: PollWhere): BackoffOptions {
  if (where.doneSeen) return schedule.afterDone;
  if (where.midRegistration === 'registering') return schedule.inCeremony;
  if (where.midRegistration === 'naming-key') return schedule.naming;
  if (where.viewHasSteps) return schedule.withSteps;
  return where.signedIn ? schedule.key : schedule.signIn;
}
