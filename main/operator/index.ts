// The operator's session: sign-in (MSAL, auth code + PKCE through an injected page), tokens in memory only,
// roles and what they allow, idle lock. Plain Node.
export { OperatorSession, DEFAULT_REDIRECT_URI } from './session';
export { OPERATOR_PERMISSIONS } from './permissions';
export type { OperatorSessionOptions, OperatorChange, HeldTokens, RoleClientFactory } from './session';
export type { SignInPresenter, SignInRedirect } from './presenter';
export { readSignInRedirect } from './presenter';
export { IdleLock, lockWhenIdle } from './idle-lock';
export type { IdleLockOptions, IdleLockTimers, LockableSession } from './idle-lock';
export {
  OperatorError,
  OperatorSignInCancelled,
  OperatorSignInRequired,
  OperatorSignInFailed,
  IdentityProviderUnreachable,
  operatorErrorCodeOf,
} from './errors';
export type { OperatorErrorCode, SignInFailure } from './errors';
export { capabilityOf, mayReadPoliciesWith, roleDisplayName, RoleTemplate, BUILT_IN_ROLE_NAMES } from './roles';
export { MsalNetworkClient } from './network-client';
export type { OperatorIdentity, OperatorCapability } from '../../common/operator';
