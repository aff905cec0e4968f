/**
 * The station session, as one XState v5 chart. It decides; the invoked actors (actors.ts) do the I/O through the
 * ports (ports.ts) and the TAP lifecycle services (lifecycle.ts). Read README.md next to this file first.
 *
 *   signedOut → signingIn → operator{ ready → searching → searchResults → loadingCard → identity → checking
 *   → preflight → [confirmReplace] → issuing → live{ awaitingSignIn{ handover → waiting } → signedIn }
 *   → cleaningUp → done → ready }, with lostKey (lost-key.ts), provisioning (provision-state.ts), recycling
 *   (recycle-state.ts), failed, timedOut, cancelled, reauth, locked, stopped. `issuing` and `live` are in
 *   pass-states.ts, `cleaningUp` and the end screens in cleanup-state.ts.
 *
 * Every way out of an enrollment goes through `cleaningUp`, which deletes the TAP (or leaves it queued in the
 * deleter, retried until it succeeds), wipes the My Security Info view and journals both; `why` in the context
 * says where to go afterwards. The repeated routes (`windUp`, `graphStepFailed`, …) are defined once in setup.ts.
 * Timeouts are delayed transitions on XState's clock, computed from deadlines in the context (epoch ms from the
 * ClockPort), so tests drive them with a SimulatedClock. Each state carries a tag naming what the screen shows;
 * snapshot.ts reads the tags and the context, never the state's path.
 */
import { and, assign } from 'xstate';
import { EMPTY_LOST, forgetPerson, initialContext, recomputePreflight, type MachineDeps, type SessionContext } from './context';
import { describeFailure, sessionError } from './failures';
import { cleaningUpState, endStates } from './cleanup-state';
import { lostKeyState } from './lost-key';
import { issuingState, liveState } from './pass-states';
import { CHOOSE_MODE, modesOf, provisionState } from './provision-state';
import { RECYCLE_KEY, recycleState } from './recycle-state';
import { graphFailed, graphStepFailed, PERSON_EXITS, stationSetup, windUp } from './setup';

export type { CleanupWhy, LiveTap, LostKeyState, MachineDeps, SessionContext, SessionEvent, StationChoices } from './context';
export { initialContext, NO_KEYS } from './context';

