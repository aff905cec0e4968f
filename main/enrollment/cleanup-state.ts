/**
 * How an enrollment ends, in the station chart: `cleaningUp`, the one way out of every enrollment (the TAP deleted or
 * left queued in the deleter, retried until it succeeds; the My Security Info view wiped; both journalled), and the
 * end screens it leads to by `why` in the context: done, cancelled (both back to ready after 5 s), failed, timedOut;
 * or, for a lock, a sign-out or quit, locked, signedOut or stopped.
 */
import { assign } from 'xstate';
import { DONE_MS, type CleanupReport } from '../../common/session';
import { forgetPerson, type MachineDeps, type SessionContext } from './context';
import { failureAs } from './failures';
import { forgetAndWindUp, type StationSetup } from './setup';

type CleanedUp = { report: CleanupReport; pending: number }; // what the cleanup actor answers
/** After a lock, a sign-out or quit: nobody is served and no operator is signed in. */
const nobody = (done: CleanedUp): Partial<SessionContext> => ({ ...forgetPerson, operator: null, pendingDeletions: done.pending });

export function cleaningUpState(s: StationSetup, { clock }: Pick<MachineDeps, 'clock'>) {
  /** The end screen of an enrollment shows what the cleanup did; `done` and `cancelled` move on after 5 s. */
  const report = (done: CleanedUp, moveOn: boolean): Partial<SessionContext> => ({
    cleanup: done.report,
    tap: null,
    pendingDeletions: done.pending,
    ...(moveOn ? { nextAt: clock.now() + DONE_MS } : {}),
  });
  return s.createStateConfig({
    tags: ['cleaning-up'],
    // Nothing interrupts a cleanup; commands wait for it (it is short: one DELETE attempt and a wipe).
    on: { LOCK: {}, SIGN_OUT: {}, CANCEL: {}, IDLE: {}, QUIT: { actions: assign({ quitRequested: true }) } },
    entry: assign({ pass: null, handoverEndsAt: null }),
    invoke: {
      src: 'cleanup',
      input: ({ context }) => ({
        why: context.why,
        claim: context.claim,
        enrollmentId: context.enrollmentId,
        operator: context.operator,
        card: context.card,
        tap: context.tap,
        error: context.error,
      }),
      onDone: [
        {
          guard: ({ context }) => context.quitRequested && context.why !== 'quit',
          target: '#station.quitting',
          actions: assign(({ event }) => ({ ...forgetPerson, pendingDeletions: event.output.pending })),
        },
        { guard: ({ context }) => context.why === 'quit', target: '#station.stopped', actions: assign(({ event }) => nobody(event.output)) },
        {
          guard: ({ context }) => context.why === 'locked' || context.why === 'idle' || context.why === 'done-then-idle',
          target: '#station.locked',
          actions: assign(({ context, event }) => ({
            ...nobody(event.output),
            lockedBy: context.operator ? { upn: context.operator.userPrincipalName, displayName: context.operator.displayName } : context.lockedBy,
          })),
        },
        { guard: ({ context }) => context.why === 'signed-out', target: '#station.signedOut', actions: assign(({ event }) => nobody(event.output)) },
        {
          guard: ({ context }) => context.enrollmentId === null && context.error === null,
          target: 'ready',
          actions: assign(({ event }) => ({ pendingDeletions: event.output.pending })),
        },
        { guard: ({ context }) => context.why === 'completed', target: 'done', actions: assign(({ event }) => report(event.output, true)) },
        {
          guard: ({ context }) => context.why === 'window-expired' || context.why === 'lifetime-expired',
          target: 'timedOut',
          actions: assign(({ event }) => report(event.output, false)),
        },
        { guard: ({ context }) => context.why === 'failed', target: 'failed', actions: assign(({ event }) => report(event.output, false)) },
        { target: 'cancelled', actions: assign(({ event }) => report(event.output, true)) },
      ],
      // The cleanup itself failed (the journal, or the view would not wipe): say so; the deletion is queued regardless.
      onError: {
        target: 'failed',
        actions: assign(({ context, event }) => ({
          error: failureAs('cleanup.failed', 'cleanup', event.error),
          cleanup: { tap: context.tap ? 'pending' : 'none', viewWiped: false },
          tap: null,
        })),
      },
    },
  });
}

/** The end screens after a cleanup: done and cancelled go back to ready after 5 s, failed and timedOut wait. */
export function endStates(s: StationSetup) {
  return {
    done: s.createStateConfig({
      tags: ['done'],
      after: { next: 'ready' },
      on: { DISMISS: 'ready', SEARCH: { target: 'searching', actions: assign(({ event }) => ({ ...forgetPerson, query: event.query })) } },
    }),
    cancelled: s.createStateConfig({
      tags: ['cancelled'],
      after: { next: 'ready' },
      on: { DISMISS: 'ready' },
    }),
    failed: s.createStateConfig({
      tags: ['failed'],
      on: { DISMISS: 'ready', IDLE: forgetAndWindUp('idle') },
    }),
    timedOut: s.createStateConfig({
      tags: ['timed-out'],
      on: { DISMISS: 'ready', IDLE: forgetAndWindUp('idle') },
    }),
  };
}
