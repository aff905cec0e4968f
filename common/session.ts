/**
 * What the renderer renders (`SessionSnapshot`, one discriminated union by `screen`) and what it may send
 * (`SessionCommand`, one zod schema: the IPC layer validates every incoming message with it).
 *
 * Free of Node types and of XState: the renderer and preload import this file. The pure mapping from the
 * machine's state to a snapshot is `toSnapshot` in main/enrollment/snapshot.ts. No words: every message is a
 * code with typed parameters (./codes.ts), worded by the renderer's locale files.
 *
 * The pass: the `handover` screen carries it, and then `waiting-for-sign-in` (the person's panel, beside My Security
 * Info) until the page has moved past its pass prompt (`passPromptPassed`), the person has signed in, or the operator
 * hides it (`hidePass`). No other screen, no error, no audit record ever holds it.
 */
import { z } from 'zod';
// Type imports only from files that are themselves free of Node types (the renderer type-checks this graph).
import type {
  CheckStatus,
  FreshSignInCode,
  InterruptCode,
  IssueNotice,
  IssuingWaitCode,
  KeyWarningCode,
  NextActionCode,
  PreflightCheck,
  ReadinessReason,
  SESSION_ERRORS,
} from './codes';
import type { Coded } from './coded';
import type { ModeReasonCode, ProvisionError, RecycleOutcome } from './provision-codes';
import type { IdentityCard, SecurityKeyMethod, UserSummary } from './directory';

export type { CheckStatus, PreflightCheck, PreflightCode } from './codes';

/** keys/readiness.ts's verdict and reasons, restated here so the renderer's type graph stays free of Node. */
export type ReadinessVerdictView = 'ready' | 'ready-with-note' | 'will-be-refused' | 'unknown';
export interface ReadinessView {
  readonly verdict: ReadinessVerdictView;
  readonly reasons: readonly ReadinessReason[];
}

/** What the station knows of the key at the desk, for the screen (model, PIN state, verdict). */
export interface KeyStatus {
  readonly presence: 'none' | 'one' | 'multiple' | 'reader-unavailable';
  readonly keyId: string | null;
  readonly model: string | null;
  readonly vendor: string | null;
  readonly aaguid: string | null;
  readonly pin: 'set' | 'not-set' | 'built-in-verification' | 'none' | 'unknown';
  /** Why the key could not be read, when it could not: `access-denied` (Windows: FIDO HID needs administrator rights). */
  readonly unreadable?: 'access-denied' | 'other';
  /** null while nothing can be judged (no key, still reading). */
  readonly verdict: ReadinessVerdictView | null;
  readonly readiness: ReadinessView | null;
  /** Whether the key can blink (CTAPHID WINK). */
  readonly canWink: boolean;
}

export const ID_DOCUMENT_VALUES = ['passport', 'national-id', 'residence-permit', 'driving-licence', 'employee-badge', 'known-personally', 'other'] as const;
export type IdDocument = (typeof ID_DOCUMENT_VALUES)[number];

/** How long the pass stays on screen at most. */
export const HANDOVER_MS = 60_000;
/** How long "done" shows before the station is ready for the next person. */
export const DONE_MS = 5_000;
/** Microsoft's window for passwordless registration after a one-time TAP sign-in. */
export const REGISTRATION_WINDOW_MS = 10 * 60_000;
/**
 * The sign-in's freshness for registering: "Users must complete multifactor authentication (MFA) within the past
 * five minutes before they can register a passkey (FIDO2)." (Microsoft Learn, "How to enable passkeys (FIDO2) in
 * Microsoft Entra ID", https://learn.microsoft.com/en-us/entra/identity/authentication/how-to-authentication-passkeys-fido2).
 * The TAP sign-in is that MFA; afterwards the person signs in again (issue 10, 3f; main/enrollment/freshness.ts).
 */
export const FRESH_SIGN_IN_MS = 5 * 60_000;

const id = z.string().min(1).max(200);

/** How the person's key is registered: made here by the station ("Set up the key here"), or in My Security Info. */
export const ENROLLMENT_MODES = ['provision', 'security-info'] as const;
export type EnrollmentMode = (typeof ENROLLMENT_MODES)[number];
/** A PIN as it crosses from the renderer once per use: digits only, CTAP's 4 to 63. Never in a snapshot. */
export const PIN_DIGITS = { min: 4, max: 63 } as const;
const pinField = z.string().regex(new RegExp(`^[0-9]{${PIN_DIGITS.min},${PIN_DIGITS.max}}$`));

