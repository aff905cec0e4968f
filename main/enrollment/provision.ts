/**
 * The passkey made at the desk, as the chart's branch (provision-state.ts) sees it: the port that does the work
 * (main/station/provision-port.ts wires main/provision/ and the key reader to it, so the chart runs against fakes
 * as well), the slot the PIN waits in, what the context remembers and what the screen shows. Pure, no XState, no
 * Node: snapshot.ts uses it.
 *
 * The PIN: `EnrollmentSession.send` turns the validated `submitPin` command into bytes and puts them in the
 * `PinSlot`; the `provisionDeskKey` actor (provision-actors.ts) takes them out at once (the slot is empty again)
 * and hands them to the port, which overwrites them before it answers. The PIN is in no event, context, snapshot,
 * error or record; the screen gets only its bounds, the tries left and the phase.
 */
import type { ProvisionError, ProvisionErrorCode } from '../../common/provision-codes';
import type { Fido2KeyPolicy } from '../../common/keys';
import { PIN_DIGITS, type PinPad, type ProvisionPhase, type SessionSnapshot } from '../../common/session';

/**
 * The key at the desk as read before the PIN pad (getInfo, getPINRetries) — or, where Windows refuses the station
 * raw HID (webauthn.dll), nothing but that Windows' own dialog will ask for the PIN: no pad, nothing read.
 */
export type DeskKeyFacts =
  | {
      pinBy: 'station';
      /** The key has a PIN (the person enters it) or not (the person chooses one, twice). */
      pinSet: boolean;
      /** Tries left, when the key has a PIN. */
      retries: number | null;
      /** The largest of CTAP's 4, the key's minPINLength and the station's. */
      minPinLength: number;
      model: string;
      aaguid: string;
    }
  | { pinBy: 'windows'; pinSet: null; retries: null; minPinLength: null; model: null; aaguid: null };

/** The facts of a key only Windows' dialog can reach (main/station/provision-dll-port.ts). */
export const WINDOWS_ASKS: DeskKeyFacts = { pinBy: 'windows', pinSet: null, retries: null, minPinLength: null, model: null, aaguid: null };

/**
 * provision/flow.ts's and provision/platform-flow.ts's steps (restated: enrollment/ does not import provision/).
 * `windows-dialog` / `windows-proof`: Windows' dialog is up (the PIN and the touch; once more for the proof).
 */
export type DeskProvisionStep =
  'checking' | 'setting-pin' | 'options' | 'verifying-pin' | 'touch' | 'windows-dialog' | 'registering' | 'proving' | 'windows-proof' | 'done';

export type DeskKeyRead = { ok: true; key: DeskKeyFacts } | { ok: false; error: ProvisionError };
/** The random PIN set for someone not present (`random`), for the one screen that shows it. */
export interface OperatorPin {
  pin: string;
  changeForced: boolean;
}
export type DeskProvisioned =
  | { ok: true; methodId: string; displayName: string; model: string; aaguid: string; proven: true; operatorPin?: OperatorPin }
  | { ok: false; error: ProvisionError };

export interface DeskProvisionRequest {
  enrollmentId: string;
  operator: { id: string; upn: string };
  user: { id: string; upn: string };
  keyId: string;
  /** UTF-8 bytes; overwritten by the port before it answers. Empty where Windows' dialog asks for the PIN. */
  pin: Uint8Array;
  pinConfirm?: Uint8Array;
  /** The operator chose a random PIN (the key has none): the port draws it, sets it and asks for forceChangePin. */
  random?: boolean;
  /** The passkey policy when the operator's role could read it (its key restrictions are checked first). */
  policy: Fido2KeyPolicy | null;
  onStep(step: DeskProvisionStep): void;
}

/** The passkey made at the desk. Neither method throws for a key's or Graph's refusal: those are codes. */
export interface ProvisionPort {
  /**
   * Keys Windows refuses the station over HID (no administrator rights) can be set up here through Windows' own
   * dialog (webauthn.dll loaded). Read when the chart is made: the mode choice offers "Set up the key here" for them.
   */
  readonly windowsDialog?: boolean;
  readKey(keyId: string, signal?: AbortSignal): Promise<DeskKeyRead>;
  provision(request: DeskProvisionRequest, signal?: AbortSignal): Promise<DeskProvisioned>;
}

/** The one place a submitted PIN waits (for a moment) between the command and the actor. */
export class PinSlot {
  #pin: { pin: Uint8Array; confirm?: Uint8Array } | null = null;
  put(pin: Uint8Array, confirm?: Uint8Array): void {
    this.clear();
    this.#pin = confirm ? { pin, confirm } : { pin };
  }
  /** The PIN, once; the slot is empty afterwards. */
  take(): { pin: Uint8Array; confirm?: Uint8Array } | null {
    const p = this.#pin;
    this.#pin = null;
    return p;
  }
  clear(): void {
    this.#pin?.pin.fill(0);
    this.#pin?.confirm?.fill(0);
    this.#pin = null;
  }
}

