/**
 * What the renderer renders (`SessionSnapshot`, one discriminated union by `screen`) and what it may send
 * (`SessionCommand`, one zod schema: the IPC layer validates every incoming message with it).
 *
 * Free of Node types and of XState: the renderer and preload import this file. The pure mapping from the
 * machine's state to a snapshot is `toSnapshot` below (it reads the machine through `MachineView`).
 *
 * The pass: only the `handover` screen carries it, and only until the operator confirms "handed over" or
 * 60 s pass (HANDOVER_MS). No other screen, no error, no audit record ever holds it.
 */
import { z } from 'zod';
// Type imports only from files that are themselves free of Node types (the renderer type-checks this graph).
import type { IdentityCard, SecurityKeyMethod, UserSummary } from '../directory/types';
import type { OperatorIdentity } from '../operator/types';
import type { ViewPhase } from './view-progress';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'unknown';

export type PreflightCode =
  | 'account-enabled'
  | 'not-external-guest'
  | 'not-operator-self'
  | 'operator-may-act'
  | 'tap-policy-enabled'
  | 'tap-policy-targets-user'
  | 'lifetime-in-bounds'
  | 'one-time'
  | 'fido2-policy-enabled'
  | 'fido2-self-service'
  | 'fido2-policy-targets-user'
  | 'key-ready';

export interface PreflightCheck {
  readonly code: PreflightCode;
  readonly status: CheckStatus;
  /** English, for the operator. */
  readonly text: string;
  /** Values the text mentions, for translated templates. */
  readonly params: Readonly<Record<string, string | number>>;
}

/** keys/readiness.ts's verdict and reasons, restated here so the renderer's type graph stays free of Node. */
export type ReadinessVerdictView = 'ready' | 'ready-with-note' | 'will-be-refused' | 'unknown';
export interface ReadinessView {
  readonly verdict: ReadinessVerdictView;
  readonly reasons: readonly {
    readonly code: string;
    readonly severity: 'ok' | 'note' | 'blocker' | 'unknown';
    readonly text: string;
    readonly params?: Readonly<Record<string, string | number>> | undefined;
  }[];
}

/** What the station knows of the key at the desk, for the screen (model, PIN state, verdict). */
export interface KeyStatus {
  readonly presence: 'none' | 'one' | 'multiple' | 'reader-unavailable';
  readonly keyId: string | null;
  readonly model: string | null;
  readonly vendor: string | null;
  readonly aaguid: string | null;
  readonly pin: 'set' | 'not-set' | 'built-in-verification' | 'none' | 'unknown';
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

const id = z.string().min(1).max(200);

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
  z.strictObject({ type: z.literal('cancel') }),
  z.strictObject({ type: z.literal('lostKey') }),
  z.strictObject({ type: z.literal('deleteKeys'), ids: z.array(id).min(1).max(20) }),
  z.strictObject({ type: z.literal('confirmDeleteKeys') }),
  z.strictObject({ type: z.literal('revokeSessions') }),
  z.strictObject({ type: z.literal('continueEnrollment') }),
  z.strictObject({ type: z.literal('winkKey') }),
  z.strictObject({ type: z.literal('signOut') }),
  z.strictObject({ type: z.literal('lock') }),
  z.strictObject({ type: z.literal('unlock') }),
  z.strictObject({ type: z.literal('dismiss') }),
]);
export type SessionCommand = z.output<typeof sessionCommandSchema>;

export interface OperatorView {
  id: string;
  upn: string;
  displayName: string;
  roleNames: string[];
  capability: 'members-and-admins' | 'members-only' | 'none';
}