export function createEnrollmentMachine(deps: MachineDeps) {
  const { station } = deps;
  const s = stationSetup(deps);
  const recompute = (ctx: SessionContext, patch: Partial<SessionContext>) => recomputePreflight(station, ctx, patch);
  const signInFailed = {
    type: 'noteError',
    params: ({ event }: { event: { error: unknown } }) => ({ error: describeFailure('sign-in-operator', event.error) }),
  } as const;

  return s.createMachine({
    id: 'station',
    context: ({ input }) => initialContext(input?.keys, modesOf(deps), deps.recycle !== undefined),
    initial: 'signedOut',
    on: {
      KEYS: { actions: { type: 'setKeys', params: ({ event }) => ({ keys: event.state }) } },
      JOURNAL: { actions: { type: 'setJournal', params: ({ event }) => ({ health: event.health }) } },
      PENDING_DELETIONS: { actions: assign(({ event }) => ({ pendingDeletions: event.count })) },
      QUIT: { target: '#station.quitting' },
    },
    states: {
      signedOut: {
        tags: ['signed-out'],
        on: { SIGN_IN: { target: 'signingIn', actions: assign({ signInReason: 'start', error: null }) } },
      },
      signingIn: {
        tags: ['signing-in'],
        invoke: {
          src: 'signIn',
          input: ({ context }) => ({
            reason: context.signInReason,
            previous: context.operator,
            loginHint: context.signInReason === 'unlock' ? (context.lockedBy?.upn ?? null) : null,
          }),
          onDone: [
            {
              // Back after a revoked token with an enrollment open: clean it up now that Graph answers again.
              guard: 'revokedMidEnrollment',
              target: 'operator.cleaningUp',
              actions: assign(({ event }) => ({
                operator: event.output,
                why: 'failed',
                error: sessionError('operator.token-revoked', 'sign-in-operator'),
              })),
            },
            { target: 'operator', actions: assign(({ event }) => ({ operator: event.output, error: null, lockedBy: null })) },
          ],
          onError: [
            { guard: 'reauthenticating', target: 'reauth', actions: signInFailed },
            { guard: ({ context }) => context.signInReason === 'unlock', target: 'locked', actions: signInFailed },
            { target: 'signedOut', actions: signInFailed },
          ],
        },
        on: { CANCEL: [{ guard: 'reauthenticating', target: 'reauth' }, { target: 'signedOut' }] },
      },
      /** The operator's token was revoked mid-flow. The TAP (if any) stays in the context, so after sign-in it is deleted. */
      reauth: {
        tags: ['reauth'],
        on: {
          SIGN_IN: { target: 'signingIn', actions: assign({ signInReason: 'token-revoked' }) },
          // Giving up leaves the deletion queued (retried with the next token) and to crash recovery at the next start.
          SIGN_OUT: { target: 'signedOut', actions: assign({ ...forgetPerson, operator: null, error: null }) },
        },
      },
      locked: {
        tags: ['locked'],
        on: {
          UNLOCK: { target: 'signingIn', actions: assign({ signInReason: 'unlock', error: null }) },
          SIGN_IN: { target: 'signingIn', actions: assign({ signInReason: 'unlock', error: null }) },
        },
      },
      quitting: {
        tags: ['stopped'],
        // `stop()` in session.ts; cleanup with why=quit, then stopped.
        // A quit outside any live TAP has nothing of the person's to wipe (the view opens only with a TAP).
        always: {
          target: 'operator.cleaningUp',
          actions: assign(({ context }) => ({ why: 'quit', ...(context.tap ? {} : { enrollmentId: null, card: null, error: null }) })),
        },
      },
      stopped: { type: 'final', tags: ['stopped'] },
      operator: {
        initial: 'ready',
        entry: 'armIdle',
        on: {
          ACTIVITY: { actions: 'armIdle' },
          LOCK: { target: '.cleaningUp', actions: { type: 'windUp', params: { why: 'locked' } } },
          SIGN_OUT: { target: '.cleaningUp', actions: { type: 'windUp', params: { why: 'signed-out' } } },
        },
        states: {
          ready: {
            tags: ['ready'],
            entry: ['forgetPerson', 'armIdle'],
            on: {
              SEARCH: { target: 'searching', actions: assign(({ event }) => ({ query: event.query })) },
              IDLE: windUp('idle'),
              RECYCLE_KEY,
            },
          },
          searching: {
            tags: ['searching'],
            invoke: {
              src: 'search',
              input: ({ context }) => ({ query: context.query, operator: context.operator }),
              onDone: [
                // One hit (a badge scan, a UPN, a unique name) opens the person at once: the card with its photo is
                // the check, and "Back" shows the one-line result list.
                {
                  guard: ({ event }) => event.output.users.length === 1,
                  target: 'loadingCard',
                  actions: assign(({ event }) => ({
                    results: event.output.users,
                    queryKind: event.output.kind,
                    enrollmentId: event.output.enrollmentId,
                    selectedUserId: event.output.users[0]?.id ?? null,
                  })),
                },
                {
                  target: 'searchResults',
                  actions: assign(({ event }) => ({ results: event.output.users, queryKind: event.output.kind, enrollmentId: event.output.enrollmentId })),
                },
              ],
              onError: graphFailed('search', {
                target: 'searchFailed',
                actions: { type: 'noteError', params: ({ event }: { event: { error: unknown } }) => ({ error: describeFailure('search', event.error) }) },
              } as const),
            },
            on: { CANCEL: 'ready' },
          },
          // Nothing to clean: no person chosen yet. The error shows on the search screen.
          searchFailed: {
            tags: ['search-failed'],
            on: {
              SEARCH: { target: 'searching', actions: assign(({ event }) => ({ query: event.query, error: null })) },
              DISMISS: 'ready',
              CANCEL: 'ready',
              IDLE: windUp('idle'),
            },
          },
          searchResults: {
            tags: ['search-results'],
            on: {
              SELECT_USER: {
                guard: ({ context, event }) => context.results.some((u) => u.id === event.id),
                target: 'loadingCard',
                actions: assign(({ event }) => ({ selectedUserId: event.id })),
              },
              SEARCH: { target: 'searching', actions: assign(({ event }) => ({ query: event.query })) },
              BACK_TO_SEARCH: 'ready',
              CANCEL: 'ready',
              IDLE: windUp('idle'),
            },
          },
          loadingCard: {
            tags: ['loading-user'],
            invoke: {
              src: 'loadCard',
              input: ({ context }) => ({ userId: context.selectedUserId, operator: context.operator }),
              onDone: { target: 'identity', actions: assign(({ event }) => ({ ...event.output })) },
              onError: graphStepFailed('card'),
            },
            on: { CANCEL: windUp('cancelled') },
          },
          identity: {
            tags: ['identity'],
            on: {
              CONFIRM_IDENTITY: { target: 'checking', actions: assign(({ event }) => ({ document: event.document })) },
              BACK_TO_SEARCH: { target: 'searchResults', actions: 'giveClaimBack' },
              ...PERSON_EXITS,
            },
          },
          checking: {
            tags: ['checking'],
            invoke: {
              src: 'readPolicies',
              input: ({ context }) => ({ context, document: context.document, recheck: context.tapPolicy !== null }),
              onDone: {
                target: 'preflight',
                // Recomputed with the context as it is now: the key may have changed while Graph answered.
                actions: assign(({ context, event }) => ({ ...event.output, preflight: recompute(context, event.output) })),
              },
              onError: graphStepFailed('policies'),
            },
            on: { CANCEL: windUp('cancelled') },
          },
          preflight: {
            tags: ['preflight'],
            on: {
              CHOOSE_LIFETIME: {
                actions: assign(({ context, event }) => ({ chosenLifetime: event.minutes, preflight: recompute(context, { chosenLifetime: event.minutes }) })),
              },
              RECHECK: 'checking',
              // The journal works again but the identity check is not in it yet: check again, which records it.
              JOURNAL: [
                {
                  guard: ({ context, event }) => event.health === 'ok' && !context.identityRecorded,
                  target: 'checking',
                  actions: { type: 'setJournal', params: ({ event }) => ({ health: event.health }) },
                },
                { actions: { type: 'setJournal', params: ({ event }) => ({ health: event.health }) } },
              ],
              ISSUE: [
                { guard: and(['preflightGo', 'hasExistingTap']), target: 'confirmReplace' },
                { guard: 'preflightGo', target: 'issuing' },
              ],
              LOST_KEY: { guard: 'journalWritable', target: 'lostKey', actions: assign({ lost: EMPTY_LOST }) },
              CHOOSE_MODE,
              ...PERSON_EXITS,
            },
          },
          confirmReplace: {
            tags: ['confirm-replace'],
            on: {
              CONFIRM_REPLACE: { guard: 'preflightGo', target: 'issuing', actions: assign({ replaceConfirmed: true }) },
              DISMISS: 'preflight',
              ...PERSON_EXITS,
            },
          },
          issuing: issuingState(s, deps),
          live: liveState(s, deps),
          lostKey: lostKeyState(s),
          provisioning: provisionState(s),
          recycling: recycleState(s),
          cleaningUp: cleaningUpState(s, deps),
          ...endStates(s),
        },
      },
    },
  });
}

export type EnrollmentMachine = ReturnType<typeof createEnrollmentMachine>;