/**
 * The PIN, once per use: accepted only while the PIN pad is up (`now`, the session's last snapshot); as bytes into
 * the slot the provisioning actor empties at once (the port overwrites them), then `deliver` tells the chart. The
 * command's strings cannot be wiped; nothing keeps them.
 */
export function submitPin(
  pins: PinSlot,
  now: SessionSnapshot | null,
  cmd: { pin: string; confirm?: string | undefined },
  deliver: () => void,
): { ok: true } | { ok: false; error: string } {
  if (now?.screen !== 'provisioning' || now.pinPad === null) return { ok: false, error: 'no PIN is asked for now' };
  if (now.pinPad.isNew !== (cmd.confirm !== undefined)) return { ok: false, error: now.pinPad.isNew ? 'a new PIN is entered twice' : 'one PIN only' };
  const encode = (pin: string) => new TextEncoder().encode(pin);
  pins.put(encode(cmd.pin), cmd.confirm === undefined ? undefined : encode(cmd.confirm));
  deliver();
  pins.clear(); // taken by now; should the chart not have taken it, it goes here
  return { ok: true };
}

export interface ProvisionContext {
  key: DeskKeyFacts | null;
  step: DeskProvisionStep | null;
  error: ProvisionError | null;
  /** The operator chose a random PIN for this attempt. */
  random: boolean;
  /** The random PIN, while (only while) the operator's screen shows it. */
  shown: OperatorPin | null;
  /** The pre-flight's go for this branch is in the journal (written once, before the key is first read). */
  recorded: boolean;
}

export const EMPTY_PROVISION: ProvisionContext = { key: null, step: null, error: null, random: false, shown: null, recorded: false };

/** The chart's stages of the branch (provision-state.ts tags each `provision:<stage>`). */
export const PROVISION_STAGES = ['reading', 'pin', 'working', 'shown', 'failed'] as const;
export type ProvisionStage = (typeof PROVISION_STAGES)[number];

/**
 * Failures after which the person simply tries again at the PIN pad (the key is read again first: a PIN set in
 * the failed attempt is entered, not chosen, the next time). Every other failure stops at `failed`: the operator
 * acts (reset, replug, another key, the policy) and presses "Check again", or cancels.
 */
const TRY_AGAIN: ReadonlySet<ProvisionErrorCode> = new Set<ProvisionErrorCode>([
  'pin.too-short',
  'pin.too-long',
  'pin.all-same',
  'pin.sequence',
  'pin.mismatch',
  'key.wrong-pin',
  'key.pin-policy',
  'key.pin-not-set',
  'key.no-touch',
  'key.denied',
  'attestation.invalid',
  'graph.challenge-expired',
]);
export const tryAgainAtThePad = (error: ProvisionError): boolean => TRY_AGAIN.has(error.code);
/** Whether the key at the desk is reached through Windows' dialog (no PIN pad; every failure stops at `failed`). */
export const windowsAsks = (p: ProvisionContext): boolean => p.key?.pinBy === 'windows';

const PHASE_OF_STEP: Record<DeskProvisionStep, ProvisionPhase> = {
  checking: 'checking-pin',
  'setting-pin': 'checking-pin',
  options: 'checking-pin',
  'verifying-pin': 'checking-pin',
  touch: 'touch-key',
  'windows-dialog': 'windows-dialog',
  registering: 'registering',
  proving: 'proving',
  'windows-proof': 'windows-proof',
  done: 'proving',
};

export function provisionPhase(stage: ProvisionStage, p: ProvisionContext): ProvisionPhase {
  switch (stage) {
    case 'reading':
      return 'reading-key';
    case 'pin':
      return p.key?.pinSet ? 'enter-pin' : 'set-pin';
    case 'working': {
      const phase = p.step ? PHASE_OF_STEP[p.step] : 'checking-pin';
      // Windows' dialog path: until the dialog is up the screen already says what Windows will ask.
      return windowsAsks(p) && phase === 'checking-pin' ? 'windows-dialog' : phase;
    }
    case 'shown':
      return 'show-pin';
    case 'failed':
      return 'failed';
  }
}

export function pinPadOf(phase: ProvisionPhase, key: DeskKeyFacts | null): PinPad | null {
  if (!key || key.pinBy === 'windows' || (phase !== 'set-pin' && phase !== 'enter-pin')) return null;
  return { isNew: !key.pinSet, minLength: Math.max(PIN_DIGITS.min, key.minPinLength), maxLength: PIN_DIGITS.max, retries: key.pinSet ? key.retries : null };
}
