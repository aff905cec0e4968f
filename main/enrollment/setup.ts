/**
 * The station chart's vocabulary: XState's `setup` (types, actors, guards, delays, named actions) and the routes
 * the chart repeats, each defined once here:
 *   - `windUp(why)`: to `cleaningUp`, remembering why (cancel, idle lock, a timeout…);
 *   - `graphFailed(step, otherwise)`: an invoked call failed; "sign in again" goes to `reauth`, anything else
 *     to `otherwise` (by default `failedAt(step)`: cleanup, then the failed screen).
 * machine.ts (the chart) and its parts (pass-states.ts, cleanup-state.ts, lost-key.ts, provision-state.ts,
 * recycle-state.ts) are written with these.
 */
import { assign, enqueueActions, setup } from 'xstate';
import type { SessionError } from '../../common/session';
import type { JournalHealthCode } from '../../common/codes';
import type { KeyWatcherState } from '../keys/watcher';
import { createActors } from './actors';
import { provisionActors } from './provision-actors';
import { modeAvailable } from './modes';
import { recycleActors } from './recycle-actors';
import { forgetPerson, recomputePreflight, type CleanupWhy, type MachineDeps, type SessionContext, type SessionEvent } from './context';
import { describeFailure, isUnauthenticated } from './failures';
import type { ChartTag } from './snapshot';

export function stationSetup(deps: MachineDeps) {
  const { clock, station } = deps;
  const untilDeadline = (at: number | null | undefined) => Math.max(0, (at ?? 0) - clock.now());
  return setup({
    types: {
      context: {} as SessionContext,
      events: {} as SessionEvent,
      input: {} as { keys?: KeyWatcherState } | undefined,
      tags: {} as ChartTag,
    },
    actors: { ...createActors(deps), ...provisionActors(deps), ...recycleActors(deps.recycle) },
    delays: {
      handover: ({ context }) => untilDeadline(context.handoverEndsAt),
      tapExpiry: ({ context }) => untilDeadline(context.tap?.expiresAt),
      window: ({ context }) => untilDeadline(context.windowEndsAt),
      next: ({ context }) => untilDeadline(context.nextAt),
    },
    guards: {
      // Only an invoked actor's error event carries `error`; the chart's own events never do.
      unauthenticated: ({ event }) => 'error' in event && isUnauthenticated(event.error),
      // The pass is for My Security Info: not when the configuration (or the event's) turned that mode off.
      preflightGo: ({ context }) => modeAvailable(context.preflight, context.modes, 'security-info', context.eventModes),
      journalWritable: ({ context }) => context.journal === 'ok',
      canRecycle: ({ context }) => deps.recycle !== undefined && context.journal === 'ok',
      hasExistingTap: ({ context }) => context.card?.tap != null,
      cancelRequested: ({ context }) => context.cancelRequested,
      hasSelection: ({ context }) => context.lost.selected.length > 0,
      revokedMidEnrollment: ({ context }) => context.signInReason === 'token-revoked' && context.enrollmentId !== null,
      reauthenticating: ({ context }) => context.signInReason === 'token-revoked',
    },
    actions: {
      armIdle: enqueueActions(({ enqueue }) => {
        enqueue.cancel('idle');
        enqueue.raise({ type: 'IDLE' }, { id: 'idle', delay: station.idleLockMinutes * 60_000 });
      }),
      setKeys: assign(({ context }, params: { keys: KeyWatcherState }) => ({
        keys: params.keys,
        preflight: context.preflight ? recomputePreflight(station, context, { keys: params.keys }) : null,
      })),
      setJournal: assign(({ context }, params: { health: JournalHealthCode }) => ({
        journal: params.health,
        preflight: context.preflight ? recomputePreflight(station, context, { journal: params.health }) : null,
      })),
      windUp: assign((_, params: { why: CleanupWhy }) => ({ why: params.why })),
      forgetPerson: assign({ ...forgetPerson }),
      // Event mode, back to the results (no cleanup runs there): the claim goes back; a failed release is retried.
      // `failed`: cancelled after a failure the operator saw (a provisioning at the desk), released as that.
      giveClaimBack: enqueueActions(({ context, enqueue }, params?: { reason: 'failed' }) => {
        const claim = context.claim;
        const reason = params?.reason ?? 'cancelled';
        if (claim?.ok) enqueue(() => void deps.event?.release(claim.claimId, reason));
        enqueue.assign({ claim: null, eventModes: null });
      }),
      cancelAfterAnswer: assign((_, params: { why: CleanupWhy }) => ({ cancelRequested: true, why: params.why })),
      noteError: assign((_, params: { error: SessionError }) => ({ error: params.error })),
      fail: assign((_, params: { error: SessionError }) => ({ why: 'failed' satisfies CleanupWhy, error: params.error })),
      noteLostKeyError: assign(({ context }, params: { error: SessionError }) => ({ lost: { ...context.lost, error: params.error } })),
    },
  });
}

export type StationSetup = ReturnType<typeof stationSetup>;

const CLEANING_UP = '#station.operator.cleaningUp';

/** To `cleaningUp`, which deletes the TAP (if any), wipes the view and goes on by `why`. */
export const windUp = (why: CleanupWhy) => ({ target: CLEANING_UP, actions: { type: 'windUp', params: { why } } }) as const;

/** The same from `failed` / `timedOut`, where the person's data is dropped first (it was cleaned up already). */
export const forgetAndWindUp = (why: CleanupWhy) => ({ target: CLEANING_UP, actions: ['forgetPerson', { type: 'windUp', params: { why } }] }) as const;

/** Every state with a person: cancel and the idle lock wind the enrollment up. */
export const PERSON_EXITS = { CANCEL: windUp('cancelled'), IDLE: windUp('idle') } as const;

type Failed = { event: { error: unknown } };

/** An invoked step failed: clean up, then the failed screen with the error of `step`. */
export const failedAt = (step: string) =>
  ({ target: CLEANING_UP, actions: { type: 'fail', params: ({ event }: Failed) => ({ error: describeFailure(step, event.error) }) } }) as const;

/**
 * The one error route of every Graph step: a call answering "sign in again" goes to `reauth` (the TAP stays in
 * the context and is deleted after the operator signs in again); anything else to `otherwise`.
 */
export function graphFailed<T>(step: string, otherwise: T) {
  return [
    {
      guard: 'unauthenticated',
      target: '#station.reauth',
      actions: { type: 'noteError', params: ({ event }: Failed) => ({ error: describeFailure(step, event.error) }) },
    },
    otherwise,
  ] as const;
}

/** The usual case: a failed Graph step is either "sign in again" or a failed enrollment. */
export const graphStepFailed = (step: string) => graphFailed(step, failedAt(step));
