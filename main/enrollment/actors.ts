/**
 * The station chart's actors: every piece of I/O the chart (machine.ts) invokes, through the ports (ports.ts)
 * and the TAP lifecycle services (lifecycle.ts). Each takes a typed slice of the context as input and checks what
 * the state guarantees (`need`): a broken invariant rejects, and the invoking state's error route handles it.
 */
import { fromCallback, fromPromise } from 'xstate';
import { auditEvents, JournalBrokenError, type AuditEvent } from '../audit';
import type { IdentityCard, PolicyRead, QueryKind, SecurityKeyMethod, TapMethod, TapPolicy, UserSummary } from '../../common/directory';
import type { OperatorIdentity } from '../../common/operator';
import type { IssueNotice, JournalHealthCode } from '../../common/codes';
import type { CleanupReport, EnrollmentMode, IdDocument, SessionError } from '../../common/session';
import type { Fido2KeyPolicy } from '../keys/readiness';
import { ViewProgress } from '../tap/view-progress';
import {
  need,
  operatorRef,
  recomputePreflight,
  userRef,
  type CleanupWhy,
  type LiveTap,
  type MachineDeps,
  type SessionContext,
  type SessionEvent,
} from './context';
import type { DeleteRequest, IssueWait, Registration, SignInObserved } from './lifecycle';
import type { PolicyTargets, PreflightResult } from './preflight';
import type { ClaimResult, ReleaseReason } from '../event';

/** The journal cannot record now (its health): nothing was sent to Microsoft. */
export class JournalUnwritableError extends Error {
  override readonly name = 'JournalUnwritableError';
  constructor(readonly health: Exclude<JournalHealthCode, 'ok'>) {
    super(`the audit journal cannot be written (${health}); nothing was changed`);
  }
}

/** Who is being served, as the context holds it (each part null until the chart has it). */
export type PersonInput = Pick<SessionContext, 'enrollmentId' | 'operator' | 'card'>;
export const personInput = ({ enrollmentId, operator, card }: SessionContext): PersonInput => ({ enrollmentId, operator, card });

function person(input: PersonInput): { enrollmentId: string; operator: OperatorIdentity; card: IdentityCard } {
  return { enrollmentId: need(input.enrollmentId, 'enrollment id'), operator: need(input.operator, 'operator'), card: need(input.card, 'person') };
}

/** What the TAP watch needs: the person and the live TAP. */
export type WatchInput = Pick<SessionContext, 'enrollmentId' | 'card' | 'tap'>;

export interface CleanupInput {
  why: CleanupWhy;
  /** Event mode: the claim to give back (absent or not ok: nothing to release). */
  claim?: ClaimResult | null;
  enrollmentId: string | null;
  operator: OperatorIdentity | null;
  card: IdentityCard | null;
  tap: LiveTap | null;
  error: SessionError | null;
}

const DELETE_REASON: Record<CleanupWhy, DeleteRequest['reason']> = {
  completed: 'completed',
  'done-then-idle': 'completed',
  cancelled: 'cancelled',
  'window-expired': 'window-expired',
  'lifetime-expired': 'lifetime-expired',
  failed: 'failed',
  'signed-out': 'signed-out',
  locked: 'signed-out',
  idle: 'signed-out',
  quit: 'quit',
};
const CLAIM_RELEASE: Record<CleanupWhy, ReleaseReason> = {
  completed: 'done',
  'done-then-idle': 'done',
  cancelled: 'cancelled',
  'window-expired': 'timed-out',
  'lifetime-expired': 'timed-out',
  failed: 'failed',
  'signed-out': 'cancelled',
  locked: 'cancelled',
  idle: 'cancelled',
  quit: 'cancelled',
};
const WIPE_REASON: Record<CleanupWhy, 'completed' | 'cancelled' | 'timed-out' | 'failed' | 'signed-out'> = {
  completed: 'completed',
  'done-then-idle': 'completed',
  cancelled: 'cancelled',
  'window-expired': 'timed-out',
  'lifetime-expired': 'timed-out',
  failed: 'failed',
  'signed-out': 'signed-out',
  locked: 'signed-out',
  idle: 'signed-out',
  quit: 'signed-out',
};

