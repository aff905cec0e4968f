/**
 * What the station chart (machine.ts) remembers and hears: its context, its events, and the small pure helpers
 * over them (the empty person, the initial context, the pre-flight recomputation, the live TAP's deadline).
 * No I/O, no XState.
 */
import type { IdentityCard, PolicyRead, QueryKind, SecurityKeyMethod, TapMethod, TapPolicy, UserSummary } from '../../common/directory';
import type { OperatorIdentity } from '../../common/operator';
import type { IssueNotice, JournalHealthCode } from '../../common/codes';
import type { CleanupReport, IdDocument, SessionError } from '../../common/session';
import type { Fido2KeyPolicy } from '../keys/readiness';
import type { KeyWatcherState } from '../keys/watcher';
import type { ViewPhase } from '../tap/view-progress';
import type { IssueWait, LifecyclePort, Registration, SignInObserved, UserRef } from './lifecycle';
import type { AuditPort, ClockPort, DirectoryPort, EventPort, KeysPort, OperatorPort, SecurityInfoViewPort } from './ports';
import type { ClaimResult } from '../event';
import { runPreflight, type PolicyTargets, type PreflightResult } from './preflight';
import { BOTH_MODES, type EventModes, type ModeConfig } from './modes';
import { EMPTY_PROVISION, type DeskProvisionStep, type PinSlot, type ProvisionContext, type ProvisionPort } from './provision';
import type { EnrollmentMode } from '../../common/session';
import { EMPTY_RECYCLE, type DeskRecycleStage, type RecycleContext, type RecyclePort } from './recycle';

export interface StationChoices {
  tapLifetimeMinutes?: number | undefined;
  tapOneTime: boolean;
  idleLockMinutes: number;
  mySecurityInfoUrl: string;
  /** Which ways of enrolling are on (config `enrollmentModes`); default: both, My Security Info preselected. */
  modes?: ModeConfig;
}

export interface MachineDeps {
  operator: OperatorPort;
  directory: DirectoryPort;
  keys: KeysPort;
  view: SecurityInfoViewPort;
  audit: AuditPort;
  lifecycle: LifecyclePort;
  clock: ClockPort;
  station: StationChoices;
  newId(): string;
  /** The passkey made at the desk (absent: the station offers My Security Info only) and where its PIN waits. */
  provision?: ProvisionPort;
  pins?: PinSlot;
  /** Event mode; absent: never (the station without an event). */
  event?: EventPort | undefined;
  /** Resetting a returned key at the desk (absent: the station does not offer it). */
  recycle?: RecyclePort;
  /** The language the kiosk shows now (`setLanguage`); My Security Info opens in it. Default English. */
  language?: () => 'en' | 'de';
}

/** Why an enrollment is being wound up; decides the TAP deletion reason, the wipe reason and the next screen. */
/**
 * Why an enrollment is wound up. `done-then-idle`: the idle lock came after the passkey was made (the operator's
 * random PIN still on screen): recorded as completed (an event's claim goes back as done), and the station locks.
 */
export type CleanupWhy =
  'completed' | 'done-then-idle' | 'cancelled' | 'window-expired' | 'lifetime-expired' | 'failed' | 'signed-out' | 'locked' | 'idle' | 'quit';

export interface LiveTap {
  intentId: string;
  method: TapMethod;
  /** Epoch ms when the pass stops working. */
  expiresAt: number;
  /** The station key's AAGUID when the pass was issued, to match the registration against. */
  aaguid: string | null;
  /** What the operator is told about how the pass was issued (tap/issuer.ts), shown with the pass. */
  notices: IssueNotice[];
}

export interface LostKeyState {
  keys: SecurityKeyMethod[];
  selected: string[];
  deleted: string[];
  revoked: boolean;
  error: SessionError | null;
}