/** A failure as the operator sees it: what went wrong, what was cleaned up, what to do next. */
export interface SessionError {
  /** Stable code, e.g. `tap.forbidden`, `graph.unavailable`. */
  code: string;
  /** English, for the operator. */
  text: string;
  /** Graph's request id, for the administrator's support ticket. */
  requestId: string | null;
  /** The step that failed (search, card, policies, issue, sign-in, registration, lost-key, sign-in-operator). */
  step: string;
}

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
  kind: 'tap-lifetime' | 'registration-window' | 'handover';
}

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
  | (Base & { screen: 'locked' })
  | (Base & { screen: 'ready'; query: string; error: SessionError | null })
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
    })
  | (WithUser & { screen: 'confirm-replace'; existingTap: { id: string; createdDateTime: string; lifetimeInMinutes: number; isUsable: boolean } })
  | (WithUser & { screen: 'issuing' })
  | (WithUser & { screen: 'handover'; pass: string; countdowns: Countdown[]; guide: GuideStep; oneTime: boolean; lifetimeMinutes: number })
  | (WithUser & { screen: 'waiting-for-sign-in'; countdowns: Countdown[]; guide: GuideStep; keyWarning: string | null })
  | (WithUser & { screen: 'registering'; countdowns: Countdown[]; guide: GuideStep; keyWarning: string | null; signedInAt: number })
  | (Base & { screen: 'cleaning-up'; enrollmentId: string | null; why: 'completed' | 'cancelled' | 'timed-out' | 'failed' | 'signed-out' | 'locked' })
  | (Base & {
      screen: 'done';
      enrollmentId: string;
      userDisplayName: string;
      registered: { methodId: string; model: string | null; aaguid: string | null; stationKey: boolean };
      cleanup: CleanupReport;
      nextAt: number;
    })
  | (Base & { screen: 'failed'; enrollmentId: string | null; error: SessionError; cleanup: CleanupReport; next: string })
  | (Base & { screen: 'timed-out'; enrollmentId: string | null; which: 'tap-lifetime' | 'registration-window'; cleanup: CleanupReport; next: string })
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

// ---------------------------------------------------------------------------------------------------------
// toSnapshot: the machine's state → what the renderer shows. Pure; type-only imports keep this file free of
// XState and Node at run time.

/** The key reader's state as this mapping reads it (keys/watcher.ts KeyWatcherState, structurally). */
export interface KeysView {
  readonly reader: { readonly status: string };
  readonly presence: 'none' | 'one' | 'multiple';
  readonly keys: readonly {
    readonly id: string;
    readonly product?: string | undefined;
    readonly identity:
      | { readonly status: 'pending' }
      | { readonly status: 'unavailable' }
      | {
          readonly status: 'identified';
          readonly key: {
            readonly identity: { readonly model: string | null; readonly vendor: string | null; readonly aaguid: string | null };
            readonly ctaphid: { readonly capabilities: { readonly wink: boolean } };
          };
        };
  }[];
}

/**
 * The parts of the machine's snapshot this mapping reads: machine.ts's SessionContext, stated structurally so
 * that neither XState nor the machine's Node-facing imports enter the renderer's type graph.
 */
export interface MachineView {
  value: unknown;
  context: {
    operator: OperatorIdentity | null;
    keys: KeysView;
    signInReason: 'start' | 'unlock' | 'token-revoked';
    query: string;
    results: UserSummary[];
    selectedUserId: string | null;
    enrollmentId: string | null;
    card: IdentityCard | null;
    document: IdDocument | null;
    preflight: {
      checks: readonly PreflightCheck[];
      verdict: 'go' | 'refused';
      lifetimeMinutes: number;
      lifetimeBounds: { readonly min: number; readonly max: number };
      oneTime: boolean;
      key: KeyStatus;
    } | null;
    tap: { expiresAt: number; method: { isUsableOnce: boolean; lifetimeInMinutes: number } } | null;
    pass: string | null;
    handoverEndsAt: number | null;
    signedInAt: number | null;
    windowEndsAt: number | null;
    /** From the pages' step markers (view-progress.ts). */
    viewPhase: ViewPhase | null;
    registered: { method: SecurityKeyMethod; stationKey: boolean } | null;
    error: SessionError | null;
    why: string;
    cleanup: CleanupReport | null;
    lost: { keys: SecurityKeyMethod[]; selected: string[]; deleted: string[]; revoked: boolean; error: SessionError | null };
    pendingDeletions: number;
    nextAt: number | null;
  };
}

/** `{ operator: { live: { awaitingSignIn: 'handover' } } }` → `operator.live.awaitingSignIn.handover`. */
export function statePath(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const [key, inner] = Object.entries(value)[0] ?? [];
    if (key === undefined) return '';
    const rest = statePath(inner);
    return rest ? `${key}.${rest}` : key;
  }
  return '';
}

