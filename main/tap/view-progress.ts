/**
 * Where the user is in My Security Info, from the view's top-level navigations, so the station can see sign-in
 * without asking Graph and ask Graph for the new key at the moment it should exist.
 *
 * The emulator's pages say it on <body data-step> (test/emulator/mysignins/index.ts):
 *   sign-in-username, sign-in-tap → signing-in · security-info, add-method, security-key-type → signed-in ·
 *   webauthn → registering · name-key → naming-key · done → done · signed-out · error
 *
 * Real Microsoft pages carry no marker, and My Security Info is a single-page app whose "add a security key"
 * dialog does not navigate. The rule for them is by host, and says only what a URL can say:
 *   - login.microsoftonline.com, login.microsoft.com, login.live.com (and their paths) → signing-in;
 *     a `/logout` or `/oauth2/v2.0/logout` path there → signed-out;
 *   - mysignins.microsoft.com after the view has been on a sign-in host → signed-in. The first load of
 *     mysignins (before its redirect to sign in) is `unknown`, not signed in.
 *   So with real pages the view reports sign-in; "done" is only ever learned by polling Graph.
 * Anything else (an unexpected host the navigation guard will block anyway) is `unknown`.
 */
import type { ViewPhase } from '../../common/session';

export type { ViewPhase };

const STEP_PHASE: Readonly<Record<string, ViewPhase>> = {
  'sign-in-username': 'signing-in',
  'sign-in-tap': 'signing-in',
  'security-info': 'signed-in',
  'add-method': 'signed-in',
  'security-key-type': 'signed-in',
  webauthn: 'registering',
  'name-key': 'naming-key',
  done: 'done',
  'signed-out': 'signed-out',
  error: 'error',
};

const SIGN_IN_HOSTS = new Set(['login.microsoftonline.com', 'login.microsoft.com', 'login.live.com']);
const MY_SIGN_INS_HOSTS = new Set(['mysignins.microsoft.com']);

/** The phases in which the user has signed in. */
export const SIGNED_IN_PHASES: ReadonlySet<ViewPhase> = new Set(['signed-in', 'registering', 'naming-key', 'done']);

/** Classifies a stream of navigations of one view (it remembers whether a sign-in host was seen). */
export class ViewProgress {
  #sawSignInHost = false;

  phaseOf(navigation: { url: string; step: string | null }): ViewPhase {
    if (navigation.step !== null) return STEP_PHASE[navigation.step] ?? 'unknown';
    let url: URL;
    try {
      url = new URL(navigation.url);
    } catch {
      return 'unknown';
    }
    const host = url.hostname.toLowerCase();
    if (SIGN_IN_HOSTS.has(host)) {
      if (/\/logout(\/|$)/i.test(url.pathname)) return 'signed-out';
      this.#sawSignInHost = true;
      return 'signing-in';
    }
    if (MY_SIGN_INS_HOSTS.has(host)) return this.#sawSignInHost ? 'signed-in' : 'unknown';
    return 'unknown';
  }
}
