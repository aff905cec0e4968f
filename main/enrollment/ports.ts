// The enrollment session's view of the world: every service it calls, as an interface. The session wires the
// real services (operator/, directory/, keys/, audit/, kiosk/) to these in main/index.ts and the web harness;
// tests pass fakes or the real services against the emulator. Nothing here does I/O of its own.
import type { DirectoryGateway } from '../directory/gateway';
import type { OperatorIdentity } from '../../common/operator';
import type { EnrollmentMode } from '../../common/session';
import type { ClaimResult, ReleaseReason } from '../event';
import type { AuditPort, ClockPort, KeysPort, SecurityInfoViewPort, TapDirectoryPort } from '../tap/ports';

export type { AuditPort, ClockPort, KeysPort, SecurityInfoViewPort, TapDirectoryPort };
/** Microsoft Graph, through the one typed gateway (directory/gateway.ts). */
export type DirectoryPort = DirectoryGateway;

/**
 * Event mode (main/event/): the person's claim in the claim group, made when they are opened and released on every
 * way out. `active()` false (not configured, or the operator's token lacks the permission): no claim, no check.
 */
export interface EventPort {
  active(): boolean;
  /** The modes the event allows (its configuration's `modes`), on top of the station's `enrollmentModes`. */
  modes(): readonly EnrollmentMode[];
  claim(operator: { id: string; upn: string }, user: { id: string; upn: string }): Promise<ClaimResult>;
  /** False: Graph did not answer; the station keeps trying (and crash recovery at the next start). */
  release(claimId: string, reason: ReleaseReason): Promise<boolean>;
}

/** The operator's MSAL session. */
export interface OperatorPort {
  /**
   * Interactive sign-in (auth code + PKCE through the injected sign-in page). `loginHint`: the user name the page
   * opens with (unlock: the operator who locked), so they give only their credential. OAuth `login_hint` "can be
   * used to pre-fill the username/email address field of the sign-in page" (Microsoft identity platform, auth code
   * flow: learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow); `prompt=login` still asks for it.
   */
  signIn(signal?: AbortSignal, options?: { loginHint?: string }): Promise<OperatorIdentity>;
  /** The signed-in operator, or null. */
  current(): OperatorIdentity | null;
  /** Drops every token (idle lock, sign-out, quit). */
  signOut(): Promise<void>;
}
