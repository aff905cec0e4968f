/**
 * The lost-key branch of the station chart, entered from pre-flight (LOST_KEY): the person's registered security
 * keys are listed, the operator deletes the lost ones (after a confirmation) and may revoke the person's
 * sign-in sessions, then CONTINUE re-runs the checks. Each deletion and the revocation is journalled
 * (`key.removed`, `sessions.revoked`, in actors.ts). A failed call shows on the list; "sign in again" goes to
 * `reauth` like every other Graph step.
 *
 *   loading ─→ choosing ─DELETE_KEYS→ confirming ─CONFIRM_DELETE_KEYS→ deleting ─→ loading
 *              choosing ─REVOKE_SESSIONS→ revoking ─→ choosing;  choosing ─CONTINUE→ checking
 */
import { assign } from 'xstate';
import { personInput } from './actors';
import { describeLostKeyFailure } from './failures';
import { graphFailed, PERSON_EXITS, type StationSetup } from './setup';

const lostKeyError = ({ event }: { event: { error: unknown } }) => ({ error: describeLostKeyFailure(event.error) });

export function lostKeyState(s: StationSetup) {
  /** A failed call shows on the list (the state `target`); "sign in again" goes to reauth. */
  const failedHere = (target: 'choosing' | 'loading') =>
    graphFailed('lost-key', { target, actions: { type: 'noteLostKeyError', params: lostKeyError } } as const);
  return s.createStateConfig({
    initial: 'loading',
    tags: ['lost-key'],
    on: PERSON_EXITS,
    states: {
      loading: {
        tags: ['lost-key:loading'],
        invoke: {
          src: 'listKeys',
          input: ({ context }) => ({ card: context.card }),
          onDone: {
            target: 'choosing',
            // A failed removal (deleting → loading) keeps its error on the list read again after it.
            actions: assign(({ context, event }) => ({ lost: { ...context.lost, keys: event.output, selected: [] } })),
          },
          onError: failedHere('choosing'),
        },
      },
      choosing: {
        tags: ['lost-key:choosing'],
        on: {
          DELETE_KEYS: {
            target: 'confirming',
            actions: assign(({ context, event }) => ({
              lost: { ...context.lost, selected: event.ids.filter((id) => context.lost.keys.some((k) => k.id === id)), error: null },
            })),
          },
          REVOKE_SESSIONS: 'revoking',
          CONTINUE: 'continuing',
        },
      },
      confirming: {
        tags: ['lost-key:confirming'],
        on: {
          CONFIRM_DELETE_KEYS: { guard: 'hasSelection', target: 'deleting' },
          DISMISS: { target: 'choosing', actions: assign(({ context }) => ({ lost: { ...context.lost, selected: [] } })) },
        },
      },
      deleting: {
        tags: ['lost-key:deleting'],
        invoke: {
          src: 'deleteKeys',
          input: ({ context }) => ({ ...personInput(context), keys: context.lost.keys, ids: context.lost.selected }),
          onDone: {
            target: 'loading',
            actions: assign(({ context, event }) => ({ lost: { ...context.lost, deleted: [...context.lost.deleted, ...event.output], error: null } })),
          },
          onError: failedHere('loading'),
        },
      },
      revoking: {
        tags: ['lost-key:revoking'],
        invoke: {
          src: 'revokeSessions',
          input: ({ context }) => personInput(context),
          onDone: { target: 'choosing', actions: assign(({ context }) => ({ lost: { ...context.lost, revoked: true, error: null } })) },
          onError: failedHere('choosing'),
        },
      },
      continuing: { always: '#station.operator.checking' },
    },
  });
}
