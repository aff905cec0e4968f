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
import type { ProvisionError, ProvisionErrorCode } from '../../common/codes';
import type { Fido2KeyPolicy } from '../../common/keys';
import { PIN_DIGITS, type PinPad, type ProvisionPhase } from '../../common/session';

/** The key at the desk as read before the PIN pad (getInfo, getPINRetries). */
export interface DeskKeyFacts {
  /** The key has a PIN (the person enters it) or not (the person chooses one, twice). */
  pinSet: boolean;
  /** Tries left, when the key has a PIN. */
  retries: number | null;
  /** The largest of CTAP's 4, the key's minPINLength and the station's. */
  minPinLength: number;
  model: string;
  aaguid: string;
}

/** provision/flow.ts's steps (restated: enrollment/ does not import provision/). */
export type DeskProvisionStep = 'checking' | 'setting-pin' | 'options' | 'verifying-pin' | 'touch' | 'registering' | 'proving' | 'done';

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
  /** UTF-8 bytes; overwritten by the port before it answers. */
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

const PHASE_OF_STEP: Record<DeskProvisionStep, ProvisionPhase> = {
  checking: 'checking-pin',
  'setting-pin': 'checking-pin',
  options: 'checking-pin',
  'verifying-pin': 'checking-pin',
  touch: 'touch-key',
  registering: 'registering',
  proving: 'proving',
  done: 'proving',
};

export function provisionPhase(stage: ProvisionStage, p: ProvisionContext): ProvisionPhase {
  switch (stage) {
    case 'reading':
      return 'reading-key';
    case 'pin':
      return p.key?.pinSet ? 'enter-pin' : 'set-pin';
    case 'working':
      return p.step ? PHASE_OF_STEP[p.step] : 'checking-pin';
    case 'shown':
      return 'show-pin';
    case 'failed':
      return 'failed';
  }
}

export function pinPadOf(phase: ProvisionPhase, key: DeskKeyFacts | null): PinPad | null {
  if (!key || (phase !== 'set-pin' && phase !== 'enter-pin')) return null;
  return { isNew: !key.pinSet, minLength: Math.max(PIN_DIGITS.min, key.minPinLength), maxLength: PIN_DIGITS.max, retries: key.pinSet ? key.retries : null };
}
