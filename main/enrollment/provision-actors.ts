/**
 * What the chart's provisioning branch (provision-state.ts) invokes: the key at the desk read for the PIN pad, and
 * the whole passkey made, registered and proven, through `ProvisionPort` (provision.ts). The PIN is taken from the
 * PinSlot at once and overwritten here too, whatever the port did.
 */
import { fromPromise } from 'xstate';
import { need, operatorRef, userRef, type MachineDeps, type SessionContext, type SessionEvent } from './context';
import type { DeskKeyRead, DeskProvisioned } from './provision';

const noPort = (): never => {
  throw new Error('this station cannot set up keys here');
};

export function provisionActors(deps: MachineDeps) {
  return {
    readDeskKey: fromPromise<DeskKeyRead, { keyId: string | null }>(({ input, signal }) =>
      (deps.provision ?? noPort()).readKey(need(input.keyId, 'key at the desk'), signal),
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