export interface SessionContext {
  operator: OperatorIdentity | null;
  keys: KeyWatcherState;
  /** The audit journal's health (its probe at pre-flight, then every write's outcome): anything else than ok blocks. */
  journal: JournalHealthCode;
  signInReason: 'start' | 'unlock' | 'token-revoked';
  /** Who locked the station (or was locked out when idle): unlocking opens the sign-in page at their user name. */
  lockedBy: { upn: string; displayName: string } | null;
  query: string;
  queryKind: QueryKind | null;
  results: UserSummary[];
  selectedUserId: string | null;
  enrollmentId: string | null;
  card: IdentityCard | null;
  document: IdDocument | null;
  tapPolicy: PolicyRead<TapPolicy> | null;
  /** identity.checked is in the journal (it is not written while the journal is broken; the next check writes it). */
  identityRecorded: boolean;
  fido2Policy: PolicyRead<Fido2KeyPolicy & PolicyTargets> | null;
  chosenLifetime: number | undefined;
  preflight: PreflightResult | null;
  /** Event mode: the person's claim (made when they were opened); null outside event mode. */
  claim: ClaimResult | null;
  /** Event mode: the modes the event allows, read with the claim; null outside event mode (the station's alone). */
  eventModes: EventModes;
  tap: LiveTap | null;
  /**
   * The pass: set when issued; kept for the person's panel after the hand-over until My Security Info moves past its
   * pass prompt, the person signs in, or the operator hides it; dropped then. Never anywhere else.
   */
  pass: string | null;
  handoverEndsAt: number | null;
  signedInAt: number | null;
  signedInVia: SignInObserved['via'] | null;
  windowEndsAt: number | null;
  /** The latest sign-in after the first, seen in the view's hops (freshness.ts: five new minutes to register). */
  freshSignInAt: number | null;
  /** How far the user is in My Security Info, from the view's navigations between Microsoft's hosts (null: none recognised yet). */
  viewPhase: ViewPhase | null;
  registered: Registration | null;
  cancelRequested: boolean;
  /** The station is quitting: finish this cleanup, then quit. */
  quitRequested: boolean;
  /** The operator confirmed replacing the TAP the user already holds. */
  replaceConfirmed: boolean;
  /** While issuing: the issuer waits for an account created minutes ago (tap/issuer.ts step 7). */
  issueWait: IssueWait | null;
  error: SessionError | null;
  why: CleanupWhy;
  cleanup: CleanupReport | null;
  lost: LostKeyState;
  pendingDeletions: number;
  nextAt: number | null;
  /** The modes this station offers (its configuration, and whether it can make keys at all). */
  modes: ModeConfig;
  provision: ProvisionContext;
  /** Resetting a returned key (recycle-state.ts); no person involved. */
  recycle: RecycleContext;
  /** This station can reset returned keys (it has a RecyclePort). */
  recycleOffered: boolean;
}

export type SessionEvent =
  | { type: 'SIGN_IN' }
  | { type: 'SEARCH'; query: string }
  | { type: 'SELECT_USER'; id: string }
  | { type: 'BACK_TO_SEARCH' }
  | { type: 'CONFIRM_IDENTITY'; document: IdDocument }
  | { type: 'CHOOSE_LIFETIME'; minutes: number }
  | { type: 'RECHECK' }
  | { type: 'ISSUE' }
  | { type: 'ISSUE_WAIT'; wait: IssueWait | null }
  | { type: 'CONFIRM_REPLACE' }
  | { type: 'HANDED_OVER' }
  | { type: 'HIDE_PASS' }
  | { type: 'CANCEL' }
  | { type: 'LOST_KEY' }
  | { type: 'DELETE_KEYS'; ids: string[] }
  | { type: 'CONFIRM_DELETE_KEYS' }
  | { type: 'REVOKE_SESSIONS' }
  | { type: 'CONTINUE' }
  | { type: 'SIGN_OUT' }
  | { type: 'LOCK' }
  | { type: 'UNLOCK' }
  | { type: 'DISMISS' }
  | { type: 'QUIT' }
  /** Internal: the key reader changed. */
  | { type: 'KEYS'; state: KeyWatcherState }
  /** Internal: the audit journal's health changed (a write or a probe). */
  | { type: 'JOURNAL'; health: JournalHealthCode }
  /** Internal: any operator command (resets the idle lock). */
  | { type: 'ACTIVITY' }
  /** Internal: the idle lock fired. */
  | { type: 'IDLE' }
  /** Internal: the My Security Info page reported a step. */
  | { type: 'VIEW'; phase: ViewPhase }
  /** Internal: the deletion queue changed. */
  | { type: 'PENDING_DELETIONS'; count: number }
  | { type: 'CHOOSE_MODE'; mode: EnrollmentMode }
  /** The PIN is in the session's PinSlot (never in an event). */
  | { type: 'PIN_SUBMITTED' }
  /** The operator asked for a random PIN (a key without one, for someone not present). */
  | { type: 'RANDOM_PIN' }
  /** The operator has noted the random PIN shown once. */
  | { type: 'PIN_NOTED' }
  /** Internal: the passkey made at the desk reached a step (`touch`: live from the key's keepalive). */
  | { type: 'PROVISION_STEP'; step: DeskProvisionStep }
  | { type: 'RECYCLE_KEY' }
  | { type: 'CONFIRM_RECYCLE' }
  /** Internal: the key being reset reached a stage (unplug, plug back in, touch). */
  | { type: 'RECYCLE_STAGE'; stage: DeskRecycleStage };

