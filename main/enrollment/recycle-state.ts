/**
 * The recycling branch of the station chart ("Reset a returned key"), entered from the ready screen by RECYCLE_KEY
 * (only when the station can recycle and the journal can record):
 *
 *   confirming ─CONFIRM_RECYCLE→ working ─outcome→ outcome ─RECHECK→ working (try again: too late, no touch…)
 *   confirming / outcome ─CANCEL or DISMISS→ ready;  working ─CANCEL→ ready (the reset is aborted)
 *
 * The confirmation is its own state: nothing is asked of the key until the operator said yes.
 */
import { assign } from 'xstate';
import { EMPTY_RECYCLE } from './recycle';
import { windUp, type StationSetup } from './setup';

const READY = '#station.operator.ready';

/** The ready screen's RECYCLE_KEY: only when this station can reset keys and the journal can record it. */
export const RECYCLE_KEY = { guard: 'canRecycle', target: 'recycling' } as const;

export function recycleState(s: StationSetup) {
  return s.createStateConfig({
    initial: 'confirming',
    tags: ['recycle'],
    entry: assign({ recycle: EMPTY_RECYCLE }),
    exit: assign({ recycle: EMPTY_RECYCLE }),
    on: { CANCEL: READY, IDLE: windUp('idle') },
    states: {
      confirming: {
        tags: ['recycle:confirming'],
        on: { CONFIRM_RECYCLE: { guard: 'journalWritable', target: 'working' } },
      },
      working: {
        tags: ['recycle:working'],
        entry: assign({ recycle: EMPTY_RECYCLE }),
        on: { RECYCLE_STAGE: { actions: assign(({ context, event }) => ({ recycle: { ...context.recycle, stage: event.stage } })) } },
        invoke: {
          src: 'recycleDeskKey',
          input: ({ context }) => ({ operator: context.operator }),
          onDone: { target: 'outcome', actions: assign(({ event }) => ({ recycle: { stage: null, outcome: event.output } })) },
          onError: {
            target: 'outcome',
            actions: assign({ recycle: { stage: null, outcome: { code: 'recycle.error', params: { status: 'unexpected' } } } }),
          },
        },
      },
      outcome: {
        tags: ['recycle:outcome'],
        on: { RECHECK: 'working', DISMISS: READY },
      },
    },
  });
}
