/**
 * CTAP2 status codes as typed errors.
 *
 * The status enum itself lives with the transport (`../hid/constants.ts`, which needs it first) and is
 * re-exported here, with the keepalive status, so the CTAP2 command modules depend on this file and never on
 * the transport. Values: CTAP 2.1 "Error responses" (python-fido2 `fido2/ctap.py` `CtapError.ERR`, libfido2
 * `src/fido/err.h`); see docs/reference/ctap2-status.md.
 */
import { Ctap2Status, KeepaliveStatus, nameOf } from '../hid/constants';

export { Ctap2Status, KeepaliveStatus };

/** The name of a status (`'PinInvalid'`), or its hex form for a value the enum does not know (`'0x10'`). */
export function statusName(status: number): string {
  return nameOf(Ctap2Status, status);
}

/**
 * What a person at the desk can do about a status. The screens choose their words from this; the error's own
 * message is for logs (it never carries a PIN: no message here is built from request data).
 */
export type Ctap2Remedy =
  /** Wrong PIN: enter it again (`pinRetries` on the error says how many tries are left, when known). */
  | 'retry-pin'
  /** The PIN is blocked: only a reset of the key helps (it erases every credential on it). */
  | 'reset-key'
  /** Too many wrong PINs since the key was plugged in: unplug it and plug it back in. */
  | 'replug'
  /** The new PIN is too short, too long or too simple for the key's policy. */
  | 'choose-other-pin'
  /** The key has no PIN yet: set one first. */
  | 'set-pin'
  /** This key already holds a credential for the account. */
  | 'already-registered'
  /** No room for another passkey on the key. */
  | 'key-full'
  /** The person declined, or the key refused the operation. */
  | 'denied'
  /** The key waited for a touch that did not come, or the operation was cancelled. */
  | 'touch-timeout'
  /** A key-wide state forbids this now (e.g. reset later than 10 s after plug-in). */
  | 'not-allowed'
  /** The key lacks the feature or option asked for. */
  | 'unsupported'
  /** The key found nothing matching (no credential for this site). */
  | 'no-credentials'
  /** A token ran out or was used up: get a new one (the client does, once). */
  | 'new-token'
  /** A protocol-level problem in the request (a bug on our side or a broken key). */
  | 'protocol';

const REMEDY: Readonly<Partial<Record<Ctap2Status, Ctap2Remedy>>> = {
  [Ctap2Status.PinInvalid]: 'retry-pin',
  [Ctap2Status.PinBlocked]: 'reset-key',
  [Ctap2Status.PinAuthBlocked]: 'replug',
  [Ctap2Status.UvBlocked]: 'retry-pin',
  [Ctap2Status.UvInvalid]: 'retry-pin',
  [Ctap2Status.PinPolicyViolation]: 'choose-other-pin',
  [Ctap2Status.PinNotSet]: 'set-pin',
  [Ctap2Status.CredentialExcluded]: 'already-registered',
  [Ctap2Status.KeyStoreFull]: 'key-full',
  [Ctap2Status.FpDatabaseFull]: 'key-full',
  [Ctap2Status.LargeBlobStorageFull]: 'key-full',
  [Ctap2Status.OperationDenied]: 'denied',
  [Ctap2Status.UserActionTimeout]: 'touch-timeout',
  [Ctap2Status.ActionTimeout]: 'touch-timeout',
  [Ctap2Status.KeepaliveCancel]: 'touch-timeout',
  [Ctap2Status.Timeout]: 'touch-timeout',
  [Ctap2Status.UpRequired]: 'touch-timeout',
  [Ctap2Status.NotAllowed]: 'not-allowed',
  [Ctap2Status.UnsupportedAlgorithm]: 'unsupported',
  [Ctap2Status.UnsupportedOption]: 'unsupported',
  [Ctap2Status.InvalidCommand]: 'unsupported',
  [Ctap2Status.InvalidSubcommand]: 'unsupported',
  [Ctap2Status.UnauthorizedPermission]: 'unsupported',
  [Ctap2Status.NoCredentials]: 'no-credentials',
  [Ctap2Status.PinAuthInvalid]: 'new-token',
  [Ctap2Status.PinTokenExpired]: 'new-token',
  [Ctap2Status.PuatRequired]: 'new-token',
};

