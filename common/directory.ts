// What the directory gateway hands to the rest of the app: plain, validated data, never raw Graph JSON.
// The gateway (main/directory/gateway.ts and the files it is made of) validates every Graph response against schemas that produce these types.
import type { Fido2KeyPolicy, PasskeyTarget } from './keys';

/** How the search box's input was read. */
export type QueryKind = 'upn' | 'mail' | 'display-name' | 'employee-id' | 'badge';

/** One search hit. */
export interface UserSummary {
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail: string | null;
  department: string | null;
  jobTitle: string | null;
  employeeId: string | null;
}

export interface SecurityKeyMethod {
  id: string;
  displayName: string | null;
  aaGuid: string | null;
  /** Graph's `model`, or our own catalog's name when Graph has none. */
  model: string | null;
  createdDateTime: string | null;
  attestationLevel: 'attested' | 'notAttested' | null;
}

export type TapUsabilityReason = 'EnabledByPolicy' | 'DisabledByPolicy' | 'Expired' | 'NotYetValid' | 'OneTimeUsed';

/** A TAP as Graph reads it back: never the pass. */
export interface TapMethod {
  id: string;
  createdDateTime: string;
  startDateTime: string;
  lifetimeInMinutes: number;
  isUsableOnce: boolean;
  isUsable: boolean;
  methodUsabilityReason: TapUsabilityReason | string;
}

/** The one time the pass exists outside Microsoft: handed to the UI once, then dropped. */
export interface IssuedTap extends TapMethod {
  temporaryAccessPass: string;
  requestId: string | null;
}

/** Everything the operator needs to check the person at the desk and decide. */
export interface IdentityCard {
  id: string;
  userPrincipalName: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  employeeId: string | null;
  department: string | null;
  jobTitle: string | null;
  accountEnabled: boolean;
  /** When the account was created (Graph's createdDateTime), null when Graph did not say. */
  createdDateTime: string | null;
  /** `Member` or `Guest`; an external guest has a `#EXT#` UPN or `creationType` Invitation. */
  userType: 'Member' | 'Guest';
  isExternalGuest: boolean;
  /** data: URL of the photo, or null when the user has none (Graph answers 404). */
  photo: string | null;
  securityKeys: SecurityKeyMethod[];
  /** The TAP the user already holds, if any (at most one). */
  tap: TapMethod | null;
}

export interface TapPolicy {
  state: 'enabled' | 'disabled';
  defaultLifetimeInMinutes: number;
  defaultLength: number;
  minimumLifetimeInMinutes: number;
  maximumLifetimeInMinutes: number;
  isUsableOnce: boolean;
  includeTargets: { targetType: string; id: string }[];
  excludeTargets: { targetType: string; id: string }[];
}

/** The Fido2 (passkey) policy: what key readiness needs (keys/readiness.ts) plus whom it targets, for pre-flight.
 *  The gateway always fills the targets; they are optional so that a plain Fido2KeyPolicy (a test fake) still fits. */
export interface Fido2Policy extends Fido2KeyPolicy {
  readonly includeTargets?: readonly PasskeyTarget[];
  readonly excludeTargets?: readonly { readonly targetType: string; readonly id: string }[];
}

/** A policy the operator may or may not be allowed to read (Authentication Administrators alone get 403). */
export type PolicyRead<P> = { readable: true; policy: P } | { readable: false; reason: 'forbidden'; requestId: string | null };

/** The kinds of Graph failure the app branches on. One mapping place: directory/errors.ts. */
export type DirectoryErrorKind =
  | 'bad-input' // refused before it reached Graph (hostile or malformed search input)
  | 'not-found'
  | 'forbidden'
  | 'bad-request'
  | 'throttled' // 429 that outlived the retry budget
  | 'unavailable' // 5xx that outlived the retry budget
  | 'network' // no answer: connection dropped, DNS, TLS
  | 'timeout'
  | 'unauthenticated'; // the operator's token is gone or revoked: sign in again
