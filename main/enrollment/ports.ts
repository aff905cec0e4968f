// The enrollment session's view of the world: every service it calls, as an interface. The session wires the
// real services (operator/, directory/, keys/, audit/, kiosk/) to these in main/index.ts and the web harness;
// tests pass fakes or the real services against the emulator. Nothing here does I/O of its own.
import type { AuditEvent, AuditRecord } from '../audit';
import type {
  Fido2Policy,
  IdentityCard,
  IssuedTap,
  PolicyRead,
  SecurityKeyMethod,
  TapMethod,
  TapPolicy,
  UserSummary,
} from '../directory/types';
import type { KeyWatcherState } from '../keys/watcher';
import type { OperatorIdentity } from '../operator/types';

/** The operator's MSAL session. */
export interface OperatorPort {
  /** Interactive sign-in (auth code + PKCE through the injected sign-in page). */
  signIn(signal?: AbortSignal): Promise<OperatorIdentity>;
  /** The signed-in operator, or null. */
  current(): OperatorIdentity | null;
  /** Drops every token (idle lock, sign-out, quit). */
  signOut(): Promise<void>;
}

/** Microsoft Graph, through one typed gateway; every failure is a `DirectoryError` (directory/errors.ts). */
export interface DirectoryPort {
  searchUsers(input: string, signal?: AbortSignal): Promise<{ kind: QueryKind; users: UserSummary[] }>;
  identityCard(userId: string, signal?: AbortSignal): Promise<IdentityCard>;
  tapPolicy(signal?: AbortSignal): Promise<PolicyRead<TapPolicy>>;
  fido2Policy(signal?: AbortSignal): Promise<PolicyRead<Fido2Policy>>;
  createTap(userId: string, request: { lifetimeInMinutes: number; isUsableOnce: boolean }, signal?: AbortSignal): Promise<IssuedTap>;
  listTaps(userId: string, signal?: AbortSignal): Promise<TapMethod[]>;
  getTap(userId: string, tapId: string, signal?: AbortSignal): Promise<TapMethod | null>;
  /** Resolves when the TAP is gone, including when Graph says it was already gone (404). */
  deleteTap(userId: string, tapId: string, signal?: AbortSignal): Promise<{ requestId: string | null }>;
  listSecurityKeys(userId: string, signal?: AbortSignal): Promise<SecurityKeyMethod[]>;
  deleteSecurityKey(userId: string, methodId: string, signal?: AbortSignal): Promise<{ requestId: string | null }>;
  revokeSignInSessions(userId: string, signal?: AbortSignal): Promise<{ requestId: string | null }>;
}

export type QueryKind = 'upn' | 'mail' | 'display-name' | 'employee-id' | 'badge';

/** The FIDO2 key reader (keys/watcher.ts). */
export interface KeysPort {
  state(): KeyWatcherState;
  /** Subscribes to every change; returns the unsubscribe function. */
  onChange(listener: (state: KeyWatcherState) => void): () => void;
  /** Blinks the key so the user knows which one to touch (CTAPHID WINK); false when it cannot. */
  wink(keyId: string): Promise<boolean>;
}

/** The append-only journal (audit/journal.ts): resolves only once the record is on disk. */
export interface AuditPort {
  append(event: AuditEvent): Promise<AuditRecord>;
}

/** Where the user signs in to My Security Info: a sandboxed view (Electron) or a browser page (harness, tests). */
export interface SecurityInfoViewPort {
  /** Opens a fresh, empty browser session (no cookies, no storage) at the URL. */
  open(url: string): Promise<void>;
  /** Every top-level navigation, with the page's step marker where the page has one. */
  onNavigation(listener: (navigation: { url: string; step: string | null }) => void): () => void;
  /** Closes the view and wipes its session: storage, cache, auth cache. */
  wipe(): Promise<void>;
}

/** Time, injectable so tests can move it. */
export interface ClockPort {
  now(): number;
}
