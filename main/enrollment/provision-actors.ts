/**
 * What the chart's provisioning branch (provision-state.ts) invokes: the key at the desk read for the PIN pad, and
 * the whole passkey made, registered and proven, through `ProvisionPort` (provision.ts). The PIN is taken from the
 * PinSlot at once and overwritten here too, whatever the port did.
 */
import { fromPromise } from 'xstate';
import { auditEvents } from '../audit';
import type { IdentityCard } from '../../common/directory';
import { need, operatorRef, userRef, type MachineDeps, type SessionContext, type SessionEvent } from './context';
import type { DeskKeyRead, DeskProvisioned } from './provision';

/** The key read, and whether the pre-flight's go is in the journal now. */
export type DeskKeyReadAtStart = DeskKeyRead & { recorded: boolean };

const noPort = (): never => {
  throw new Error('this station cannot set up keys here');
};

export function provisionActors(deps: MachineDeps) {
  return {
    // The first read of the branch journals the pre-flight's go first, as the TAP path does before its POST: nothing
    // is made on the key until it is recorded (a journal that cannot record it stops here, with its code).
    readDeskKey: fromPromise<DeskKeyReadAtStart, { keyId: string | null; record: { enrollmentId: string | null; card: IdentityCard | null } | null }>(
      async ({ input, signal }) => {
        if (input.record) {
          const preflight = auditEvents.preflight({
            enrollmentId: need(input.record.enrollmentId, 'enrollment id'),
            user: userRef(need(input.record.card, 'person')),
            verdict: 'go',
            failedChecks: [],
            mode: 'provision',
          });
          const written = await deps.audit.append(preflight).then(
            () => null,
            async () => (await deps.audit.probe?.()) ?? 'unwritable',
          );
          if (written !== null) return { ok: false, error: { code: `journal.${written === 'ok' ? 'unwritable' : written}`, params: {} }, recorded: false };
        }
        const read = await (deps.provision ?? noPort()).readKey(need(input.keyId, 'key at the desk'), signal);
        return { ...read, recorded: true };
      },
    ),

    provisionDeskKey: fromPromise<
      DeskProvisioned,
      Pick<SessionContext, 'enrollmentId' | 'operator' | 'card' | 'fido2Policy'> & { keyId: string | null; random: boolean; windows: boolean }
    >(async ({ input, signal, self }) => {
      // A random PIN is drawn by the port (it knows the key's minimum); a typed one waits in the slot; where
      // Windows' dialog asks for it, the station has none.
      const pin = input.random || input.windows ? { pin: new Uint8Array(0) } : deps.pins?.take();
      try {
        const port = deps.provision ?? noPort();
        const card = need(input.card, 'person');
        return await port.provision(
          {
            enrollmentId: need(input.enrollmentId, 'enrollment id'),
            operator: operatorRef(need(input.operator, 'operator')),
            user: userRef(card),
            keyId: need(input.keyId, 'key at the desk'),
            pin: need(pin, 'PIN').pin,
            ...(pin?.confirm ? { pinConfirm: pin.confirm } : {}),
            ...(input.random ? { random: true } : {}),
            policy: input.fido2Policy?.readable ? input.fido2Policy.policy : null,
            onStep: (step) => self._parent?.send({ type: 'PROVISION_STEP', step } satisfies SessionEvent),
          },
          signal,
        );
      } finally {
        pin?.pin.fill(0);
        pin?.confirm?.fill(0);
      }
    }),
  };
}