/**
 * The guide panel's step after sign-in, from the page's step marker. Real Microsoft pages have none (their "add a
 * security key" dialog does not navigate), so there the guide stays on "add the key" until Graph shows the key.
 */
const GUIDE_OF_PHASE: Readonly<Partial<Record<ViewPhase, GuideStep>>> = { 'signed-in': 'add-key', registering: 'touch-key', 'naming-key': 'name-key', done: 'done' };

const NEXT_AFTER_FAILURE = 'Check the message, then start again for this person or serve the next one.';
const NEXT_AFTER_TIMEOUT = 'Issue a new pass if the person is still at the desk.';

export function toSnapshot(machine: MachineView): SessionSnapshot {
  const ctx = machine.context;
  const path = statePath(machine.value);
  const operator: OperatorView | null = ctx.operator
    ? { id: ctx.operator.id, upn: ctx.operator.userPrincipalName, displayName: ctx.operator.displayName, roleNames: ctx.operator.roleNames, capability: ctx.operator.capability }
    : null;
  const key = ctx.preflight?.key ?? keyOnly(ctx);
  const base = { operator, key, pendingDeletions: ctx.pendingDeletions };
  const cleanup: CleanupReport = ctx.cleanup ?? { tap: 'none', viewWiped: false };
  const withUser = () => ({ ...base, enrollmentId: ctx.enrollmentId ?? '', user: ctx.card as IdentityCard });
  const keyWarning = key.presence === 'one' ? null : 'The security key was unplugged. Ask the person to plug it back in; the pass stays valid until the countdown ends.';
  const tapCountdown = (): Countdown[] => (ctx.tap ? [{ kind: 'tap-lifetime', endsAt: ctx.tap.expiresAt }] : []);

  if (path === 'signedOut') return { ...base, screen: 'signed-out', error: ctx.error };
  if (path === 'signingIn') return { ...base, screen: 'signing-in', reason: ctx.signInReason, error: null };
  if (path === 'reauth') return { ...base, screen: 'signing-in', reason: 'token-revoked', error: ctx.error };
  if (path === 'locked') return { ...base, screen: 'locked' };
  if (path === 'stopped' || path === 'quitting') return { ...base, screen: 'stopped' };
  const sub = path.slice('operator.'.length);
  switch (sub.split('.')[0]) {
    case 'ready':
      return { ...base, screen: 'ready', query: ctx.query, error: null };
    case 'searchFailed':
      return { ...base, screen: 'ready', query: ctx.query, error: ctx.error };
    case 'searching':
      return { ...base, screen: 'searching', query: ctx.query };
    case 'searchResults':
      return { ...base, screen: 'search-results', query: ctx.query, results: ctx.results };
    case 'loadingCard':
      return { ...base, screen: 'loading-user', userId: ctx.selectedUserId ?? '' };
    case 'identity':
      return { ...withUser(), screen: 'identity', documents: ID_DOCUMENT_VALUES };
    case 'checking':
      return { ...withUser(), screen: 'checking' };
    case 'preflight': {
      const p = ctx.preflight;
      if (!p) return { ...withUser(), screen: 'checking' };
      const order: CheckStatus[] = ['fail', 'unknown', 'warn', 'pass'];
      const worst = order.find((s) => p.checks.some((c) => c.status === s)) ?? 'pass';
      return {
        ...withUser(),
        screen: 'preflight',
        document: ctx.document ?? 'other',
        checks: [...p.checks],
        verdict: p.verdict,
        worst,
        lifetimeMinutes: p.lifetimeMinutes,
        lifetimeBounds: { ...p.lifetimeBounds },
        oneTime: p.oneTime,
      };
    }
    case 'confirmReplace': {
      const t = ctx.card?.tap;
      return {
        ...withUser(),
        screen: 'confirm-replace',
        existingTap: { id: t?.id ?? '', createdDateTime: t?.createdDateTime ?? '', lifetimeInMinutes: t?.lifetimeInMinutes ?? 0, isUsable: t?.isUsable ?? false },
      };
    }
    case 'issuing':
      return { ...withUser(), screen: 'issuing' };
    case 'live': {
      if (sub === 'live.awaitingSignIn.handover' && ctx.pass !== null) {
        return {
          ...withUser(),
          screen: 'handover',
          pass: ctx.pass,
          countdowns: [...tapCountdown(), ...(ctx.handoverEndsAt ? [{ kind: 'handover' as const, endsAt: ctx.handoverEndsAt }] : [])],
          guide: 'take-pass',
          oneTime: ctx.tap?.method.isUsableOnce ?? true,
          lifetimeMinutes: ctx.tap?.method.lifetimeInMinutes ?? 0,
        };
      }
      if (sub === 'live.signedIn') {
        return {
          ...withUser(),
          screen: 'registering',
          countdowns: ctx.windowEndsAt ? [{ kind: 'registration-window', endsAt: ctx.windowEndsAt }] : [],
          guide: GUIDE_OF_PHASE[ctx.viewPhase ?? 'signed-in'] ?? 'add-key',
          keyWarning,
          signedInAt: ctx.signedInAt ?? 0,
        };
      }
      return { ...withUser(), screen: 'waiting-for-sign-in', countdowns: tapCountdown(), guide: 'sign-in', keyWarning };
    }
    case 'lostKey': {
      const step = sub.split('.')[1];
      const s: 'loading' | 'choosing' | 'confirming' | 'deleting' | 'revoking' =
        step === 'choosing' || step === 'confirming' || step === 'deleting' || step === 'revoking' ? step : 'loading';
      return { ...withUser(), screen: 'lost-key', step: s, keys: ctx.lost.keys, selected: ctx.lost.selected, deleted: ctx.lost.deleted, sessionsRevoked: ctx.lost.revoked, error: ctx.lost.error };
    }
    case 'cleaningUp': {
      const why =
        ctx.why === 'window-expired' || ctx.why === 'lifetime-expired'
          ? 'timed-out'
          : ctx.why === 'quit' || ctx.why === 'idle' || ctx.why === 'locked'
            ? 'locked'
            : ctx.why === 'completed' || ctx.why === 'cancelled' || ctx.why === 'failed' || ctx.why === 'signed-out'
              ? ctx.why
              : 'cancelled';
      return { ...base, screen: 'cleaning-up', enrollmentId: ctx.enrollmentId, why };
    }
    case 'done':
      return {
        ...base,
        screen: 'done',
        enrollmentId: ctx.enrollmentId ?? '',
        userDisplayName: ctx.card?.displayName ?? '',
        registered: {
          methodId: ctx.registered?.method.id ?? '',
          model: ctx.registered?.method.model ?? null,
          aaguid: ctx.registered?.method.aaGuid ?? null,
          stationKey: ctx.registered?.stationKey ?? false,
        },
        cleanup,
        nextAt: ctx.nextAt ?? 0,
      };
    case 'cancelled':
      return { ...base, screen: 'cancelled', enrollmentId: ctx.enrollmentId, cleanup };
    case 'timedOut':
      return { ...base, screen: 'timed-out', enrollmentId: ctx.enrollmentId, which: ctx.why === 'window-expired' ? 'registration-window' : 'tap-lifetime', cleanup, next: NEXT_AFTER_TIMEOUT };
    case 'failed':
    default:
      return {
        ...base,
        screen: 'failed',
        enrollmentId: ctx.enrollmentId,
        error: ctx.error ?? { code: 'unknown', text: 'Something unexpected went wrong.', requestId: null, step: sub || path },
        cleanup,
        next: NEXT_AFTER_FAILURE,
      };
  }
}

function keyOnly(ctx: MachineView['context']): KeyStatus {
  const k = ctx.keys;
  const present = k.keys[0];
  const presence = k.presence === 'none' && k.reader.status === 'unavailable' ? 'reader-unavailable' : k.presence;
  const identified = present?.identity.status === 'identified' ? present.identity.key : null;
  return {
    presence,
    keyId: present?.id ?? null,
    model: identified?.identity.model ?? present?.product ?? null,
    vendor: identified?.identity.vendor ?? null,
    aaguid: identified?.identity.aaguid ?? null,
    pin: 'unknown',
    verdict: null,
    readiness: null,
    canWink: identified?.ctaphid.capabilities.wink ?? false,
  };
}