export const sessionCommandSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('signIn') }),
  z.strictObject({ type: z.literal('search'), query: z.string().max(256) }),
  z.strictObject({ type: z.literal('selectUser'), id }),
  z.strictObject({ type: z.literal('backToSearch') }),
  z.strictObject({ type: z.literal('confirmIdentity'), document: z.enum(ID_DOCUMENT_VALUES) }),
  z.strictObject({ type: z.literal('chooseLifetime'), minutes: z.int().min(10).max(43_200) }),
  z.strictObject({ type: z.literal('recheck') }),
  z.strictObject({ type: z.literal('issue') }),
  z.strictObject({ type: z.literal('confirmReplace') }),
  z.strictObject({ type: z.literal('handedOver') }),
  z.strictObject({ type: z.literal('hidePass') }),
  // Main types the person's user name (never the pass) into My Security Info's sign-in page: no value is sent.
  z.strictObject({ type: z.literal('fillUserName') }),
  z.strictObject({ type: z.literal('cancel') }),
  z.strictObject({ type: z.literal('lostKey') }),
  z.strictObject({ type: z.literal('deleteKeys'), ids: z.array(id).min(1).max(20) }),
  z.strictObject({ type: z.literal('confirmDeleteKeys') }),
  z.strictObject({ type: z.literal('revokeSessions') }),
  z.strictObject({ type: z.literal('continueEnrollment') }),
  z.strictObject({ type: z.literal('winkKey') }),
  /** The language the kiosk shows now (the operator's toggle): My Security Info opens in it, so the guide's quoted
   *  labels match the page. */
  z.strictObject({ type: z.literal('setLanguage'), language: z.enum(['en', 'de']) }),
  z.strictObject({ type: z.literal('signOut') }),
  z.strictObject({ type: z.literal('lock') }),
  z.strictObject({ type: z.literal('unlock') }),
  z.strictObject({ type: z.literal('dismiss') }),
  z.strictObject({ type: z.literal('chooseMode'), mode: z.enum(ENROLLMENT_MODES) }),
  /** `confirm`: the second entry of a PIN chosen for a key that has none. */
  z.strictObject({ type: z.literal('submitPin'), pin: pinField, confirm: pinField.optional() }),
  /** The operator, for a key without a PIN handed to someone not present: the station sets a random PIN. */
  z.strictObject({ type: z.literal('randomPin') }),
  /** The operator has noted the random PIN: it leaves the screen for good. */
  z.strictObject({ type: z.literal('pinNoted') }),
  /** From the ready screen: reset a returned key (asks for confirmation first). */
  z.strictObject({ type: z.literal('recycleKey') }),
  /** The operator confirmed erasing the key. */
  z.strictObject({ type: z.literal('confirmRecycle') }),
]);
export type SessionCommand = z.output<typeof sessionCommandSchema>;

export interface OperatorView {
  id: string;
  upn: string;
  displayName: string;
  roleNames: string[];
  capability: 'members-and-admins' | 'members-only' | 'none';
}

/** A failure as the operator sees it: a code with its parameters (common/codes.ts), the request id, the step. */
export type SessionError = Coded<typeof SESSION_ERRORS> & {
  /** Graph's request id, for the administrator's support ticket. */
  readonly requestId: string | null;
  /** The step that failed (search, card, policies, issue, sign-in, registration, lost-key, sign-in-operator). */
  readonly step: string;
};

export interface CleanupReport {
  /** 'deleted': gone at Microsoft; 'pending': the deletion is queued and retried; 'none': no pass existed. */
  tap: 'deleted' | 'pending' | 'none';
  viewWiped: boolean;
}

/** The step the person at the desk is on, for the guide panel beside My Security Info. */
export type GuideStep = 'take-pass' | 'sign-in' | 'add-key' | 'touch-key' | 'name-key' | 'done';

