// What the identity provider's refusals and MSAL's failures become: the operator errors of errors.ts, worded for
// the operator's screen and the audit trail (never a token, a code, a verifier or the redirect URL).
//
// - At sign-in: a refusal is `OperatorSignInFailed('refused')` naming the reason; `temporarily_unavailable`,
//   `server_error`, a 5xx or 429 and a network failure are `IdentityProviderUnreachable` (`host`: the authority's).
// - Silently (a token refresh): a refusal means the session ended (`OperatorSignInRequired('session-ended')`); a
//   network failure is `IdentityProviderUnreachable` and keeps the account (it is transient).
import { AuthError, ClientAuthError, ClientAuthErrorCodes, InteractionRequiredAuthError, ServerError } from '@azure/msal-node';
import { IdentityProviderUnreachable, OperatorError, OperatorSignInFailed, OperatorSignInRequired } from './errors';

/** Where MSAL failed: the interactive sign-in, or a silent token request. */
export type Phase = 'sign-in' | 'silent';

const short = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max)}…` : text);
/** MSAL puts trace and correlation ids on following lines of its messages; the first line is the reason. */
const firstLine = (text: string) => short(text.split(/\r?\n/)[0] ?? '');

/** The presenter's way of saying "the operator closed the page": `code: 'cancelled'` or an AbortError. */
export function closedByOperator(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  return (e as { code?: unknown }).code === 'cancelled' || (e as { name?: unknown }).name === 'AbortError';
}

/** The `error=` of the sign-in page's redirect. */
export function redirectError(error: string, description: string, host: string): OperatorError {
  const reason = firstLine(description) || error;
  if (error === 'temporarily_unavailable' || error === 'server_error') return new IdentityProviderUnreachable(host, reason);
  return new OperatorSignInFailed('refused', `The identity provider refused the sign-in (${error}): ${reason}`, error);
}

/** Any failure of an MSAL call, in `phase`; an OperatorError as it is, anything not MSAL's as an Error. */
export function mapMsalError(e: unknown, phase: Phase, host: string): Error {
  if (e instanceof OperatorError) return e;
  if (!(e instanceof AuthError)) return e instanceof Error ? e : new Error(String(e));
  const detail = firstLine(e.errorMessage || e.errorCode);
  if (e instanceof InteractionRequiredAuthError) {
    return phase === 'silent'
      ? new OperatorSignInRequired('session-ended')
      : new OperatorSignInFailed('refused', `The identity provider refused the sign-in: ${detail}`, e.errorCode, { cause: e });
  }
  if (e instanceof ServerError) {
    const status = e.status ?? 0;
    if (status >= 500 || status === 429 || e.errorCode === 'temporarily_unavailable' || e.errorCode === 'server_error') {
      return new IdentityProviderUnreachable(host, detail, { cause: e });
    }
    return phase === 'silent'
      ? new OperatorSignInRequired('session-ended')
      : new OperatorSignInFailed('refused', `The identity provider refused the sign-in: ${detail}`, e.errorCode, { cause: e });
  }
  if (e instanceof ClientAuthError) {
    switch (e.errorCode) {
      case ClientAuthErrorCodes.networkError:
      case ClientAuthErrorCodes.endpointResolutionError:
      case ClientAuthErrorCodes.tokenParsingError:
        return new IdentityProviderUnreachable(host, detail, { cause: e });
      case ClientAuthErrorCodes.stateMismatch:
        return new OperatorSignInFailed('state-mismatch', 'The sign-in response does not belong to this sign-in (state mismatch).', undefined, { cause: e });
      default:
        break;
    }
  }
  // Any other MSAL failure: at sign-in the sign-in failed; silently, no token can be had without a new sign-in.
  return phase === 'silent'
    ? new OperatorSignInRequired('session-ended')
    : new OperatorSignInFailed('refused', `Sign-in failed: ${detail}`, e.errorCode, { cause: e });
}
