/**
 * Where the user is in My Security Info, from the view's top-level navigations alone (origin and path; query and
 * fragment are stripped before they get here). Nothing is read from the page: production code relies only on
 * what the real pages expose, the hops between Microsoft's hosts:
 *
 *   mysignins.microsoft.com/security-info         (no session yet: redirects to sign in)       → unknown
 *   login.microsoftonline.com/…                   sign-in with user name and Temporary Access Pass → signing-in
 *   mysignins.microsoft.com/register after a sign-in host  the registration interrupt ("Keep your account secure")
 *                                                                                               → registration-interrupt
 *   mysignins.microsoft.com/… after a sign-in host                                              → signed-in
 *   login.microsoft.com/<tenant>/fido/create      the WebAuthn ceremony ("Security key" → Next)  → registering
 *   mysignins.microsoft.com/… after the ceremony   back to name the key                          → naming-key
 *   a `/logout` path on a sign-in host                                                           → signed-out
 *
 * Other login.microsoft.com paths (e.g. `/common/fido/get`, sign-in with a passkey) and login.live.com count as
 * signing in. A sign-in host after the ceremony is a new sign-in (the registration came too late: sign in again),
 * so the next My Security Info page is `signed-in`, not `naming-key`. The interrupt: users in scope of the combined
 * security-info registration policy go, after the pass is accepted, through "More information required" on the
 * sign-in host and then `https://mysignins.microsoft.com/register?csrf_token=…` (test/emulator/mysignins/interrupt.ts
 * for the sources); the key can be added there, or "Skip setup" leads on to Security info. "Done" is never a phase
 * from a URL (Graph says it, completion.ts); a later My Security Info page after the naming page (`leftNaming`) is
 * the hop after which the key exists, which the completion watch confirms with one read. The registration hop is Microsoft's (test/emulator/README.md, "My Security Info's hops", for
 * the sources); anything else, e.g. a host the navigation guard blocks anyway, is `unknown`.
 */
import type { ViewPhase } from '../../common/session';

export type { ViewPhase };

const SIGN_IN_HOSTS = new Set(['login.microsoftonline.com', 'login.microsoft.com', 'login.live.com']);
const MY_SIGN_INS_HOSTS = new Set(['mysignins.microsoft.com']);
/** The registration page: login.microsoft.com/<tenant, common or consumers>/fido/create. */
const FIDO_CREATE = /^\/[^/]+\/fido\/create\/?$/i;
/** The registration interrupt's wizard on My Security Info's host. */
const INTERRUPT = /^\/register\/?$/i;

/** The phases in which the user has signed in. */
export const SIGNED_IN_PHASES: ReadonlySet<ViewPhase> = new Set(['signed-in', 'registration-interrupt', 'registering', 'naming-key', 'done']);

/** Classifies a stream of navigations of one view (it remembers which hops it has seen). */
export class ViewProgress {
  #sawSignInHost: boolean;
  #sawCeremony = false;
  /** The page the view came back to from the ceremony (origin and path), where the key is named. */
  #namingAt: string | null = null;
  #leftNaming = false;

  /** `signedIn`: the sign-in was already seen (a watch for the key only, started after it). */
  constructor(options: { signedIn?: boolean } = {}) {
    this.#sawSignInHost = options.signedIn ?? false;
  }

  /**
   * Whether the last navigation went from the naming page to another My Security Info page. Microsoft's steps: back
   * on Security info, "type a name … and then select Next. Your security key is registered …", then "Done", and
   * "the Security info page is updated" (Microsoft Learn, "Set up a security key as your verification method",
   * steps 8–9). So the key exists at Microsoft once the person leaves the naming page; the guide still shows
   * "name the key" (the phase stays `naming-key`) until Graph confirms it.
   */
  get leftNaming(): boolean {
    return this.#leftNaming;
  }

  phaseOf(navigation: { url: string }): ViewPhase {
    this.#leftNaming = false;
    let url: URL;
    try {
      url = new URL(navigation.url);
    } catch {
      return 'unknown';
    }
    if (url.protocol !== 'https:') return 'unknown';
    const host = url.hostname.toLowerCase();
    if (SIGN_IN_HOSTS.has(host)) {
      if (/\/logout(\/|$)/i.test(url.pathname)) return 'signed-out';
      if (host === 'login.microsoft.com' && FIDO_CREATE.test(url.pathname) && this.#sawSignInHost) {
        this.#sawCeremony = true;
        this.#namingAt = null;
        return 'registering';
      }
      this.#sawSignInHost = true;
      this.#sawCeremony = false;
      this.#namingAt = null;
      return 'signing-in';
    }
    if (MY_SIGN_INS_HOSTS.has(host)) {
      if (!this.#sawSignInHost) return 'unknown';
      if (INTERRUPT.test(url.pathname) && !this.#sawCeremony) return 'registration-interrupt';
      if (!this.#sawCeremony) return 'signed-in';
      const page = `${host}${url.pathname.replace(/\/+$/, '')}`;
      this.#namingAt ??= page;
      this.#leftNaming = page !== this.#namingAt;
      return 'naming-key';
    }
    return 'unknown';
  }
}
