/**
 * The dev preview's screens of "Set up the key here" (fake-kiosk.ts spreads them into its fixtures): the mode
 * choice on pre-flight, the PIN pad (new key, key with a PIN, wrong PIN), the touch prompt, progress, a stop, and
 * done with the proof. No PIN anywhere: the snapshots carry only the pad's bounds and the tries left.
 */
import type { SessionSnapshot } from '../../../common/session';

type Preflight = Extract<SessionSnapshot, { screen: 'preflight' }>;
type Done = Extract<SessionSnapshot, { screen: 'done' }>;
type WithUser = Omit<Extract<SessionSnapshot, { screen: 'checking' }>, 'screen'>;

export function provisionFixtures(preflight: Preflight, withUser: WithUser, done: Done): Record<string, SessionSnapshot> {
  const modes = {
    default: 'provision' as const,
    options: [
      { mode: 'provision' as const, available: true, reason: null },
      { mode: 'security-info' as const, available: true, reason: null },
    ],
  };
  const at = (
    phase: Extract<SessionSnapshot, { screen: 'provisioning' }>['phase'],
    extra: Partial<Extract<SessionSnapshot, { screen: 'provisioning' }>> = {},
  ): SessionSnapshot => ({
    ...withUser,
    screen: 'provisioning',
    phase,
    pinPad: null,
    pinBy: 'station',
    error: null,
    model: 'YubiKey 5 NFC',
    ...extra,
  });
  const newPad = { isNew: true, minLength: 6, maxLength: 63, retries: null };
  const pinPad = { isNew: false, minLength: 4, maxLength: 63, retries: 8 };
  return {
    'preflight-modes': { ...preflight, modes },
    'preflight-modes-no-pin': {
      ...preflight,
      modes: { default: 'provision', options: [{ mode: 'provision', available: false, reason: 'mode.key-without-pin' }, modes.options[1]!] },
    },
    'provision-reading': at('reading-key'),
    'provision-set-pin': at('set-pin', { pinPad: newPad }),
    'provision-enter-pin': at('enter-pin', { pinPad }),
    'provision-wrong-pin': at('enter-pin', { pinPad: { ...pinPad, retries: 7 }, error: { code: 'key.wrong-pin', params: { retries: 7 } } }),
    'provision-touch': at('touch-key'),
    'provision-registering': at('registering'),
    'provision-blocked': at('failed', { error: { code: 'key.pin-blocked', params: {} } }),
    'provision-excluded': at('failed', { error: { code: 'key.already-registered', params: {} } }),
    // Windows without administrator rights: Windows' own dialog asks for the PIN and the touch (no pad here).
    'provision-windows-dialog': at('windows-dialog', { pinBy: 'windows', model: null }),
    'provision-windows-proof': at('windows-proof', { pinBy: 'windows', model: null }),
    'provision-windows-blocked': at('failed', {
      pinBy: 'windows',
      error: { code: 'policy.aaguid-blocked', params: { aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a' } },
    }),
    'provision-done': { ...done, proven: true, registered: { ...done.registered, displayName: 'YubiKey 5 NFC 2026-12-06' } },
  };
}

/** Clicking through: the command → the next preview screen. */
export const PROVISION_NEXT: Record<string, string> = {
  chooseMode: 'provision-set-pin',
  submitPin: 'provision-touch',
  recheck: 'provision-reading',
};