export const EMPTY_LOST: LostKeyState = { keys: [], selected: [], deleted: [], revoked: false, error: null };

export const NO_KEYS: KeyWatcherState = { reader: { status: 'starting' }, mode: 'polling', presence: 'none', keys: [] };

export const userRef = (card: IdentityCard): UserRef => ({ id: card.id, upn: card.userPrincipalName });
export const operatorRef = (o: OperatorIdentity) => ({ id: o.id, upn: o.userPrincipalName });

/** Forget everything about the person served; keep the operator and the key reader. */
export const forgetPerson = {
  query: '',
  queryKind: null,
  results: [],
  selectedUserId: null,
  enrollmentId: null,
  card: null,
  document: null,
  tapPolicy: null,
  identityRecorded: false,
  fido2Policy: null,
  chosenLifetime: undefined,
  preflight: null,
  claim: null,
  eventModes: null,
  tap: null,
  pass: null,
  handoverEndsAt: null,
  signedInAt: null,
  signedInVia: null,
  windowEndsAt: null,
  freshSignInAt: null,
  viewPhase: null,
  registered: null,
  cancelRequested: false,
  replaceConfirmed: false,
  issueWait: null,
  error: null,
  cleanup: null,
  lost: EMPTY_LOST,
  nextAt: null,
  provision: EMPTY_PROVISION,
} satisfies Partial<SessionContext>;

/** The initial context; the session passes the key reader's state at start. */
export function initialContext(keys: KeyWatcherState = NO_KEYS, modes: ModeConfig = BOTH_MODES, recycleOffered = false): SessionContext {
  return {
    ...forgetPerson,
    modes,
    operator: null,
    lockedBy: null,
    keys,
    journal: 'ok',
    signInReason: 'start',
    quitRequested: false,
    why: 'cancelled',
    pendingDeletions: 0,
    recycle: EMPTY_RECYCLE,
    recycleOffered,
  };
}

/** The pre-flight checks for the context with `patch` applied; null until the card and both policies are read. */
export function recomputePreflight(station: StationChoices, ctx: SessionContext, patch: Partial<SessionContext> = {}): PreflightResult | null {
  const c = { ...ctx, ...patch };
  if (!c.card || !c.operator || !c.tapPolicy || !c.fido2Policy) return null;
  return runPreflight({
    card: c.card,
    operator: c.operator,
    tapPolicy: c.tapPolicy,
    fido2Policy: c.fido2Policy,
    station: { tapLifetimeMinutes: station.tapLifetimeMinutes, tapOneTime: station.tapOneTime },
    chosenLifetimeMinutes: c.chosenLifetime,
    keys: c.keys,
    journal: c.journal,
    claim: c.claim,
  });
}

/** The deadline is counted on the station's clock from the answer (a little after Microsoft's start), so
 *  every countdown runs on one clock; Microsoft enforces its own expiry regardless. */
export function liveTap(output: { intentId: string; tap: TapMethod; notices?: IssueNotice[] }, context: SessionContext, now: number): LiveTap {
  return {
    intentId: output.intentId,
    method: output.tap,
    expiresAt: now + output.tap.lifetimeInMinutes * 60_000,
    aaguid: context.preflight?.key.aaguid ?? null,
    notices: output.notices ?? [],
  };
}

/** A value the chart guarantees in this state (the person's card once chosen, …); throws inside the actor if it
 *  is missing, so a broken invariant ends in the actor's error route, not in a request with `undefined`. */
export function need<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`the session has no ${what} here`);
  return value;
}
