// Username, then Temporary Access Pass: the one decision My Security Info's sign-in makes, as a pure function of the
// tenant state and the emulator clock. Each refusal has its own code (the page's `data-error`) and message.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { TapRecord, UserRecord } from '../model';
import { type TenantState, tapUsability } from '../store';

export type SignInRefusal =
  | 'username-required'
  | 'user-not-found'
  | 'tap-required'
  | 'tap-incorrect'
  | 'account-disabled'
  | 'external-guest'
  | 'tap-not-yet-valid'
  | 'tap-expired'
  | 'tap-one-time-used'
  | 'tap-policy'
  | 'tap-multi-use-not-allowed';

export interface Refusal {
  code: SignInRefusal;
  /** AADSTS number where Entra's is well known for the case; the TAP-specific cases have none we can cite. */
  aadsts?: number;
  title: string;
  detail?: string;
}

const BLOCKED_BY_POLICY = 'Temporary Access Pass sign in was blocked due to User Credential Policy.';

/** Messages in Entra's wording where it is documented (entra-docs TAP how-to, Troubleshooting); [INF] otherwise. */
export function refusal(code: SignInRefusal, tap?: TapRecord): Refusal {
  switch (code) {
    case 'username-required':
      return { code, title: 'Enter a valid email address, phone number, or Skype name.' };
    case 'user-not-found':
      return { code, aadsts: 50034, title: 'This username may be incorrect. Make sure you typed it correctly. Otherwise, contact your admin.' };
    case 'tap-required':
      return { code, title: 'Enter your Temporary Access Pass.' };
    case 'tap-incorrect':
      return { code, aadsts: 50126, title: 'Your Temporary Access Pass is incorrect. Check it and try again, or ask your admin for a new one.' };
    case 'account-disabled':
      return {
        code,
        aadsts: 50057,
        title: 'Your account has been locked. Contact your support person to unlock it, then try again.',
        detail: 'The user account is disabled.',
      };
    case 'external-guest':
      return {
        code,
        aadsts: 50020,
        title: 'A Temporary Access Pass from this organization cannot be used by an external guest user.',
        detail: 'Sign in with the account from your home organization.',
      };
    case 'tap-not-yet-valid':
      return { code, title: "Your Temporary Access Pass isn't valid yet.", detail: tap ? `You can use it from ${displayDate(tap.startDateTime)}.` : undefined };
    case 'tap-expired':
      return { code, title: 'Your Temporary Access Pass has expired.', detail: 'Ask your admin for a new Temporary Access Pass.' };
    case 'tap-one-time-used':
      return { code, title: BLOCKED_BY_POLICY, detail: 'This one-time Temporary Access Pass has already been used. Ask your admin for a new one.' };
    case 'tap-policy':
      return { code, title: BLOCKED_BY_POLICY, detail: "Your account isn't allowed to sign in with a Temporary Access Pass. Contact your admin." };
    case 'tap-multi-use-not-allowed':
      return {
        code,
        title: BLOCKED_BY_POLICY,
        detail: 'Your organization only allows one-time Temporary Access Passes, and this one can be used more than once. Ask your admin for a new one.',
      };
  }
}

export function displayDate(d: Date): string {
  return `${d.toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })} UTC`;
}

/** Compares in constant time for a given pass length class: both sides are hashed first. */
export function passMatches(expected: string | undefined, given: string): boolean {
  const a = createHash('sha256')
    .update(expected ?? '\u0000no pass')
    .digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b) && expected !== undefined;
}

export type SignInOutcome = { ok: true; user: UserRecord; tap: TapRecord } | { ok: false; refusal: Refusal };

/** The username step: does the account exist? (Anything else is decided after the pass.) */
export function checkUsername(state: TenantState, username: string): { ok: true; user: UserRecord } | { ok: false; refusal: Refusal } {
  const name = username.trim();
  if (!name) return { ok: false, refusal: refusal('username-required') };
  const user = state.findUser(name);
  // findUser also resolves object ids; the sign-in page takes user names only.
  if (!user || user.userPrincipalName.toLowerCase() !== name.toLowerCase()) return { ok: false, refusal: refusal('user-not-found') };
  return { ok: true, user };
}

/**
 * The pass step. The pass is checked first, so the account's state (disabled, guest, pass expired or used) is
 * told only to someone who holds its pass. Consumes nothing: the caller marks a one-time pass used on success.
 */
export function checkTap(state: TenantState, username: string, pass: string, now: Date): SignInOutcome {
  const u = checkUsername(state, username);
  if (!u.ok) return u;
  const { user } = u;
  if (!pass) return { ok: false, refusal: refusal('tap-required') };
  const tap = state.taps.get(user.id);
  if (!passMatches(tap?.pass, pass) || !tap) return { ok: false, refusal: refusal('tap-incorrect') };
  if (!user.accountEnabled) return { ok: false, refusal: refusal('account-disabled') };
  if (user.isExternal) return { ok: false, refusal: refusal('external-guest') };
  const usability = tapUsability(state, tap, now);
  switch (usability.methodUsabilityReason) {
    case 'NotYetValid':
      return { ok: false, refusal: refusal('tap-not-yet-valid', tap) };
    case 'Expired':
      return { ok: false, refusal: refusal('tap-expired') };
    case 'OneTimeUsed':
      return { ok: false, refusal: refusal('tap-one-time-used') };
    case 'DisabledByPolicy':
      // "Make sure the user doesn't have a TAP for multiple use while the Authentication methods policy requires a
      // one-time TAP." (entra-docs TAP how-to, Troubleshooting): tapUsability counts it as DisabledByPolicy; the
      // page names that cause apart from the others.
      if (state.tapPolicy.isUsableOnce && !tap.isUsableOnce) return { ok: false, refusal: refusal('tap-multi-use-not-allowed') };
      return { ok: false, refusal: refusal('tap-policy') };
    case 'EnabledByPolicy':
      break;
  }
  return { ok: true, user, tap };
}
