/**
 * The provisioning branch of the station chart ("Set up the key here"), entered from pre-flight by CHOOSE_MODE
 * provision. No TAP: the station reads the key, the person sets or enters the PIN on the PIN pad, touches the key,
 * and main/provision/ makes, registers and proves the passkey (behind ProvisionPort, provision.ts).
 *
 *   reading ─key read→ pin ─PIN_SUBMITTED→ working ─proven→ cleaningUp (completed) → done
 *                          pin ─RANDOM_PIN→ working ─proven→ shown (the PIN, once) ─PIN_NOTED, CANCEL or IDLE→ cleaningUp (completed)
 *                                          working ─a try-again failure→ reading (error kept) → pin
 *                                          working ─any other failure→ failed ─RECHECK→ reading
 *                                          failed ─CANCEL→ cleaningUp (cancelled; an event's claim goes back as failed)
 *   reading ─the key cannot be used (PIN blocked, …)→ failed
 *   reading ─Windows' dialog asks (webauthn.dll: no pad)→ working ─proven→ cleaningUp; any failure → failed
 *
 * Cancel and the idle lock wind up like every state with a person (nothing to delete: no TAP). A PIN submitted
 * outside `pin` is refused by the session before it reaches the slot.
 */
import { assign } from 'xstate';
import { modeAvailable, BOTH_MODES, type ModeConfig } from './modes';
import { EMPTY_PROVISION, tryAgainAtThePad, windowsAsks, type DeskProvisioned } from './provision';
import { PERSON_EXITS, windUp, type StationSetup } from './setup';
import type { MachineDeps, SessionContext } from './context';

/** The modes this station offers: its configuration, with provisioning off when it has no way to make keys. */
export function modesOf(deps: MachineDeps): ModeConfig {
  const modes = deps.station.modes ?? BOTH_MODES;
  if (!deps.provision) return { ...modes, provision: false, default: 'security-info' };
  return deps.provision.windowsDialog ? { ...modes, windowsDialog: true } : modes;
}

const canChoose = (context: SessionContext, mode: 'provision' | 'security-info') => modeAvailable(context.preflight, context.modes, mode, context.eventModes);

/** Pre-flight's CHOOSE_MODE: My Security Info goes the way ISSUE goes; provision to this branch. */
export const CHOOSE_MODE = [
  {
    guard: ({ context, event }: { context: SessionContext; event: { mode?: string } }) =>
      event.mode === 'security-info' && canChoose(context, 'security-info') && context.card?.tap != null,
    target: 'confirmReplace',
  },
  {
    guard: ({ context, event }: { context: SessionContext; event: { mode?: string } }) => event.mode === 'security-info' && canChoose(context, 'security-info'),
    target: 'issuing',
  },
  {
    guard: ({ context, event }: { context: SessionContext; event: { mode?: string } }) => event.mode === 'provision' && canChoose(context, 'provision'),
    target: 'provisioning',
  },
] as const;

const failedWith = (context: SessionContext, output: DeskProvisioned) =>
  output.ok ? context.provision : { ...context.provision, step: null, error: output.error };