export interface Countdown {
  /** Epoch ms; the renderer counts down. */
  endsAt: number;
  /** `fresh-sign-in`: the five minutes after sign-in in which a key can be registered (`FRESH_SIGN_IN_MS`), when they end first. */
  kind: 'tap-lifetime' | 'registration-window' | 'handover' | 'next-attempt' | 'retry-ends' | 'fresh-sign-in';
}

/** One way of enrolling on the pre-flight screen: can it be chosen now, and if not, why. */
export interface ModeOption {
  readonly mode: EnrollmentMode;
  readonly available: boolean;
  readonly reason: ModeReasonCode | null;
}
export interface ModeChoice {
  readonly default: EnrollmentMode;
  readonly options: readonly ModeOption[];
}

/** Where the passkey made at the desk is (main/enrollment/provision-state.ts). */
export const PROVISION_PHASES = [
  'reading-key',
  'set-pin',
  'enter-pin',
  'checking-pin',
  'touch-key',
  // Windows without administrator rights (webauthn.dll): Windows' own dialog asks for the PIN (or has one chosen)
  // and the touch, and once more for the proof; the station shows no PIN pad.
  'windows-dialog',
  'windows-proof',
  'registering',
  'proving',
  'show-pin',
  'failed',
] as const;
export type ProvisionPhase = (typeof PROVISION_PHASES)[number];
/** Who asks for the key's PIN: the station's PIN pad (raw HID), or Windows' own dialog (webauthn.dll). */
export const PIN_BY = ['station', 'windows'] as const;
export type PinBy = (typeof PIN_BY)[number];
/** What the PIN pad needs: never the PIN, only its bounds and the tries left. */
export interface PinPad {
  /** A PIN is chosen here (the key has none): typed twice. */
  readonly isNew: boolean;
  readonly minLength: number;
  readonly maxLength: number;
  /** Tries left before the key locks (a key with a PIN), else null. */
  readonly retries: number | null;
}

/** Keys accept a reset only this long after being plugged in (CTAP 2.1 §6.6): the screen says so. */
export const RESET_WINDOW_S = 10;
/** Resetting a returned key: confirm, unplug it, plug it back in, touch it, the outcome. */
export const RECYCLE_STEPS = ['confirming', 'unplug', 'plug-in', 'touch', 'outcome'] as const;
export type RecycleStep = (typeof RECYCLE_STEPS)[number];

interface Base {
  operator: OperatorView | null;
  key: KeyStatus;
  /** Deletions still queued after a failed DELETE (retried until they succeed). */
  pendingDeletions: number;
}

interface WithUser extends Base {
  enrollmentId: string;
  user: IdentityCard;
}

