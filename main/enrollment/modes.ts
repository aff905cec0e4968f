/**
 * The mode choice on the pre-flight screen: "Set up the key here" (provision: the station makes the passkey, no TAP)
 * or "My Security Info" (a TAP, the person registers in the browser). Pure: the configuration says which are on and
 * which is preselected; the pre-flight checks and the key say which can be chosen now, and why not.
 *
 * - My Security Info: every check as today (the pass needs the TAP policy; pre-flight's verdict).
 * - Provision: the TAP checks do not apply (no pass is issued); every other failing check refuses it, and so does a
 *   key without a PIN (nothing to verify the person with at the desk: built-in verification only, or no UV at all)
 *   and a key the station cannot read itself — unless Windows refused it HID and webauthn.dll loaded (`windowsDialog`).
 * - Event mode: the event's configuration (`event.modes`) narrows the station's on top: a mode the station offers
 *   but the event does not allow is refused with `mode.event-disallows`, and the preselection moves to a mode both
 *   allow. Outside event mode (`event` null) the station's configuration alone decides.
 */
import type { PreflightCheck, PreflightCode } from '../../common/codes';
import type { ModeReasonCode } from '../../common/provision-codes';
import type { EnrollmentMode, KeyStatus, ModeChoice, ModeOption } from '../../common/session';

/** The station's configuration of the modes (config `enrollmentModes`). */
export interface ModeConfig {
  default: EnrollmentMode;
  provision: boolean;
  securityInfo: boolean;
  /**
   * Not configuration: the station reaches keys Windows refuses over HID through Windows' own dialog (webauthn.dll
   * loaded; main/station/provision-dll-port.ts), so such a key can be set up here.
   */
  windowsDialog?: boolean;
}

export const BOTH_MODES: ModeConfig = { default: 'security-info', provision: true, securityInfo: true };

/** Checks about the pass only: they do not decide whether a key can be made at the desk. */
const TAP_ONLY: ReadonlySet<PreflightCode> = new Set(['tap-policy-enabled', 'tap-policy-targets-user', 'lifetime-in-bounds', 'one-time']);

interface PreflightFacts {
  readonly checks: readonly PreflightCheck[];
  readonly verdict: 'go' | 'refused';
  readonly key: KeyStatus;
}

function provisionReason(p: PreflightFacts, config: ModeConfig): ModeReasonCode | null {
  if (p.key.presence !== 'one' || p.key.verdict === null) return 'mode.no-key';
  // Not readable over HID. Windows without administrator rights refuses raw FIDO access: where webauthn.dll loads,
  // Windows' own dialog makes the key (its AAGUID is checked from the attestation, before the POST). Otherwise the
  // station cannot make a key it cannot talk to.
  const throughWindows = config.windowsDialog === true && p.key.unreadable === 'access-denied';
  if (p.key.pin === 'unknown' && !throughWindows) return 'mode.key-unreadable';
  if (p.key.pin === 'none' || p.key.pin === 'built-in-verification') return 'mode.key-without-pin';
  if (p.checks.some((c) => c.status === 'fail' && !TAP_ONLY.has(c.code))) return 'mode.refused';
  return null;
}

/** The modes the event allows (main/event/ `EventMode.modes`); null outside event mode. */
export type EventModes = readonly EnrollmentMode[] | null;

const isOn = (config: ModeConfig, mode: EnrollmentMode) => (mode === 'provision' ? config.provision : config.securityInfo);
const eventAllows = (event: EventModes, mode: EnrollmentMode) => event === null || event.includes(mode);

/** The preselected mode: the station's default unless the event disallows it and the other is on and allowed. */
function defaultOf(config: ModeConfig, event: EventModes): EnrollmentMode {
  if (eventAllows(event, config.default)) return config.default;
  const other: EnrollmentMode = config.default === 'provision' ? 'security-info' : 'provision';
  return isOn(config, other) && eventAllows(event, other) ? other : config.default;
}

export function modeChoice(p: PreflightFacts, config: ModeConfig, event: EventModes = null): ModeChoice {
  const option = (mode: EnrollmentMode, on: boolean, reason: ModeReasonCode | null): ModeOption => {
    const why = !on ? 'mode.disabled' : !eventAllows(event, mode) ? 'mode.event-disallows' : reason;
    return { mode, available: why === null, reason: why };
  };
  return {
    default: defaultOf(config, event),
    options: [
      option('provision', config.provision, provisionReason(p, config)),
      option('security-info', config.securityInfo, p.verdict === 'go' ? null : 'mode.refused'),
    ],
  };
}

/** Whether `mode` can be chosen now. */
export function modeAvailable(p: PreflightFacts | null, config: ModeConfig, mode: EnrollmentMode, event: EventModes = null): boolean {
  return p !== null && modeChoice(p, config, event).options.some((o) => o.mode === mode && o.available);
}