export function provisionState(s: StationSetup) {
  return s.createStateConfig({
    initial: 'reading',
    tags: ['provisioning'],
    entry: assign({ provision: EMPTY_PROVISION }),
    on: PERSON_EXITS,
    states: {
      reading: {
        tags: ['provision:reading'],
        invoke: {
          src: 'readDeskKey',
          input: ({ context }) => ({
            keyId: context.preflight?.key.keyId ?? context.keys.keys[0]?.id ?? null,
            record: context.provision.recorded ? null : { enrollmentId: context.enrollmentId, card: context.card },
          }),
          onDone: [
            {
              // Windows' dialog asks for the PIN: no pad, straight on. The last try's error goes (there is no pad to
              // show it on): "dialog cancelled" must not stand beside the dialog opened anew.
              guard: ({ event }) => event.output.ok && event.output.key.pinBy === 'windows',
              target: 'working',
              actions: assign(({ context, event }) => ({
                provision: { ...context.provision, key: event.output.ok ? event.output.key : null, error: null, step: null, random: false, recorded: true },
              })),
            },
            {
              guard: ({ event }) => event.output.ok,
              target: 'pin',
              actions: assign(({ context, event }) => ({
                provision: { ...context.provision, key: event.output.ok ? event.output.key : null, recorded: true },
              })),
            },
            {
              target: 'failed',
              actions: assign(({ context, event }) => ({
                provision: {
                  ...context.provision,
                  error: event.output.ok ? null : event.output.error,
                  recorded: context.provision.recorded || event.output.recorded,
                },
              })),
            },
          ],
          onError: {
            target: 'failed',
            actions: assign(({ context }) => ({ provision: { ...context.provision, error: { code: 'key.unplugged', params: {} } } })),
          },
        },
      },
      pin: {
        tags: ['provision:pin'],
        on: {
          PIN_SUBMITTED: {
            target: 'working',
            actions: assign(({ context }) => ({ provision: { ...context.provision, error: null, step: null, random: false } })),
          },
          RANDOM_PIN: {
            guard: ({ context }) => context.provision.key?.pinSet === false,
            target: 'working',
            actions: assign(({ context }) => ({ provision: { ...context.provision, error: null, step: null, random: true } })),
          },
        },
      },
      working: {
        tags: ['provision:working'],
        on: { PROVISION_STEP: { actions: assign(({ context, event }) => ({ provision: { ...context.provision, step: event.step } })) } },
        invoke: {
          src: 'provisionDeskKey',
          input: ({ context }) => ({
            enrollmentId: context.enrollmentId,
            operator: context.operator,
            card: context.card,
            fido2Policy: context.fido2Policy,
            keyId: context.preflight?.key.keyId ?? context.keys.keys[0]?.id ?? null,
            random: context.provision.random,
            windows: windowsAsks(context.provision),
          }),
          onDone: [
            {
              // The random PIN: shown to the operator once, before anything moves on.
              guard: ({ event }) => event.output.ok && event.output.operatorPin !== undefined,
              target: 'shown',
              actions: assign(({ context, event }) => {
                const o = event.output;
                if (!o.ok) return {};
                const method = { id: o.methodId, displayName: o.displayName, aaGuid: o.aaguid, model: o.model, createdDateTime: null, attestationLevel: null };
                return { registered: { method, stationKey: true }, provision: { ...context.provision, step: 'done' as const, shown: o.operatorPin ?? null } };
              }),
            },
            {
              guard: ({ event }) => event.output.ok,
              target: '#station.operator.cleaningUp',
              actions: assign(({ context, event }) => {
                const o = event.output;
                if (!o.ok) return {};
                const method = { id: o.methodId, displayName: o.displayName, aaGuid: o.aaguid, model: o.model, createdDateTime: null, attestationLevel: null };
                return { registered: { method, stationKey: true }, why: 'completed' as const, provision: { ...context.provision, step: 'done' as const } };
              }),
            },
            {
              // Windows' dialog path has no pad to come back to: its failures stop, and "Check again" starts over.
              guard: ({ context, event }) => !event.output.ok && !windowsAsks(context.provision) && tryAgainAtThePad(event.output.error),
              target: 'reading',
              actions: assign(({ context, event }) => ({ provision: failedWith(context, event.output) })),
            },
            { target: 'failed', actions: assign(({ context, event }) => ({ provision: failedWith(context, event.output) })) },
          ],
          onError: {
            target: 'failed',
            actions: assign(({ context }) => ({
              provision: { ...context.provision, step: null, error: { code: 'key.error', params: { status: 'unexpected' } } },
            })),
          },
        },
      },
      shown: {
        tags: ['provision:shown'],
        // However this state is left (noted, cancel, the idle lock), the PIN leaves the context with it.
        exit: assign(({ context }) => ({ provision: { ...context.provision, shown: null } })),
        // Cancel or the idle lock here cancels nothing: the passkey is registered and proven, so it ends as done,
        // like "noted" (journalled as completed; an event's claim goes back as done); the PIN goes with the exit
        // above. The idle lock still locks the station at once.
        on: {
          PIN_NOTED: { target: '#station.operator.cleaningUp', actions: assign({ why: 'completed' as const }) },
          CANCEL: windUp('completed'),
          IDLE: windUp('done-then-idle'),
        },
      },
      failed: {
        tags: ['provision:failed'],
        // Cancel after a failure: the enrollment ends as cancelled, an event's claim goes back as failed.
        on: {
          RECHECK: 'reading',
          CANCEL: {
            target: '#station.operator.cleaningUp',
            actions: [
              { type: 'giveClaimBack', params: { reason: 'failed' } },
              { type: 'windUp', params: { why: 'cancelled' } },
            ],
          },
        },
      },
    },
  });
}
