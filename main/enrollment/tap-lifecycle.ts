/**
 * The real TAP lifecycle services behind the machine's LifecyclePort (lifecycle.ts): the issuer (tap/issuer.ts,
 * journal first, then Graph), the deletion queue (tap/deleter.ts) and the completion watch (tap/completion.ts),
 * adapted to the four jobs the chart asks for. EnrollmentSession (session.ts) builds one unless a test passes its own.
 */
import type { IssueNotice } from '../../common/codes';
import type { TapDeleter } from '../tap/deleter';
import { issueTap, type PassGuard } from '../tap/issuer';
import { LifetimeRangeMemory } from '../tap/lifetime-range';
import { watchCompletion, type CompletionDeps, type CompletionRequest, type CompletionWatch } from '../tap/completion';
import type { PollSchedule } from '../tap/poll-schedule';
import type { Timers } from '../tap/scheduling';
import type { LifecyclePort } from './lifecycle';
import type { AuditPort, ClockPort, DirectoryPort, KeysPort, SecurityInfoViewPort } from './ports';

/** The real lifecycle services (issuer, deletion queue, completion watch) behind the machine's LifecyclePort. */
export function createLifecycle(o: {
  directory: DirectoryPort;
  journal: AuditPort & { guard: PassGuard };
  keys: KeysPort;
  view: SecurityInfoViewPort;
  deleter: TapDeleter;
  clock: ClockPort;
  timers: Timers;
  pollSchedule?: Partial<PollSchedule> | undefined;
}): LifecyclePort {
  // The tenant's TAP lifetime range as Graph's refusals taught it, for as long as this station runs (3b).
  const lifetimeRange = new LifetimeRangeMemory();
  const completionDeps: CompletionDeps = { directory: o.directory, audit: o.journal, keys: o.keys, view: o.view, clock: o.clock, timers: o.timers };
  const schedule = o.pollSchedule ? { schedule: o.pollSchedule } : {};
  /**
   * The session's one way to watch a TAP (tap/completion.ts does the detecting): a completion watch until `pick`
   * resolves or the invoking state is left (the actor's signal aborts). The watch keeps polling through Graph
   * failures (the machine's countdowns bound it), except one: a poll refused because the operator's sign-in ended
   * would fail until the TAP expires, so it ends the watch with `unauthenticated` and the machine asks the
   * operator to sign in again.
   */
  const watchUntil = <T>(request: CompletionRequest, pick: (watch: CompletionWatch) => Promise<T>, signal: AbortSignal): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      let watch: CompletionWatch | null = null;
      const end = () => {
        watch?.stop();
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        end();
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      watch = watchCompletion(request, completionDeps, (event) => {
        if (event.type === 'poll-failed' && event.failure.kind === 'unauthenticated') {
          end();
          reject(Object.assign(new Error('the operator must sign in again'), { kind: 'unauthenticated' as const }));
        }
      });
      pick(watch).then((value) => {
        end();
        resolve(value);
      }, reject);
    });
  return {
    async issue(request, signal) {
      const issued = await issueTap(
        {
          enrollmentId: request.enrollmentId,
          operator: request.operator,
          user: request.user,
          lifetimeInMinutes: request.lifetimeMinutes,
          isUsableOnce: request.oneTime,
          replaceExisting: request.replaceExisting,
          knownTaps: request.knownTaps,
          userCreatedDateTime: request.userCreatedDateTime,
          ...(request.onWaiting ? { onWaitingForNewAccount: request.onWaiting } : {}),
          signal,
        },
        { directory: o.directory, audit: o.journal, guard: o.journal.guard, deleter: o.deleter, lifetimeRange, timers: o.timers, now: () => o.clock.now() },
      );
      const adjusted = issued.lifetimeAdjusted;
      const notices: IssueNotice[] = adjusted
        ? [{ code: adjusted.code, params: { requested: adjusted.requested, issued: adjusted.issued, min: adjusted.range.min, max: adjusted.range.max } }]
        : [];
      return { intentId: issued.intentId, tap: issued.tap, pass: issued.takePass(), requestId: issued.requestId, notices };
    },
    async delete(request) {
      const outcome = await o.deleter.delete(
        { intentId: request.intentId, enrollmentId: request.enrollmentId ?? undefined, user: request.user, tapMethodId: request.tapId },
        request.reason,
      );
      return { deleted: outcome.deleted };
    },
    awaitSignIn: (request, signal) =>
      watchUntil(
        { enrollmentId: request.enrollmentId, user: request.user, tap: request.tap, stationAaguid: request.stationAaguid, ...schedule },
        (w) => w.signedIn,
        signal,
      ),
    async awaitRegistration(request, signal) {
      const key = await watchUntil(
        {
          enrollmentId: request.enrollmentId,
          user: request.user,
          tap: request.tap,
          stationAaguid: request.stationAaguid,
          signedIn: request.signedIn,
          ...schedule,
        },
        (w) => w.registered,
        signal,
      );
      return { method: key.method, stationKey: key.stationKey };
    },
    pendingDeletions: () => o.deleter.pending().length,
    drain: async (timeoutMs) => (await o.deleter.drain(timeoutMs)).length,
  };
}
