// "Show this sign-in page": the one thing the operator session cannot do in plain Node. The kiosk implements it
// with a child window (main/kiosk/), the tests with a Chromium page; the session does everything else.
import { OperatorSignInFailed } from './errors';

/**
 * Shows the identity provider's sign-in page and reports where it sent the browser back.
 *
 * Contract:
 * - Load `url` in a browser surface the operator can type into. Use a fresh, non-persistent session (an
 *   in-memory partition) for every call: the session also sends `prompt=login`, so a cookie left behind
 *   cannot sign the next operator in, but nothing should rely on that alone.
 * - Let the page navigate freely within the identity provider (wrong passwords re-render the page, MFA steps,
 *   etc.). Do NOT load `redirectUri`: intercept the first navigation or redirect whose URL starts with
 *   `redirectUri` (same scheme, host, port and path; the port may differ on loopback), cancel it, close the
 *   surface, and resolve with that full URL. It carries `code` and `state`, or `error`, `error_description`
 *   and `state`, in the query (`response_mode=query`). Nothing listens on `redirectUri`; no server is needed.
 * - When the operator closes the surface, close it and reject with an error whose `code` is `'cancelled'`
 *   (an `OperatorSignInCancelled`, or kiosk/'s `SignInWindowClosed`) or an `AbortError`: the session reports
 *   OperatorSignInCancelled. Any other rejection means the page could not be shown
 *   (OperatorSignInFailed `presenter`). When `signal` aborts, close the surface and reject with anything: the
 *   session has already reported the cancel.
 * - Never log `url`'s redirect (it holds a one-time authorization code) and never keep it after resolving.
 */
export type SignInPresenter = (request: { url: string; redirectUri: string; signal: AbortSignal }) => Promise<string>;

/** What the page came back with, once checked. */
export type SignInRedirect =
  { kind: 'code'; code: string; state: string; clientInfo?: string } | { kind: 'error'; error: string; description: string; state: string | null };

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function samePlace(a: URL, b: URL): boolean {
  if (a.protocol !== b.protocol || a.hostname.toLowerCase() !== b.hostname.toLowerCase()) return false;
  // Entra ignores the port of a loopback redirect URI (RFC 8252 7.3); elsewhere it must match.
  if (a.port !== b.port && !LOOPBACK.has(a.hostname.toLowerCase())) return false;
  const path = (u: URL) => u.pathname.replace(/\/+$/, '') || '/';
  return path(a) === path(b);
}

/**
 * Checks the presenter's URL: our redirect URI, our `state`, and either a code or an error. Throws
 * OperatorSignInFailed (`invalid-redirect`, `state-mismatch`) otherwise. The URL never goes into a message.
 */
export function readSignInRedirect(returned: string, redirectUri: string, expectedState: string): SignInRedirect {
  let url: URL;
  try {
    url = new URL(returned);
  } catch {
    throw new OperatorSignInFailed('invalid-redirect', 'The sign-in page returned something that is not a URL.');
  }
  if (!samePlace(url, new URL(redirectUri))) {
    throw new OperatorSignInFailed('invalid-redirect', 'The sign-in page returned to an address that is not this station’s redirect URI.');
  }
  // response_mode=query; a fragment response would mean someone else built the request.
  const params = url.searchParams;
  const one = (name: string): string | null => {
    const all = params.getAll(name);
    if (all.length > 1) throw new OperatorSignInFailed('invalid-redirect', `The sign-in response repeats "${name}".`);
    return all[0] ?? null;
  };
  const state = one('state');
  const error = one('error');
  if (error !== null) {
    // Errors are checked against the state too when there is one; a missing state is possible for errors
    // the identity provider raises before it has read the request properly.
    if (state !== null && state !== expectedState) {
      throw new OperatorSignInFailed('state-mismatch', 'The sign-in response does not belong to this sign-in (state mismatch).');
    }
    return { kind: 'error', error: error.slice(0, 100), description: (one('error_description') ?? '').slice(0, 500), state };
  }
  const code = one('code');
  if (code === null || code === '') {
    throw new OperatorSignInFailed('invalid-redirect', 'The sign-in response carries neither an authorization code nor an error.');
  }
  if (state !== expectedState) {
    throw new OperatorSignInFailed('state-mismatch', 'The sign-in response does not belong to this sign-in (state mismatch).');
  }
  const clientInfo = one('client_info');
  return { kind: 'code', code, state, ...(clientInfo ? { clientInfo } : {}) };
}
