/**
 * The station session, as one XState v5 machine. It decides; the invoked actors below do the I/O through the
 * ports (ports.ts) and the TAP lifecycle services (lifecycle.ts). Read README.md next to this file first.
 *
 *   signedOut → signingIn → operator{ ready → searching → searchResults → loadingCard → identity → checking
 *   → preflight → [confirmReplace] → issuing → live{ awaitingSignIn{ handover → waiting } → signedIn }
 *   → cleaningUp → done → ready }, with lostKey, failed, timedOut, cancelled, reauth, locked, stopped.
 *
 * Every way out of an enrollment goes through `cleaningUp`, which deletes the TAP (or leaves it queued in the
 * deleter, retried until it succeeds), wipes the My Security Info view and journals both; `why` in the context
 * says where to go afterwards. Timeouts are delayed transitions on XState's clock, computed from deadlines
 * in the context (epoch ms from the ClockPort), so tests drive them with a SimulatedClock.
 */
import { assign, enqueueActions, fromCallback, fromPromise, setup } from 'xstate';
import { auditEvents, type AuditEvent } from '../audit';
import type { IdentityCard, PolicyRead, SecurityKeyMethod, TapMethod, TapPolicy, UserSummary } from '../../common/directory';
import type { Fido2KeyPolicy } from '../keys/readiness';
import type { KeyWatcherState } from '../keys/watcher';
import type { OperatorIdentity } from '../../common/operator';
import { describeFailure, failureAs, isUnauthenticated, sessionError } from './failures';
import type { DeleteRequest, LifecyclePort, Registration, SignInObserved, UserRef } from './lifecycle';
import type { AuditPort, ClockPort, DirectoryPort, KeysPort, OperatorPort, SecurityInfoViewPort } from './ports';
import type { QueryKind } from '../../common/directory';
import { runPreflight, type PolicyTargets, type PreflightResult } from './preflight';
import { DONE_MS, HANDOVER_MS, REGISTRATION_WINDOW_MS, type CleanupReport, type IdDocument, type SessionError } from '../../common/session';
import { ViewProgress, type ViewPhase } from '../tap/view-progress';

export interface StationChoices {
  tapLifetimeMinutes?: number | undefined;
  tapOneTime: boolean;
  idleLockMinutes: number;
  mySecurityInfoUrl: string;
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
}

/** Why an enrollment is being wound up; decides the TAP deletion reason, the wipe reason and the next screen. */
export type CleanupWhy = 'completed' | 'cancelled' | 'window-expired' | 'lifetime-expired' | 'failed' | 'signed-out' | 'locked' | 'idle' | 'quit';