export function createActors(deps: MachineDeps) {
  const { directory, lifecycle, audit, station } = deps;
  const write = (event: AuditEvent) => audit.append(event);
  /** Before a change at Microsoft the journal must record: refuse up front (JournalUnwritableError) unless it can. */
  const journalMustWork = async () => {
    const health = (await audit.probe?.()) ?? 'ok';
    if (health !== 'ok') throw new JournalUnwritableError(health);
  };
  /** Event mode: claim the person before anything is spent; a claim made after the state was left goes back at once. */
  const claimFor = async (operator: OperatorIdentity | null, card: IdentityCard, signal: AbortSignal): Promise<ClaimResult | null> => {
    if (!deps.event?.active()) return null;
    const claim = await deps.event.claim(operatorRef(need(operator, 'operator')), userRef(card));
    if (signal.aborted && claim.ok) void deps.event.release(claim.claimId, 'cancelled');
    return claim;
  };
  const watchRequest = (input: WatchInput) => {
    const tap = need(input.tap, 'TAP');
    return { enrollmentId: need(input.enrollmentId, 'enrollment id'), user: userRef(need(input.card, 'person')), tap: tap.method, stationAaguid: tap.aaguid };
  };

  return {
    signIn: fromPromise<OperatorIdentity, { reason: SessionContext['signInReason']; previous: OperatorIdentity | null; loginHint: string | null }>(
      async ({ input, signal }) => {
        if (input.reason === 'token-revoked' && input.previous) {
          await write(auditEvents.operatorSignedOut({ operator: operatorRef(input.previous), reason: 'token-revoked' }));
        }
        const who = await deps.operator.signIn(signal, input.loginHint ? { loginHint: input.loginHint } : undefined);
        await write(auditEvents.operatorSignedIn({ operator: operatorRef(who), roles: who.roleNames }));
        return who;
      },
    ),

    search: fromPromise<{ kind: QueryKind; users: UserSummary[]; enrollmentId: string }, { query: string; operator: OperatorIdentity | null }>(
      async ({ input, signal }) => {
        const operator = need(input.operator, 'operator');
        const found = await directory.searchUsers(input.query, signal);
        const enrollmentId = deps.newId();
        await write(auditEvents.lookup({ enrollmentId, operator: operatorRef(operator), queryKind: found.kind, results: found.users.length }));
        return { ...found, enrollmentId };
      },
    ),

    loadCard: fromPromise<
      { card: IdentityCard; claim: ClaimResult | null; eventModes: readonly EnrollmentMode[] | null },
      { userId: string | null; operator: OperatorIdentity | null }
    >(async ({ input, signal }) => {
      const card = await directory.identityCard(need(input.userId, 'selected user'), signal);
      const claim = await claimFor(input.operator, card, signal);
      // In event mode (a claim was tried) the event's modes narrow the station's, for every mode: the pass and the desk.
      return { card, claim, eventModes: claim && deps.event ? deps.event.modes() : null };
    }),

    readPolicies: fromPromise<
      {
        card: IdentityCard;
        tapPolicy: PolicyRead<TapPolicy>;
        fido2Policy: PolicyRead<Fido2KeyPolicy & PolicyTargets>;
        preflight: PreflightResult | null;
        journal: JournalHealthCode;
        identityRecorded: boolean;
        claim: ClaimResult | null;
      },
      { context: SessionContext; document: IdDocument | null; recheck: boolean }
    >(async ({ input, signal }) => {
      const p = person(input.context);
      // First the journal: can it record what this pre-flight may lead to? (A broken one is resumed if it can be.)
      // While it cannot, the identity check is not recorded and the checks end refused; it is recorded at the next.
      const journal = (await audit.probe?.()) ?? 'ok';
      let identityRecorded = input.context.identityRecorded;
      if (!identityRecorded && journal === 'ok') {
        const document = need(input.document, 'identity document');
        await write(auditEvents.identityChecked({ enrollmentId: p.enrollmentId, operator: operatorRef(p.operator), user: userRef(p.card), document }));
        identityRecorded = true;
      }
      // The card is read again: a lost-key deletion or another operator may have changed it meanwhile.
      // An operator whose roles cannot read the policies (an Authentication Administrator alone) is not sent to
      // collect two 403s: the checks say "cannot read with your role" all the same, two requests fewer.
      const unreadable = { readable: false, reason: 'forbidden', requestId: null } as const;
      const [card, tapPolicy, fido2Policy] = await Promise.all([
        input.recheck ? directory.identityCard(p.card.id, signal) : Promise.resolve(p.card),
        p.operator.mayReadPolicies ? directory.tapPolicy(signal) : Promise.resolve(unreadable),
        p.operator.mayReadPolicies ? directory.fido2Policy(signal) : Promise.resolve(unreadable),
      ]);
      // Event mode, checked again: a claim another station held may have been released meanwhile.
      const held = input.context.claim;
      const claim = input.recheck && held && !held.ok ? await claimFor(p.operator, card, signal) : held;
      const preflight = recomputePreflight(station, input.context, { card, tapPolicy, fido2Policy, journal, claim });
      // A refusal is journalled here, where the operator sees it (unless the journal is what refuses); a go is
      // journalled when they press Issue.
      if (preflight?.verdict === 'refused' && journal === 'ok') {
        await write(
          auditEvents.preflight({
            enrollmentId: p.enrollmentId,
            user: userRef(card),
            verdict: 'refused',
            failedChecks: preflight.checks.filter((c) => c.status === 'fail').map((c) => c.code),
            lifetimeMinutes: Math.min(43_200, Math.max(10, preflight.lifetimeMinutes)),
            oneTime: preflight.oneTime,
          }),
        );
      }
      return { card, tapPolicy, fido2Policy, preflight, journal, identityRecorded, claim };
    }),

    issue: fromPromise<
      { intentId: string; tap: TapMethod; pass: string; notices: IssueNotice[] },
      PersonInput & { preflight: PreflightResult | null; replaceExisting: boolean }
    >(async ({ input, signal, self }) => {
      const { enrollmentId, operator, card } = person(input);
      const preflight = need(input.preflight, 'pre-flight');
      // The chart shows the wait for a brand-new account (and lets cancel end it): ISSUE_WAIT to the session.
      const onWaiting = (wait: IssueWait | null) => self._parent?.send({ type: 'ISSUE_WAIT', wait } satisfies SessionEvent);
      await write(
        auditEvents.preflight({
          enrollmentId,
          user: userRef(card),
          verdict: 'go',
          failedChecks: [],
          lifetimeMinutes: preflight.lifetimeMinutes,
          oneTime: preflight.oneTime,
        }),
      );
      if (preflight.key.aaguid && preflight.key.model) {
        await write(auditEvents.keyDetected({ enrollmentId, aaguid: preflight.key.aaguid, model: preflight.key.model.slice(0, 120) }));
      }
      const outcome = await lifecycle.issue(
        {
          enrollmentId,
          operator: operatorRef(operator),
          user: userRef(card),
          lifetimeMinutes: preflight.lifetimeMinutes,
          oneTime: preflight.oneTime,
          replaceExisting: input.replaceExisting,
          knownTaps: card.tap ? [card.tap] : [],
          userCreatedDateTime: card.createdDateTime ?? null,
          onWaiting,
        },
        signal,
      );
      return { intentId: outcome.intentId, tap: outcome.tap, pass: outcome.pass, notices: outcome.notices };
    }),

    openView: fromPromise<void, void>(() => deps.view.open(station.mySecurityInfoUrl, { language: deps.language?.() ?? 'en' })),

    // Where the user is, from the view's hops between Microsoft's hosts (view-progress.ts), for the guide panel.
    viewSteps: fromCallback<SessionEvent>(({ sendBack }) => {
      const progress = new ViewProgress();
      return deps.view.onNavigation((navigation) => {
        const phase = progress.phaseOf(navigation);
        if (phase !== 'unknown') sendBack({ type: 'VIEW', phase });
      });
    }),

    // The session's completion watch (session.ts, over tap/completion.ts); both journal their own records
    // (signin.observed, key.registered).
    awaitSignIn: fromPromise<SignInObserved, WatchInput>(({ input, signal }) => lifecycle.awaitSignIn(watchRequest(input), signal)),
    awaitRegistration: fromPromise<Registration, WatchInput & { signedIn: SignInObserved }>(({ input, signal }) =>
      lifecycle.awaitRegistration({ ...watchRequest(input), signedIn: input.signedIn }, signal),
    ),

    // Undoing never waits on the journal: the pass is deleted, the view wiped and the operator signed out even when
    // a record cannot be written (each is tried; the journal's outage is its own `resumed` record later, and a
    // deletion it missed leaves the intent open for crash recovery). The station status says the journal is down.
    cleanup: fromPromise<{ report: CleanupReport; pending: number }, CleanupInput>(async ({ input }) => {
      const record = (event: AuditEvent) =>
        write(event).catch((error: unknown) => {
          if (!(error instanceof JournalBrokenError)) throw error;
        });
      if (input.error) {
        await record(
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
      // Event mode: the claim goes back after the pass (a failed release stays held and is retried).
      if (input.claim?.ok) await deps.event?.release(input.claim.claimId, CLAIM_RELEASE[input.why]);
      let viewWiped = false;
      if (input.enrollmentId) {
        await deps.view.wipe();
        viewWiped = true;
        await record(auditEvents.sessionWiped({ enrollmentId: input.enrollmentId, reason: WIPE_REASON[input.why] }));
      }
      const idle = input.why === 'idle' || input.why === 'done-then-idle';
      if (input.operator && (input.why === 'locked' || idle || input.why === 'signed-out' || input.why === 'quit')) {
        await record(
          input.why === 'locked' || idle
            ? auditEvents.operatorLocked({ operator: operatorRef(input.operator), reason: idle ? 'idle' : 'manual' })
            : auditEvents.operatorSignedOut({ operator: operatorRef(input.operator), reason: input.why === 'quit' ? 'quit' : 'manual' }),
        );
        await deps.operator.signOut();
      }
      return { report: { tap, viewWiped }, pending: lifecycle.pendingDeletions() };
    }),

    // The lost-key branch (lost-key.ts). Each deletion and the revocation is journalled (key.removed,
    // sessions.revoked) with Graph's request id.
    listKeys: fromPromise<SecurityKeyMethod[], { card: IdentityCard | null }>(({ input, signal }) =>
      directory.listSecurityKeys(need(input.card, 'person').id, signal),
    ),

    deleteKeys: fromPromise<string[], PersonInput & { keys: SecurityKeyMethod[]; ids: string[] }>(async ({ input, signal }) => {
      const { enrollmentId, operator, card } = person(input);
      await journalMustWork();
      const done: string[] = [];
      for (const id of input.ids) {
        const { requestId } = await directory.deleteSecurityKey(card.id, id, signal);
        const key = input.keys.find((k) => k.id === id);
        await write(
          auditEvents.keyRemoved({
            enrollmentId,
            operator: operatorRef(operator),
            user: userRef(card),
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

    revokeSessions: fromPromise<void, PersonInput>(async ({ input, signal }) => {
      const { enrollmentId, operator, card } = person(input);
      await journalMustWork();
      const { requestId } = await directory.revokeSignInSessions(card.id, signal);
      await write(auditEvents.sessionsRevoked({ enrollmentId, operator: operatorRef(operator), user: userRef(card), requestId }));
    }),
  };
}