export type SessionSnapshot =
  | (Base & { screen: 'signed-out'; error: SessionError | null })
  | (Base & { screen: 'signing-in'; reason: 'start' | 'unlock' | 'token-revoked'; error: SessionError | null })
  | (Base & {
      screen: 'locked';
      /** Who locked (or was locked out when idle): "Unlock" opens the sign-in page at their user name. */
      lockedBy: { upn: string; displayName: string } | null;
    })
  | (Base & {
      screen: 'ready';
      query: string;
      error: SessionError | null;
      /** The station offers "Reset a returned key" (absent: no). */
      canRecycle?: boolean;
    })
  | (Base & { screen: 'searching'; query: string })
  | (Base & { screen: 'search-results'; query: string; results: UserSummary[] })
  | (Base & { screen: 'loading-user'; userId: string })
  | (WithUser & { screen: 'identity'; documents: readonly IdDocument[] })
  | (WithUser & { screen: 'checking' })
  | (WithUser & {
      screen: 'preflight';
      document: IdDocument;
      checks: PreflightCheck[];
      verdict: 'go' | 'refused';
      worst: CheckStatus;
      lifetimeMinutes: number;
      lifetimeBounds: { min: number; max: number };
      oneTime: boolean;
      /** The ways of enrolling and whether each can be chosen (absent: only My Security Info, as before). */
      modes?: ModeChoice;
    })
  | (WithUser & { screen: 'confirm-replace'; existingTap: { id: string; createdDateTime: string; lifetimeInMinutes: number; isUsable: boolean } })
  | (WithUser & {
      screen: 'issuing';
      /** The station is waiting to try again (an account created minutes ago): why, and the countdowns to the next
       *  attempt and to giving up. null while a request is under way. */
      waiting: { code: IssuingWaitCode; countdowns: Countdown[] } | null;
    })
  | (WithUser & {
      screen: 'handover';
      pass: string;
      countdowns: Countdown[];
      guide: GuideStep;
      oneTime: boolean;
      lifetimeMinutes: number;
      /** What the operator must know about how the pass was issued (its lifetime fitted to the policy). */
      notices: IssueNotice[];
    })
  | (WithUser & {
      screen: 'waiting-for-sign-in';
      countdowns: Countdown[];
      guide: GuideStep;
      keyWarning: KeyWarningCode | null;
      /** The pass, for the person's panel while My Security Info asks for it; null once hidden. */
      pass: string | null;
      /** My Security Info has moved past its pass prompt (from the page's progress): the pass is hidden for good. */
      passPromptPassed: boolean;
      /** My Security Info is on Microsoft's sign-in page, where it asks for the user name: `fillUserName` may help. */
      signInPage: boolean;
    })
  | (WithUser & {
      screen: 'registering';
      countdowns: Countdown[];
      guide: GuideStep;
      keyWarning: KeyWarningCode | null;
      signedInAt: number;
      /** What to do once the `fresh-sign-in` countdown has run out (sign in again with this pass, or a new pass). */
      whenFreshEnds: FreshSignInCode;
      /** The view is on Microsoft's registration interrupt (mysignins.microsoft.com/register), else null. */
      interrupt: InterruptCode | null;
    })
  | (Base & { screen: 'cleaning-up'; enrollmentId: string | null; why: 'completed' | 'cancelled' | 'timed-out' | 'failed' | 'signed-out' | 'locked' })
  | (Base & {
      screen: 'done';
      enrollmentId: string;
      userDisplayName: string;
      /** `displayName`: the name the person gave the key in My Security Info ("Adele desk key"), null if none. */
      registered: { methodId: string; displayName: string | null; model: string | null; aaguid: string | null; stationKey: boolean };
      cleanup: CleanupReport;
      nextAt: number;
      /** Made at the desk: the key proved it works (absent: registered in My Security Info). */
      proven?: boolean;
    })
  | (WithUser & {
      screen: 'provisioning';
      phase: ProvisionPhase;
      /** Set while the PIN pad is up (set-pin, enter-pin). */
      pinPad: PinPad | null;
      /** Who asks for the PIN once the key is read: `windows` — no pad, Windows' dialog (null while reading). */
      pinBy: PinBy | null;
      /** Why the last attempt failed: shown with the PIN pad (try again) or on its own (phase failed). */
      error: ProvisionError | null;
      model: string | null;
      /**
       * Phase `show-pin` only: the random PIN the station set for someone not present, shown once until the operator
       * sends `pinNoted`; no other snapshot, before or after, holds it. `changeForced`: the key demands a new PIN at
       * first use (false: the person must be told to change it).
       */
      operatorPin?: { pin: string; changeForced: boolean };
    })
  | (Base & { screen: 'recycle'; step: RecycleStep; outcome: RecycleOutcome | null; windowSeconds: number })
  | (Base & { screen: 'failed'; enrollmentId: string | null; error: SessionError; cleanup: CleanupReport; next: NextActionCode })
  | (Base & { screen: 'timed-out'; enrollmentId: string | null; which: 'tap-lifetime' | 'registration-window'; cleanup: CleanupReport; next: NextActionCode })
  | (Base & { screen: 'cancelled'; enrollmentId: string | null; cleanup: CleanupReport })
  | (WithUser & {
      screen: 'lost-key';
      step: 'loading' | 'choosing' | 'confirming' | 'deleting' | 'revoking';
      keys: SecurityKeyMethod[];
      selected: string[];
      deleted: string[];
      sessionsRevoked: boolean;
      error: SessionError | null;
    })
  | (Base & { screen: 'stopped' });

export type Screen = SessionSnapshot['screen'];

export type ViewPhase =
  | 'signing-in'
  | 'signed-in'
  /** Microsoft's registration interrupt after sign-in ("Keep your account secure", mysignins.microsoft.com/register). */
  | 'registration-interrupt'
  | 'registering'
  | 'naming-key'
  | 'done'
  | 'signed-out'
  | 'error'
  | 'unknown';
