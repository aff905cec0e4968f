/**
 * The pass's part of the station chart: `issuing` (the TAP is created: journal first, then Graph; tap/issuer.ts
 * behind LifecyclePort.issue) and `live` (a TAP exists at Microsoft: the hand-over, the wait for the sign-in, the
 * registration window). Every way out of `live` goes through `cleaningUp` (cleanup-state.ts).
 *
 *   issuing ─created→ live{ awaitingSignIn{ handover ─HANDED_OVER or 60 s→ waiting } ─sign-in seen→ signedIn }
 *   signedIn ─key found→ cleaningUp (completed);  tapExpiry / window → cleaningUp (timed out)
 */
import { assign } from 'xstate';
import { HANDOVER_MS, REGISTRATION_WINDOW_MS } from '../../common/session';
import { personInput } from './actors';
import { liveTap, type MachineDeps, type SessionContext } from './context';
import { failureAs } from './failures';
import { afterView } from './freshness';
import { graphStepFailed, windUp, type StationSetup } from './setup';
import { pastPassPrompt } from './snapshot';

// Cancel, quit, lock and sign-out while the create call is in flight wait for its answer: the TAP it may have made is deleted.
const afterTheAnswer = (why: SessionContext['why']) => ({ actions: { type: 'cancelAfterAnswer', params: { why } } }) as const;

export function issuingState(s: StationSetup, { clock }: Pick<MachineDeps, 'clock'>) {
  return s.createStateConfig({
    tags: ['issuing'],
    on: {
      // Waiting between attempts for an account created minutes ago, no request is under way: cancel ends
      // the wait at once (leaving stops the actor; the issuer makes no further request). Otherwise the
      // answer to the POST in flight is awaited first, so a pass it created is known and deleted.
      CANCEL: [{ guard: ({ context }) => context.issueWait !== null, ...windUp('cancelled') }, afterTheAnswer('cancelled')],
      QUIT: afterTheAnswer('quit'),
      LOCK: afterTheAnswer('locked'),
      SIGN_OUT: afterTheAnswer('signed-out'),
      ISSUE_WAIT: { actions: assign(({ event }) => ({ issueWait: event.wait })) },
    },
    exit: assign({ issueWait: null }),
    invoke: {
      src: 'issue',
      input: ({ context }) => ({ ...personInput(context), preflight: context.preflight, replaceExisting: context.replaceConfirmed }),
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
      onError: [{ guard: 'cancelRequested', target: 'cleaningUp' }, ...graphStepFailed('issue')],
    },
  });
}

/** A TAP exists at Microsoft. Every exit from here goes through cleaningUp. */
export function liveState(s: StationSetup, { clock }: Pick<MachineDeps, 'clock'>) {
  return s.createStateConfig({
    initial: 'awaitingSignIn',
    invoke: [
      {
        src: 'openView',
        onError: {
          target: 'cleaningUp',
          actions: {
            type: 'fail',
            params: ({ event }) => ({ error: failureAs('view.failed', 'view', event.error) }),
          },
        },
      },
      { src: 'viewSteps' },
    ],
    on: {
      CANCEL: windUp('cancelled'),
      // Past the pass prompt, the pass leaves the person's panel for good.
      VIEW: {
        actions: assign(({ context, event }) => afterView(context, event.phase, clock.now(), pastPassPrompt)),
      },
    },
    states: {
      awaitingSignIn: {
        initial: 'handover',
        // Leaving `awaitingSignIn` drops the pass, whichever way it is left (signed in, cancelled, expired).
        exit: assign({ pass: null, handoverEndsAt: null }),
        invoke: {
          src: 'awaitSignIn',
          input: ({ context }) => ({ enrollmentId: context.enrollmentId, card: context.card, tap: context.tap }),
          onDone: {
            target: 'signedIn',
            actions: assign(({ context, event }) => ({
              signedInAt: event.output.at,
              signedInVia: event.output.via,
              windowEndsAt: Math.min(event.output.at + REGISTRATION_WINDOW_MS, context.tap?.expiresAt ?? Number.POSITIVE_INFINITY),
            })),
          },
          onError: graphStepFailed('sign-in'),
        },
        after: { tapExpiry: windUp('lifetime-expired') },
        states: {
          handover: {
            tags: ['handover'],
            after: { handover: 'waiting' },
            on: { HANDED_OVER: 'waiting' },
            exit: assign({ handoverEndsAt: null }),
          },
          waiting: { tags: ['waiting-for-sign-in'], on: { HIDE_PASS: { actions: assign({ pass: null }) } } },
        },
      },
      signedIn: {
        tags: ['registering'],
        invoke: {
          src: 'awaitRegistration',
          input: ({ context }) => ({
            enrollmentId: context.enrollmentId,
            card: context.card,
            tap: context.tap,
            signedIn: { via: context.signedInVia ?? 'tap-used', at: context.signedInAt ?? clock.now() },
          }),
          onDone: { target: '#station.operator.cleaningUp', actions: assign(({ event }) => ({ registered: event.output, why: 'completed' })) },
          onError: graphStepFailed('registration'),
        },
        after: { window: windUp('window-expired') },
      },
    },
  });
}
