// The operator session's failures, as types the UI can branch on (`instanceof` or `code`). Messages are written
// for the operator's screen and the audit trail: they never carry a token, an authorization code, a PKCE
// verifier or the redirect URL (which holds the code).

export type OperatorErrorCode = 'cancelled' | 'sign-in-required' | 'sign-in-failed' | 'unreachable';

export abstract class OperatorError extends Error {
  abstract readonly code: OperatorErrorCode;
}

/** The operator closed the sign-in page, or the sign-in was aborted (signal, sign-out, lock). Not a fault. */
export class OperatorSignInCancelled extends OperatorError {
  readonly code = 'cancelled';
  override readonly name = 'OperatorSignInCancelled';
  constructor(message = 'Sign-in was cancelled.') {
    super(message);
  }
}

/**
 * No token can be had without the operator signing in (again):
 * - `signed-out`: nobody is signed in (never was, signed out, or the station locked);
 * - `session-ended`: the identity provider no longer accepts the operator's session (sessions revoked,
 *   refresh token expired, account disabled, password changed). The station has already dropped the account.
 */
export class OperatorSignInRequired extends OperatorError {
  readonly code = 'sign-in-required';
  override readonly name = 'OperatorSignInRequired';
  constructor(
    readonly reason: 'signed-out' | 'session-ended',
    message = reason === 'signed-out' ? 'No operator is signed in.' : 'The operator’s session has ended. Please sign in again.',
  ) {
    super(message);
  }
}

export type SignInFailure =
  /** The identity provider answered the sign-in with `error=…` (e.g. access_denied), or refused the code. */
  | 'refused'
  /** The page came back with a `state` that is not the one this sign-in sent: not our response. */
  | 'state-mismatch'
  /** The presenter handed back something that is not a redirect to our redirect URI with a code or an error. */
  | 'invalid-redirect'
  /** Another sign-in is already showing its page. */
  | 'busy'
  /** The sign-in page could not be shown (the presenter failed). */
  | 'presenter';

/** Sign-in did not produce an operator, for a reason the station can name. */
export class OperatorSignInFailed extends OperatorError {
  readonly code = 'sign-in-failed';
  override readonly name = 'OperatorSignInFailed';
  constructor(
    readonly reason: SignInFailure,
    message: string,
    /** The OAuth error code (`access_denied`, `invalid_grant`, …) when the identity provider sent one. */
    readonly oauthError?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The identity provider could not be reached or did not answer properly (DNS, TLS, connection reset, timeout,
 * 5xx, an unusable discovery document). Transient: nothing was dropped; trying again later may work.
 */
export class IdentityProviderUnreachable extends OperatorError {
  readonly code = 'unreachable';
  override readonly name = 'IdentityProviderUnreachable';
  constructor(
    /** host[:port] of the authority. */
    readonly host: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`The sign-in service (${host}) cannot be reached: ${detail}`, options);
  }
}

const CODE_BY_NAME: Readonly<Record<string, OperatorErrorCode>> = {
  OperatorSignInCancelled: 'cancelled',
  OperatorSignInRequired: 'sign-in-required',
  OperatorSignInFailed: 'sign-in-failed',
  IdentityProviderUnreachable: 'unreachable',
};

/**
 * The operator error behind `e`, by code: the error itself, or one thrown by `getAccessToken` inside the Graph
 * client, which re-wraps it as a GraphError with `statusCode` -1 and `code` set to the error's name (the
 * original object is not kept). So the directory gateway can tell "sign in again" from a network failure.
 */
export function operatorErrorCodeOf(e: unknown): OperatorErrorCode | null {
  if (e instanceof OperatorError) return e.code;
  if (typeof e !== 'object' || e === null) return null;
  const { statusCode, code } = e as { statusCode?: unknown; code?: unknown };
  if (statusCode !== -1 || typeof code !== 'string') return null;
  return CODE_BY_NAME[code] ?? null;
}