export interface LiveTap {
  intentId: string;
  method: TapMethod;
  /** Epoch ms when the pass stops working. */
  expiresAt: number;
  /** The station key's AAGUID when the pass was issued, to match the registration against. */
  aaguid: string | null;
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
  signInReason: 'start' | 'unlock' | 'token-revoked';
  query: string;
  queryKind: QueryKind | null;
  results: UserSummary[];
  selectedUserId: string | null;
  enrollmentId: string | null;
  card: IdentityCard | null;
  document: IdDocument | null;
  tapPolicy: PolicyRead<TapPolicy> | null;
  fido2Policy: PolicyRead<Fido2KeyPolicy & PolicyTargets> | null;
  chosenLifetime: number | undefined;
  preflight: PreflightResult | null;
  tap: LiveTap | null;
  /** The pass: set when issued, dropped when the handover ends. Never anywhere else. */
  pass: string | null;
  handoverEndsAt: number | null;
  signedInAt: number | null;
  signedInVia: SignInObserved['via'] | null;
  windowEndsAt: number | null;
  /** How far the user is in My Security Info, from the pages' step markers (null: no marker seen yet). */
  viewPhase: ViewPhase | null;
  registered: Registration | null;
  cancelRequested: boolean;
  /** The station is quitting: finish this cleanup, then quit. */
  quitRequested: boolean;
  /** The operator confirmed replacing the TAP the user already holds. */
  replaceConfirmed: boolean;
  error: SessionError | null;
  why: CleanupWhy;
  cleanup: CleanupReport | null;
  lost: LostKeyState;
  pendingDeletions: number;
  nextAt: number | null;
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
  | { type: 'CONFIRM_REPLACE' }
  | { type: 'HANDED_OVER' }
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
  /** Internal: any operator command (resets the idle lock). */
  | { type: 'ACTIVITY' }
  /** Internal: the idle lock fired. */
  | { type: 'IDLE' }
  /** Internal: the My Security Info page reported a step. */
  | { type: 'VIEW'; phase: ViewPhase }
  /** Internal: the deletion queue changed. */
  | { type: 'PENDING_DELETIONS'; count: number };

const EMPTY_LOST: LostKeyState = { keys: [], selected: [], deleted: [], revoked: false, error: null };

export const NO_KEYS: KeyWatcherState = { reader: { status: 'starting' }, mode: 'polling', presence: 'none', keys: [] };

const userRef = (card: IdentityCard): UserRef => ({ id: card.id, upn: card.userPrincipalName });
const operatorRef = (o: OperatorIdentity) => ({ id: o.id, upn: o.userPrincipalName });

/** What a lost-key step needs to act and to write its audit record. */
interface LostKeyInput {
  enrollmentId: string;
  operator: OperatorIdentity;
  card: IdentityCard;
  keys: SecurityKeyMethod[];
}
const lostKeyInput = (context: SessionContext): LostKeyInput => ({
  enrollmentId: context.enrollmentId ?? '',
  operator: context.operator as OperatorIdentity,
  card: context.card as IdentityCard,
  keys: context.lost.keys,
});

const DELETE_REASON: Record<CleanupWhy, DeleteRequest['reason']> = {
  completed: 'completed',
  cancelled: 'cancelled',
  'window-expired': 'window-expired',
  'lifetime-expired': 'lifetime-expired',
  failed: 'failed',
  'signed-out': 'signed-out',
  locked: 'signed-out',
  idle: 'signed-out',
  quit: 'quit',
};
const WIPE_REASON: Record<CleanupWhy, 'completed' | 'cancelled' | 'timed-out' | 'failed' | 'signed-out'> = {
  completed: 'completed',
  cancelled: 'cancelled',
  'window-expired': 'timed-out',
  'lifetime-expired': 'timed-out',
  failed: 'failed',
  'signed-out': 'signed-out',
  locked: 'signed-out',
  idle: 'signed-out',
  quit: 'signed-out',
};

interface CleanupInput {
  why: CleanupWhy;
  enrollmentId: string | null;
  operator: OperatorIdentity | null;
  card: IdentityCard | null;
  tap: LiveTap | null;
  error: SessionError | null;
}

/** Forget everything about the person served; keep the operator and the key reader. */
const forgetPerson = {
  query: '',
  queryKind: null,
  results: [],
  selectedUserId: null,
  enrollmentId: null,
  card: null,
  document: null,
  tapPolicy: null,
  fido2Policy: null,
  chosenLifetime: undefined,
  preflight: null,
  tap: null,
  pass: null,
  handoverEndsAt: null,
  signedInAt: null,
  signedInVia: null,
  windowEndsAt: null,
  viewPhase: null,
  registered: null,
  cancelRequested: false,
  replaceConfirmed: false,
  error: null,
  cleanup: null,
  lost: EMPTY_LOST,
  nextAt: null,
} satisfies Partial<SessionContext>;

/** The initial context; the session passes the key reader's state at start. */
export function initialContext(keys: KeyWatcherState = NO_KEYS): SessionContext {
  return {
    ...forgetPerson,
    operator: null,
    keys,
    signInReason: 'start',
    quitRequested: false,
    why: 'cancelled',
    pendingDeletions: 0,
  };
}

export function createEnrollmentMachine(deps: MachineDeps) {
  const { directory, lifecycle, audit, clock, station } = deps;
  const write = (event: AuditEvent) => audit.append(event);

  const recompute = (ctx: SessionContext, patch: Partial<SessionContext> = {}): PreflightResult | null => {
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
    });
  };

  return setup({
    types: {
      context: {} as SessionContext,
      events: {} as SessionEvent,
      input: {} as { keys?: KeyWatcherState } | undefined,
    },
    actors: {
      signIn: fromPromise<OperatorIdentity, { reason: SessionContext['signInReason']; previous: OperatorIdentity | null }>(async ({ input, signal }) => {
        if (input.reason === 'token-revoked' && input.previous) {
          await write(auditEvents.operatorSignedOut({ operator: operatorRef(input.previous), reason: 'token-revoked' }));
        }
        const who = await deps.operator.signIn(signal);
        await write(auditEvents.operatorSignedIn({ operator: operatorRef(who), roles: who.roleNames }));
        return who;
      }),
      search: fromPromise<{ kind: QueryKind; users: UserSummary[]; enrollmentId: string }, { query: string; operator: OperatorIdentity }>(
        async ({ input, signal }) => {
          const found = await directory.searchUsers(input.query, signal);
          const enrollmentId = deps.newId();
          await write(auditEvents.lookup({ enrollmentId, operator: operatorRef(input.operator), queryKind: found.kind, results: found.users.length }));
          return { ...found, enrollmentId };
        },
      ),
      loadCard: fromPromise<IdentityCard, { userId: string }>(({ input, signal }) => directory.identityCard(input.userId, signal)),
      readPolicies: fromPromise<
        { card: IdentityCard; tapPolicy: PolicyRead<TapPolicy>; fido2Policy: PolicyRead<Fido2KeyPolicy & PolicyTargets>; preflight: PreflightResult | null },
        { context: SessionContext; enrollmentId: string; operator: OperatorIdentity; card: IdentityCard; document: IdDocument; audited: boolean }
      >(async ({ input, signal }) => {
        if (!input.audited) {
          await write(
            auditEvents.identityChecked({ enrollmentId: input.enrollmentId, operator: operatorRef(input.operator), user: userRef(input.card), document: input.document }),
          );
        }
        // The card is read again: a lost-key deletion or another operator may have changed it meanwhile.
        // An operator whose roles cannot read the policies (an Authentication Administrator alone) is not sent to
        // collect two 403s: the checks say "cannot read with your role" all the same, two requests fewer.
        const unreadable = { readable: false, reason: 'forbidden', requestId: null } as const;
        const [card, tapPolicy, fido2Policy] = await Promise.all([
          input.audited ? directory.identityCard(input.card.id, signal) : Promise.resolve(input.card),
          input.operator.mayReadPolicies ? directory.tapPolicy(signal) : Promise.resolve(unreadable),
          input.operator.mayReadPolicies ? directory.fido2Policy(signal) : Promise.resolve(unreadable),
        ]);
        const preflight = recompute(input.context, { card, tapPolicy, fido2Policy });
        // A refusal is journalled here, where the operator sees it; a go is journalled when they press Issue.
        if (preflight?.verdict === 'refused') {
          await write(
            auditEvents.preflight({
              enrollmentId: input.enrollmentId,
              user: userRef(card),
              verdict: 'refused',
              failedChecks: preflight.checks.filter((c) => c.status === 'fail').map((c) => c.code),
              lifetimeMinutes: Math.min(43_200, Math.max(10, preflight.lifetimeMinutes)),
              oneTime: preflight.oneTime,
            }),
          );
        }
        return { card, tapPolicy, fido2Policy, preflight };
      }),
      issue: fromPromise<
        { intentId: string; tap: TapMethod; pass: string },
        { enrollmentId: string; operator: OperatorIdentity; card: IdentityCard; preflight: PreflightResult; replaceExisting: boolean }
      >(async ({ input, signal }) => {
        const { preflight, card } = input;
        await write(
          auditEvents.preflight({
            enrollmentId: input.enrollmentId,
            user: userRef(card),
            verdict: 'go',
            failedChecks: [],
            lifetimeMinutes: preflight.lifetimeMinutes,
            oneTime: preflight.oneTime,
          }),
        );
        if (preflight.key.aaguid && preflight.key.model) {
          await write(auditEvents.keyDetected({ enrollmentId: input.enrollmentId, aaguid: preflight.key.aaguid, model: preflight.key.model.slice(0, 120) }));
        }
        const outcome = await lifecycle.issue(
          {
            enrollmentId: input.enrollmentId,
            operator: operatorRef(input.operator),
            user: userRef(card),
            lifetimeMinutes: preflight.lifetimeMinutes,
            oneTime: preflight.oneTime,
            replaceExisting: input.replaceExisting,
            knownTaps: card.tap ? [card.tap] : [],
          },
          signal,
        );
        return { intentId: outcome.intentId, tap: outcome.tap, pass: outcome.pass };
      }),
      openView: fromPromise<void, void>(() => deps.view.open(station.mySecurityInfoUrl)),
      // The pages' own step markers, for the guide panel. (A URL alone says no more than "signed in", which
      // the completion watch already reports.)
      viewSteps: fromCallback<SessionEvent>(({ sendBack }) => {
        const progress = new ViewProgress();
        return deps.view.onNavigation((navigation) => {
          const phase = progress.phaseOf(navigation);
          if (navigation.step !== null && phase !== 'unknown') sendBack({ type: 'VIEW', phase });
        });
      }),
      // Both journal their own records (signin.observed, key.registered): completion.ts.
      awaitSignIn: fromPromise<SignInObserved, { enrollmentId: string; card: IdentityCard; tap: LiveTap }>(({ input, signal }) =>
        lifecycle.awaitSignIn({ enrollmentId: input.enrollmentId, user: userRef(input.card), tap: input.tap.method, stationAaguid: input.tap.aaguid }, signal),
      ),
      awaitRegistration: fromPromise<Registration, { enrollmentId: string; card: IdentityCard; tap: LiveTap; signedIn: SignInObserved }>(({ input, signal }) =>
        lifecycle.awaitRegistration(
          { enrollmentId: input.enrollmentId, user: userRef(input.card), tap: input.tap.method, stationAaguid: input.tap.aaguid, signedIn: input.signedIn },
          signal,
        ),
      ),
      cleanup: fromPromise<{ report: CleanupReport; pending: number }, CleanupInput>(async ({ input }) => {
        if (input.error) {
          await write(
            auditEvents.failure({
              ...(input.enrollmentId ? { enrollmentId: input.enrollmentId } : {}),
              step: input.error.step,
              code: input.error.code,
              ...(input.error.requestId && /^[A-Za-z0-9-]{1,100}$/.test(input.error.requestId) ? { requestId: input.error.requestId } : {}),
            }),
          );
        }
        let tap: CleanupReport['tap'] = 'none';
        if (input.tap && input.card) {
          const r = await lifecycle.delete({
            enrollmentId: input.enrollmentId,
            intentId: input.tap.intentId,
            user: userRef(input.card),
            tapId: input.tap.method.id,
            reason: DELETE_REASON[input.why],
          });
          tap = r.deleted ? 'deleted' : 'pending';
        }
        let viewWiped = false;
        if (input.enrollmentId) {
          await deps.view.wipe();
          viewWiped = true;
          await write(auditEvents.sessionWiped({ enrollmentId: input.enrollmentId, reason: WIPE_REASON[input.why] }));
        }
        if (input.operator && (input.why === 'locked' || input.why === 'idle' || input.why === 'signed-out' || input.why === 'quit')) {
          await write(
            input.why === 'locked' || input.why === 'idle'
              ? auditEvents.operatorLocked({ operator: operatorRef(input.operator), reason: input.why === 'idle' ? 'idle' : 'manual' })
              : auditEvents.operatorSignedOut({ operator: operatorRef(input.operator), reason: input.why === 'quit' ? 'quit' : 'manual' }),
          );
          await deps.operator.signOut();
        }
        return { report: { tap, viewWiped }, pending: lifecycle.pendingDeletions() };
      }),
      listKeys: fromPromise<SecurityKeyMethod[], { userId: string }>(({ input, signal }) => directory.listSecurityKeys(input.userId, signal)),
      deleteKeys: fromPromise<string[], LostKeyInput & { ids: string[] }>(async ({ input, signal }) => {
        const done: string[] = [];
        for (const id of input.ids) {
          const { requestId } = await directory.deleteSecurityKey(input.card.id, id, signal);
          const key = input.keys.find((k) => k.id === id);
          await write(
            auditEvents.keyRemoved({
              enrollmentId: input.enrollmentId,
              operator: operatorRef(input.operator),
              user: userRef(input.card),
              methodId: id,
              aaguid: key?.aaGuid ?? null,
              model: key?.model?.slice(0, 120) ?? null,
              requestId,
            }),
          );
          done.push(id);
        }
        return done;
      }),
      revokeSessions: fromPromise<void, LostKeyInput>(async ({ input, signal }) => {
        const { requestId } = await directory.revokeSignInSessions(input.card.id, signal);
        await write(auditEvents.sessionsRevoked({ enrollmentId: input.enrollmentId, operator: operatorRef(input.operator), user: userRef(input.card), requestId }));
      }),
    },
    delays: {
      handover: ({ context }) => Math.max(0, (context.handoverEndsAt ?? 0) - clock.now()),
      tapExpiry: ({ context }) => Math.max(0, (context.tap?.expiresAt ?? 0) - clock.now()),
      window: ({ context }) => Math.max(0, (context.windowEndsAt ?? 0) - clock.now()),
      next: ({ context }) => Math.max(0, (context.nextAt ?? 0) - clock.now()),
    },
    guards: {
      unauthenticated: ({ event }) => isUnauthenticated((event as { error?: unknown }).error),
      preflightGo: ({ context }) => context.preflight?.verdict === 'go',
      hasExistingTap: ({ context }) => context.card?.tap != null,
      cancelRequested: ({ context }) => context.cancelRequested,
      hasSelection: ({ context }) => context.lost.selected.length > 0,
    },
    actions: {
      armIdle: enqueueActions(({ enqueue }) => {
        enqueue.cancel('idle');
        enqueue.raise({ type: 'IDLE' }, { id: 'idle', delay: station.idleLockMinutes * 60_000 });
      }),
      setKeys: assign(({ context, event }) => {
        if (event.type !== 'KEYS') return {};
        const keys = event.state;
        return { keys, preflight: context.preflight ? recompute(context, { keys }) : null };
      }),
    },
  }).createMachine({
    id: 'station',
    context: ({ input }) => initialContext(input?.keys),
    initial: 'signedOut',
    on: {
      KEYS: { actions: 'setKeys' },
      PENDING_DELETIONS: { actions: assign(({ event }) => ({ pendingDeletions: event.count })) },
      QUIT: { target: '#station.quitting' },
    },
    states: {
      signedOut: {
        on: { SIGN_IN: { target: 'signingIn', actions: assign({ signInReason: 'start', error: null }) } },
      },
      signingIn: {
        invoke: {
          src: 'signIn',
          input: ({ context }) => ({ reason: context.signInReason, previous: context.operator }),
          onDone: [
            {
              // Back after a revoked token with an enrollment open: clean it up now that Graph answers again.
              guard: ({ context }) => context.signInReason === 'token-revoked' && context.enrollmentId !== null,
              target: 'operator.cleaningUp',
              actions: assign(({ event }) => ({
                operator: event.output,
                why: 'failed' as const,
                error: sessionError('operator.token-revoked', 'sign-in-operator'),
              })),
            },
            { target: 'operator', actions: assign(({ event }) => ({ operator: event.output, error: null })) },
          ],
          onError: [
            { guard: ({ context }) => context.signInReason === 'token-revoked', target: 'reauth', actions: assign(({ event }) => ({ error: describeFailure('sign-in-operator', event.error) })) },
            { guard: ({ context }) => context.signInReason === 'unlock', target: 'locked', actions: assign(({ event }) => ({ error: describeFailure('sign-in-operator', event.error) })) },
            { target: 'signedOut', actions: assign(({ event }) => ({ error: describeFailure('sign-in-operator', event.error) })) },
          ],
        },
        on: { CANCEL: [{ guard: ({ context }) => context.signInReason === 'token-revoked', target: 'reauth' }, { target: 'signedOut' }] },
      },
      /** The operator's token was revoked mid-flow. The TAP (if any) stays in the context, so after sign-in it is deleted. */
      reauth: {
        on: {
          SIGN_IN: { target: 'signingIn', actions: assign({ signInReason: 'token-revoked' }) },
          // Giving up leaves the deletion queued (retried with the next token) and to crash recovery at the next start.
          SIGN_OUT: { target: 'signedOut', actions: assign(({ context }) => ({ ...forgetPerson, operator: null, error: null, pendingDeletions: context.pendingDeletions })) },
        },
      },
      locked: {
        on: { UNLOCK: { target: 'signingIn', actions: assign({ signInReason: 'unlock', error: null }) }, SIGN_IN: { target: 'signingIn', actions: assign({ signInReason: 'unlock', error: null }) } },
      },
      quitting: {
        // `stop()` in session.ts; cleanup with why=quit, then stopped.
        // A quit outside any live TAP has nothing of the person's to wipe (the view opens only with a TAP).
        always: {
          target: 'operator.cleaningUp',
          actions: assign(({ context }) => ({ why: 'quit' as const, ...(context.tap ? {} : { enrollmentId: null, card: null, error: null }) })),
        },
      },
      stopped: { type: 'final' },
      operator: {
        initial: 'ready',
        entry: 'armIdle',
        on: {
          ACTIVITY: { actions: 'armIdle' },
          LOCK: { target: '.cleaningUp', actions: assign({ why: 'locked' as const }) },
          SIGN_OUT: { target: '.cleaningUp', actions: assign({ why: 'signed-out' as const }) },
        },
        states: {
          ready: {
            entry: [assign({ ...forgetPerson }), 'armIdle'],
            on: {
              SEARCH: { target: 'searching', actions: assign(({ event }) => ({ query: event.query })) },
              IDLE: { target: 'cleaningUp', actions: assign({ why: 'idle' as const }) },
            },
          },
          searching: {
            invoke: {
              src: 'search',
              input: ({ context }) => ({ query: context.query, operator: context.operator as OperatorIdentity }),
              onDone: [
                // One hit (a badge scan, a UPN, a unique name) opens the person at once: the card with its photo is
                // the check, and "Back" shows the one-line result list.
                {
                  guard: ({ event }) => event.output.users.length === 1,
                  target: 'loadingCard',
                  actions: assign(({ event }) => ({ results: event.output.users, queryKind: event.output.kind, enrollmentId: event.output.enrollmentId, selectedUserId: event.output.users[0]?.id ?? null })),
                },
                { target: 'searchResults', actions: assign(({ event }) => ({ results: event.output.users, queryKind: event.output.kind, enrollmentId: event.output.enrollmentId })) },
              ],
              onError: [
                { guard: 'unauthenticated', target: '#station.reauth', actions: assign(({ event }) => ({ error: describeFailure('search', event.error) })) },
                { target: 'searchFailed', actions: assign(({ event }) => ({ error: describeFailure('search', event.error) })) },
              ],
            },
            on: { CANCEL: 'ready' },
          },
          // Nothing to clean: no person chosen yet. The error shows on the search screen.
          searchFailed: {
            on: {
              SEARCH: { target: 'searching', actions: assign(({ event }) => ({ query: event.query, error: null })) },
              DISMISS: 'ready',
              CANCEL: 'ready',
              IDLE: { target: 'cleaningUp', actions: assign({ why: 'idle' as const }) },
            },
          },
          searchResults: {
            on: {
              SELECT_USER: {
                guard: ({ context, event }) => context.results.some((u) => u.id === event.id),
                target: 'loadingCard',
                actions: assign(({ event }) => ({ selectedUserId: event.id })),
              },
              SEARCH: { target: 'searching', actions: assign(({ event }) => ({ query: event.query })) },
              BACK_TO_SEARCH: 'ready',
              CANCEL: 'ready',
              IDLE: { target: 'cleaningUp', actions: assign({ why: 'idle' as const }) },
            },
          },
          loadingCard: {
            invoke: {
              src: 'loadCard',
              input: ({ context }) => ({ userId: context.selectedUserId as string }),
              onDone: { target: 'identity', actions: assign(({ event }) => ({ card: event.output })) },
              onError: [
                { guard: 'unauthenticated', target: '#station.reauth', actions: assign(({ event }) => ({ error: describeFailure('card', event.error) })) },
                { target: 'cleaningUp', actions: assign(({ event }) => ({ why: 'failed' as const, error: describeFailure('card', event.error) })) },
              ],
            },
            on: { CANCEL: { target: 'cleaningUp', actions: assign({ why: 'cancelled' as const }) } },
          },
          identity: {
            on: {
              CONFIRM_IDENTITY: { target: 'checking', actions: assign(({ event }) => ({ document: event.document })) },
              BACK_TO_SEARCH: 'searchResults',
              CANCEL: { target: 'cleaningUp', actions: assign({ why: 'cancelled' as const }) },
              IDLE: { target: 'cleaningUp', actions: assign({ why: 'idle' as const }) },
            },
          },
          checking: {
            invoke: {
              src: 'readPolicies',
              input: ({ context }) => ({
                context,
                enrollmentId: context.enrollmentId as string,
                operator: context.operator as OperatorIdentity,
                card: context.card as IdentityCard,
                document: context.document as IdDocument,
                audited: context.tapPolicy !== null,
              }),
              onDone: {
                target: 'preflight',
                actions: assign(({ context, event }) => {
                  const patch = { card: event.output.card, tapPolicy: event.output.tapPolicy, fido2Policy: event.output.fido2Policy };
                  // Recomputed with the context as it is now: the key may have changed while Graph answered.
                  return { ...patch, preflight: recompute(context, patch) };
                }),
              },
              onError: [
                { guard: 'unauthenticated', target: '#station.reauth', actions: assign(({ event }) => ({ error: describeFailure('policies', event.error) })) },
                { target: 'cleaningUp', actions: assign(({ event }) => ({ why: 'failed' as const, error: describeFailure('policies', event.error) })) },
              ],
            },
            on: { CANCEL: { target: 'cleaningUp', actions: assign({ why: 'cancelled' as const }) } },
          },
          preflight: {
            on: {
              CHOOSE_LIFETIME: { actions: assign(({ context, event }) => ({ chosenLifetime: event.minutes, preflight: recompute(context, { chosenLifetime: event.minutes }) })) },
              RECHECK: 'checking',
              ISSUE: [
                { guard: ({ context }) => context.preflight?.verdict === 'go' && context.card?.tap != null, target: 'confirmReplace' },
                { guard: 'preflightGo', target: 'issuing' },
              ],
              LOST_KEY: { target: 'lostKey', actions: assign({ lost: EMPTY_LOST }) },
              CANCEL: { target: 'cleaningUp', actions: assign({ why: 'cancelled' as const }) },
              IDLE: { target: 'cleaningUp', actions: assign({ why: 'idle' as const }) },
            },
          },
          confirmReplace: {
            on: {
              CONFIRM_REPLACE: { guard: 'preflightGo', target: 'issuing', actions: assign({ replaceConfirmed: true }) },
              DISMISS: 'preflight',
              CANCEL: { target: 'cleaningUp', actions: assign({ why: 'cancelled' as const }) },
              IDLE: { target: 'cleaningUp', actions: assign({ why: 'idle' as const }) },
            },
          },
          issuing: {
            // Cancel while the create call is in flight waits for its answer, so the TAP it may have made is known and deleted.
            on: {
              CANCEL: { actions: assign({ cancelRequested: true, why: 'cancelled' as const }) },
              QUIT: { actions: assign({ cancelRequested: true, why: 'quit' as const }) },
              LOCK: { actions: assign({ cancelRequested: true, why: 'locked' as const }) },
              SIGN_OUT: { actions: assign({ cancelRequested: true, why: 'signed-out' as const }) },
            },
            invoke: {
              src: 'issue',
              input: ({ context }) => ({
                enrollmentId: context.enrollmentId as string,
                operator: context.operator as OperatorIdentity,
                card: context.card as IdentityCard,
                preflight: context.preflight as PreflightResult,
                replaceExisting: context.replaceConfirmed,
              }),
              onDone: [
                {
                  guard: 'cancelRequested',
                  target: 'cleaningUp',
                  actions: assign(({ context, event }) => ({ tap: liveTap(event.output, context, clock.now()) })),
                },
                {
                  target: 'live',
                  actions: assign(({ context, event }) => ({
                    tap: liveTap(event.output, context, clock.now()),
                    pass: event.output.pass,
                    handoverEndsAt: clock.now() + HANDOVER_MS,
                  })),
                },
              ],
              onError: [
                { guard: 'cancelRequested', target: 'cleaningUp' },
                { guard: 'unauthenticated', target: '#station.reauth', actions: assign(({ event }) => ({ error: describeFailure('issue', event.error) })) },
                { target: 'cleaningUp', actions: assign(({ event }) => ({ why: 'failed' as const, error: describeFailure('issue', event.error) })) },
              ],
            },
          },
          /** A TAP exists at Microsoft. Every exit from here goes through cleaningUp. */
          live: {
            initial: 'awaitingSignIn',
            invoke: [
              {
                src: 'openView',
                onError: { target: 'cleaningUp', actions: assign(({ event }) => ({ why: 'failed' as const, error: failureAs('view.failed', 'view', event.error) })) },
              },
              { src: 'viewSteps' },
            ],
            on: {
              CANCEL: { target: 'cleaningUp', actions: assign({ why: 'cancelled' as const }) },
              VIEW: { actions: assign(({ event }) => ({ viewPhase: event.phase })) },
            },
            states: {
              awaitingSignIn: {
                initial: 'handover',
                invoke: {
                  src: 'awaitSignIn',
                  input: ({ context }) => ({ enrollmentId: context.enrollmentId as string, card: context.card as IdentityCard, tap: context.tap as LiveTap }),
                  onDone: {
                    target: 'signedIn',
                    actions: assign(({ context, event }) => ({
                      pass: null,
                      signedInAt: event.output.at,
                      signedInVia: event.output.via,
                      windowEndsAt: Math.min(event.output.at + REGISTRATION_WINDOW_MS, context.tap?.expiresAt ?? Number.POSITIVE_INFINITY),
                    })),
                  },
                  onError: [
                    { guard: 'unauthenticated', target: '#station.reauth', actions: assign(({ event }) => ({ pass: null, error: describeFailure('sign-in', event.error) })) },
                    { target: '#station.operator.cleaningUp', actions: assign(({ event }) => ({ pass: null, why: 'failed' as const, error: describeFailure('sign-in', event.error) })) },
                  ],
                },
                after: { tapExpiry: { target: '#station.operator.cleaningUp', actions: assign({ pass: null, why: 'lifetime-expired' as const }) } },
                states: {
                  handover: {
                    after: { handover: 'waiting' },
                    on: { HANDED_OVER: 'waiting' },
                    exit: assign({ pass: null, handoverEndsAt: null }),
                  },
                  waiting: {},
                },
              },
              signedIn: {
                invoke: {
                  src: 'awaitRegistration',
                  input: ({ context }) => ({
                    enrollmentId: context.enrollmentId as string,
                    card: context.card as IdentityCard,
                    tap: context.tap as LiveTap,
                    signedIn: { via: context.signedInVia ?? 'tap-used', at: context.signedInAt ?? clock.now() },
                  }),
                  onDone: { target: '#station.operator.cleaningUp', actions: assign(({ event }) => ({ registered: event.output, why: 'completed' as const })) },
                  onError: [
                    { guard: 'unauthenticated', target: '#station.reauth', actions: assign(({ event }) => ({ error: describeFailure('registration', event.error) })) },
                    { target: '#station.operator.cleaningUp', actions: assign(({ event }) => ({ why: 'failed' as const, error: describeFailure('registration', event.error) })) },
                  ],
                },
                after: { window: { target: '#station.operator.cleaningUp', actions: assign({ why: 'window-expired' as const }) } },
              },
            },
          },
          lostKey: {
            initial: 'loading',
            on: {
              CANCEL: { target: 'cleaningUp', actions: assign({ why: 'cancelled' as const }) },
              IDLE: { target: 'cleaningUp', actions: assign({ why: 'idle' as const }) },
            },
            states: {
              loading: {
                invoke: {
                  src: 'listKeys',
                  input: ({ context }) => ({ userId: (context.card as IdentityCard).id }),
                  onDone: { target: 'choosing', actions: assign(({ context, event }) => ({ lost: { ...context.lost, keys: event.output, selected: [], error: null } })) },
                  onError: [
                    { guard: 'unauthenticated', target: '#station.reauth', actions: assign(({ event }) => ({ error: describeFailure('lost-key', event.error) })) },
                    { target: 'choosing', actions: assign(({ context, event }) => ({ lost: { ...context.lost, error: describeFailure('lost-key', event.error) } })) },
                  ],
                },
              },
              choosing: {
                on: {
                  DELETE_KEYS: {
                    target: 'confirming',
                    actions: assign(({ context, event }) => ({ lost: { ...context.lost, selected: event.ids.filter((id) => context.lost.keys.some((k) => k.id === id)), error: null } })),
                  },
                  REVOKE_SESSIONS: 'revoking',
                  CONTINUE: 'continuing',
                },
              },
              confirming: {
                on: {
                  CONFIRM_DELETE_KEYS: { guard: 'hasSelection', target: 'deleting' },
                  DISMISS: { target: 'choosing', actions: assign(({ context }) => ({ lost: { ...context.lost, selected: [] } })) },
                },
              },
              deleting: {
                invoke: {
                  src: 'deleteKeys',
                  input: ({ context }) => ({ ...lostKeyInput(context), ids: context.lost.selected }),
                  onDone: { target: 'loading', actions: assign(({ context, event }) => ({ lost: { ...context.lost, deleted: [...context.lost.deleted, ...event.output] } })) },
                  onError: [
                    { guard: 'unauthenticated', target: '#station.reauth', actions: assign(({ event }) => ({ error: describeFailure('lost-key', event.error) })) },
                    { target: 'loading', actions: assign(({ context, event }) => ({ lost: { ...context.lost, error: describeFailure('lost-key', event.error) } })) },
                  ],
                },
              },
              revoking: {
                invoke: {
                  src: 'revokeSessions',
                  input: ({ context }) => lostKeyInput(context),
                  onDone: { target: 'choosing', actions: assign(({ context }) => ({ lost: { ...context.lost, revoked: true, error: null } })) },
                  onError: [
                    { guard: 'unauthenticated', target: '#station.reauth', actions: assign(({ event }) => ({ error: describeFailure('lost-key', event.error) })) },
                    { target: 'choosing', actions: assign(({ context, event }) => ({ lost: { ...context.lost, error: describeFailure('lost-key', event.error) } })) },
                  ],
                },
              },
              continuing: { always: '#station.operator.checking' },
            },
          },
          cleaningUp: {
            // Nothing interrupts a cleanup; commands wait for it (it is short: one DELETE attempt and a wipe).
            on: { LOCK: {}, SIGN_OUT: {}, CANCEL: {}, IDLE: {}, QUIT: { actions: assign({ quitRequested: true }) } },
            entry: assign({ pass: null, handoverEndsAt: null }),
            invoke: {
              src: 'cleanup',
              input: ({ context }) => ({ why: context.why, enrollmentId: context.enrollmentId, operator: context.operator, card: context.card, tap: context.tap, error: context.error }),
              onDone: [
                {
                  guard: ({ context }) => context.quitRequested && context.why !== 'quit',
                  target: '#station.quitting',
                  actions: assign(({ event }) => ({ ...forgetPerson, pendingDeletions: event.output.pending })),
                },
                { guard: ({ context }) => context.why === 'quit', target: '#station.stopped', actions: assign(({ event }) => ({ ...forgetPerson, operator: null, pendingDeletions: event.output.pending })) },
                { guard: ({ context }) => context.why === 'locked' || context.why === 'idle', target: '#station.locked', actions: assign(({ event }) => ({ ...forgetPerson, operator: null, pendingDeletions: event.output.pending })) },
                { guard: ({ context }) => context.why === 'signed-out', target: '#station.signedOut', actions: assign(({ event }) => ({ ...forgetPerson, operator: null, pendingDeletions: event.output.pending })) },
                { guard: ({ context }) => context.enrollmentId === null && context.error === null, target: 'ready', actions: assign(({ event }) => ({ pendingDeletions: event.output.pending })) },
                { guard: ({ context }) => context.why === 'completed', target: 'done', actions: assign(({ event }) => ({ cleanup: event.output.report, tap: null, pendingDeletions: event.output.pending, nextAt: clock.now() + DONE_MS })) },
                { guard: ({ context }) => context.why === 'window-expired' || context.why === 'lifetime-expired', target: 'timedOut', actions: assign(({ event }) => ({ cleanup: event.output.report, tap: null, pendingDeletions: event.output.pending })) },
                { guard: ({ context }) => context.why === 'failed', target: 'failed', actions: assign(({ event }) => ({ cleanup: event.output.report, tap: null, pendingDeletions: event.output.pending })) },
                { target: 'cancelled', actions: assign(({ event }) => ({ cleanup: event.output.report, tap: null, pendingDeletions: event.output.pending, nextAt: clock.now() + DONE_MS })) },
              ],
              // The cleanup itself failed (the journal, or the view would not wipe): say so; the deletion is queued regardless.
              onError: {
                target: 'failed',
                actions: assign(({ context, event }) => ({
                  error: failureAs('cleanup.failed', 'cleanup', event.error),
                  cleanup: { tap: context.tap ? ('pending' as const) : ('none' as const), viewWiped: false },
                  tap: null,
                })),
              },
            },
          },
          done: {
            after: { next: 'ready' },
            on: { DISMISS: 'ready', SEARCH: { target: 'searching', actions: assign(({ event }) => ({ ...forgetPerson, query: event.query })) } },
          },
          cancelled: {
            after: { next: 'ready' },
            on: { DISMISS: 'ready' },
          },
          failed: {
            on: { DISMISS: 'ready', IDLE: { target: 'cleaningUp', actions: assign({ ...forgetPerson, why: 'idle' as const }) } },
          },
          timedOut: {
            on: { DISMISS: 'ready', IDLE: { target: 'cleaningUp', actions: assign({ ...forgetPerson, why: 'idle' as const }) } },
          },
        },
      },
    },
  });
}

/** The deadline is counted on the station's clock from the answer (a little after Microsoft's start), so
 *  every countdown runs on one clock; Microsoft enforces its own expiry regardless. */
function liveTap(output: { intentId: string; tap: TapMethod }, context: SessionContext, now: number): LiveTap {
  return {
    intentId: output.intentId,
    method: output.tap,
    expiresAt: now + output.tap.lifetimeInMinutes * 60_000,
    aaguid: context.preflight?.key.aaguid ?? null,
  };
}

export type EnrollmentMachine = ReturnType<typeof createEnrollmentMachine>;
