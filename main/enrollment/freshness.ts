/**
 * Two things Microsoft does after the person signs in with the pass that the guide must explain (issue 10, 3f/3g):
 *
 * - **Fresh sign-in.** "Users must complete multifactor authentication (MFA) within the past five minutes before they
 *   can register a passkey (FIDO2)." (Microsoft Learn, `FRESH_SIGN_IN_MS` in common/session.ts). So besides the
 *   one-time pass's 10 minutes (`windowEndsAt`), five minutes run from each sign-in; whichever ends first is the
 *   countdown the person sees. When the five minutes are over the person signs in again with the same pass if it is
 *   multi-use and still valid long enough, else the operator stops and issues a new pass (a one-time pass is spent
 *   at sign-in). A new sign-in seen in the view's hops (sign-in host → My Security Info) starts five new minutes.
 * - **The registration interrupt.** Users in scope of the combined registration policy land on Microsoft's "Keep
 *   your account secure" wizard (view phase `registration-interrupt`, main/tap/view-progress.ts) before Security
 *   info: the guide says to add the security key there (or "Skip setup" if offered).
 *
 * The station counts from when it saw the sign-in, a little after Microsoft did: it ends its count early by
 * `FRESH_SIGN_IN_MARGIN_MS`, so it never promises time Microsoft no longer gives.
 */
import type { FreshSignInCode, InterruptCode } from '../../common/codes';
import { FRESH_SIGN_IN_MS, type Countdown, type ViewPhase } from '../../common/session';
import { SIGNED_IN_PHASES } from '../tap/view-progress';

export const FRESH_SIGN_IN_MARGIN_MS = 20_000;
/** Signing in again needs a little time: with less than this left on the pass or the window, a new pass it is. */
export const SIGN_IN_AGAIN_MIN_MS = 60_000;

/** What these rules read of the session (a structural slice of the chart's context). */
export interface FreshnessView {
  signedInAt: number | null;
  /** The latest sign-in seen after the first (the person signed in again), epoch ms. */
  freshSignInAt?: number | null;
  windowEndsAt: number | null;
  tap: { expiresAt: number; method: { isUsableOnce: boolean } } | null;
  viewPhase: ViewPhase | null;
}

/**
 * On each view phase: remember it; drop the pass once the page is past its prompt (`pastPrompt`: snapshot.ts's
 * `pastPassPrompt`); coming back from a sign-in host after the first sign-in is a new sign-in.
 */
export function afterView(
  context: FreshnessView & { pass: string | null },
  phase: ViewPhase,
  now: number,
  pastPrompt: (phase: ViewPhase) => boolean,
): { viewPhase: ViewPhase; freshSignInAt: number | null; pass: string | null } {
  const again = context.signedInAt !== null && context.viewPhase === 'signing-in' && SIGNED_IN_PHASES.has(phase);
  return { viewPhase: phase, freshSignInAt: again ? now : (context.freshSignInAt ?? null), pass: pastPrompt(phase) ? null : context.pass };
}

/** When the latest sign-in stops being fresh enough to register (station clock), or null before any sign-in. */
export function freshUntil(context: FreshnessView): number | null {
  if (context.signedInAt === null) return null;
  return Math.max(context.signedInAt, context.freshSignInAt ?? 0) + FRESH_SIGN_IN_MS - FRESH_SIGN_IN_MARGIN_MS;
}

/** The `fresh-sign-in` countdown when it ends before the registration window (it binds first), else none. */
export function freshCountdown(context: FreshnessView): Countdown[] {
  const ends = freshUntil(context);
  if (ends === null || (context.windowEndsAt !== null && ends >= context.windowEndsAt)) return [];
  return [{ kind: 'fresh-sign-in', endsAt: ends }];
}

/** What to do when the five minutes are over: the same pass again (multi-use, time left), or a new pass. */
export function whenFreshEnds(context: FreshnessView): FreshSignInCode {
  const ends = freshUntil(context) ?? 0;
  const tap = context.tap;
  const room = (at: number | null | undefined) => at === null || at === undefined || at - ends >= SIGN_IN_AGAIN_MIN_MS;
  return tap && !tap.method.isUsableOnce && room(tap.expiresAt) && room(context.windowEndsAt) ? 'fresh.sign-in-again' : 'fresh.new-pass';
}

/** The interrupt's notice while the view shows it. */
export function interruptOf(context: FreshnessView): InterruptCode | null {
  return context.viewPhase === 'registration-interrupt' ? 'interrupt.registration' : null;
}