const TEXT: Readonly<Partial<Record<Ctap2Status, string>>> = {
  [Ctap2Status.PinInvalid]: 'the PIN is wrong',
  [Ctap2Status.PinBlocked]: 'the PIN is blocked; only a reset of the key unblocks it',
  [Ctap2Status.PinAuthBlocked]: 'too many wrong PINs since the key was plugged in; unplug it and plug it back in',
  [Ctap2Status.PinPolicyViolation]: "the PIN does not meet the key's PIN policy",
  [Ctap2Status.PinNotSet]: 'the key has no PIN',
  [Ctap2Status.PinAuthInvalid]: 'the PIN token or its MAC was refused',
  [Ctap2Status.PinTokenExpired]: 'the PIN token expired',
  [Ctap2Status.PuatRequired]: 'the key requires user verification (a PIN) for this',
  [Ctap2Status.CredentialExcluded]: 'the key already holds a credential for this account',
  [Ctap2Status.KeyStoreFull]: 'the key has no room for another passkey',
  [Ctap2Status.OperationDenied]: 'the key refused the operation',
  [Ctap2Status.UserActionTimeout]: 'nobody touched the key in time',
  [Ctap2Status.ActionTimeout]: 'nobody touched the key in time',
  [Ctap2Status.KeepaliveCancel]: 'the operation was cancelled',
  [Ctap2Status.NotAllowed]: 'the key does not allow this now',
  [Ctap2Status.NoCredentials]: 'the key has no matching credential',
  [Ctap2Status.UnsupportedAlgorithm]: 'the key supports none of the requested algorithms',
  [Ctap2Status.UnsupportedOption]: 'the key does not support a requested option',
  [Ctap2Status.InvalidOption]: 'the key rejected an option',
  [Ctap2Status.UvBlocked]: 'built-in user verification is blocked; use the PIN',
};

/** The remedy for a status; `protocol` for request errors and anything unknown. */
export function remedyOf(status: number): Ctap2Remedy {
  return REMEDY[status as Ctap2Status] ?? 'protocol';
}

/** A CTAP2 response whose status byte is not CTAP2_OK. Branch on `status` (or `remedy`), never on the message. */
export class Ctap2Error extends Error {
  override readonly name = 'Ctap2Error';
  readonly code = 'CTAP2_STATUS' as const;
  /** The status byte; a value outside `Ctap2Status` when the key sent a vendor or deprecated code. */
  readonly status: Ctap2Status | number;
  /** `statusName(status)`, e.g. `'PinInvalid'`. */
  readonly statusName: string;
  readonly remedy: Ctap2Remedy;
  /** The CTAP2 command that failed (command byte). */
  readonly command: number;
  /** Tries left, when the client asked the key after a wrong PIN. */
  readonly pinRetries: number | undefined;

  constructor(status: number, command: number, extra: { pinRetries?: number } = {}) {
    const name = statusName(status);
    const text = TEXT[status as Ctap2Status] ?? 'the security key reported an error';
    super(`CTAP2 ${name} (0x${status.toString(16).padStart(2, '0')}) for command 0x${command.toString(16).padStart(2, '0')}: ${text}`);
    this.status = status;
    this.statusName = name;
    this.remedy = remedyOf(status);
    this.command = command;
    this.pinRetries = extra.pinRetries;
  }

  /** A copy of this error with the tries left attached. */
  withPinRetries(pinRetries: number): Ctap2Error {
    const e = new Ctap2Error(this.status, this.command, { pinRetries });
    e.stack = this.stack;
    return e;
  }
}

/** True when `e` is a Ctap2Error (optionally with one of `statuses`). */
export function isCtap2Error(e: unknown, ...statuses: Ctap2Status[]): e is Ctap2Error {
  return e instanceof Ctap2Error && (statuses.length === 0 || statuses.includes(e.status as Ctap2Status));
}

/** A response the key sent with status OK that does not have the shape CTAP2 requires. */
export class Ctap2ResponseError extends Error {
  override readonly name = 'Ctap2ResponseError';
  readonly code = 'CTAP2_RESPONSE' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
