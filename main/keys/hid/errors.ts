/**
 * Typed errors of the CTAPHID transport. Every error carries a `code` a caller can branch on (no
 * message parsing) and a message a person can read.
 */
import { Ctap2Status, CtapHidErrorCode, nameOf } from './constants';

/** What went wrong, as a value a caller can switch on. */
export type HidErrorCode =
  /** The authenticator answered CTAPHID_ERROR (see `CtapHidError.hidError`). */
  | 'CTAPHID_ERROR'
  /** A CTAP2 response carried a non-zero status byte (see `Ctap2StatusError.status`). */
  | 'CTAP2_STATUS'
  /** No answer within the call's timeout. */
  | 'TIMEOUT'
  /** The device was unplugged (or its handle failed) during or before the call. */
  | 'DEVICE_GONE'
  /** Frames on our channel that do not follow CTAPHID framing. */
  | 'PROTOCOL'
  /** The authenticator stayed busy with another channel through every retry. */
  | 'CHANNEL_BUSY'
  /** The caller aborted the call (AbortSignal). */
  | 'ABORTED'
  /** The channel was closed. */
  | 'CLOSED'
  /** The authenticator does not offer this command (capability flag missing). */
  | 'NOT_SUPPORTED';

/** Base class of every transport error. */
export abstract class HidTransportError extends Error {
  abstract readonly code: HidErrorCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

const HID_ERROR_TEXT: Partial<Record<CtapHidErrorCode, string>> = {
  [CtapHidErrorCode.InvalidCmd]: 'the security key does not know this command',
  [CtapHidErrorCode.InvalidPar]: 'the security key rejected a parameter',
  [CtapHidErrorCode.InvalidLen]: 'the security key rejected the message length',
  [CtapHidErrorCode.InvalidSeq]: 'the security key saw packets out of order',
  [CtapHidErrorCode.MsgTimeout]: 'the security key timed out waiting for the rest of the message',
  [CtapHidErrorCode.ChannelBusy]: 'the security key is busy with another program',
  [CtapHidErrorCode.LockRequired]: 'the security key is locked by another program',
  [CtapHidErrorCode.InvalidChannel]: 'the security key does not recognise our channel',
  [CtapHidErrorCode.Other]: 'the security key reported an unspecified error',
};

/** The authenticator answered with CTAPHID_ERROR. */
export class CtapHidError extends HidTransportError {
  readonly code = 'CTAPHID_ERROR' as const;
  /** The CTAPHID error code from the payload (may be a value outside the enum). */
  readonly hidError: CtapHidErrorCode | number;
  constructor(hidError: CtapHidErrorCode | number) {
    const text = HID_ERROR_TEXT[hidError as CtapHidErrorCode] ?? 'the security key reported an error';
    super(`CTAPHID error ${nameOf(CtapHidErrorCode, hidError)}: ${text}`);
    this.hidError = hidError;
  }
}

/** A CTAP2 response whose status byte is not CTAP2_OK. */
export class Ctap2StatusError extends HidTransportError {
  readonly code = 'CTAP2_STATUS' as const;
  readonly status: Ctap2Status | number;
  constructor(status: Ctap2Status | number) {
    super(`CTAP2 error ${nameOf(Ctap2Status, status)} from the security key`);
    this.status = status;
  }
}

/** Nothing (or no keepalive) arrived in time. */
export class TimeoutError extends HidTransportError {
  readonly code = 'TIMEOUT' as const;
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number) {
    super(`The security key did not answer ${what} within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** The device disappeared: a read or write failed, typically because the key was unplugged. */
export class DeviceGoneError extends HidTransportError {
  readonly code = 'DEVICE_GONE' as const;
  constructor(detail?: string, options?: { cause?: unknown }) {
    super(`The security key was removed or stopped responding${detail ? ` (${detail})` : ''}`, options);
  }
}

/** Frames on our channel that break CTAPHID framing (bad sequence, impossible length, short INIT reply). */
export class ProtocolError extends HidTransportError {
  readonly code = 'PROTOCOL' as const;
  constructor(detail: string) {
    super(`The security key sent a malformed message: ${detail}`);
  }
}

/** CTAPHID_ERROR CHANNEL_BUSY kept coming back after every retry. */
export class ChannelBusyError extends HidTransportError {
  readonly code = 'CHANNEL_BUSY' as const;
  readonly attempts: number;
  constructor(attempts: number) {
    super(`The security key is busy with another program (still busy after ${attempts} attempts)`);
    this.attempts = attempts;
  }
}

/** The caller's AbortSignal fired. */
export class AbortedError extends HidTransportError {
  readonly code = 'ABORTED' as const;
  constructor(options?: { cause?: unknown }) {
    super('The operation on the security key was cancelled', options);
  }
}

/** The channel was closed before or during the call. */
export class ChannelClosedError extends HidTransportError {
  readonly code = 'CLOSED' as const;
  constructor() {
    super('The connection to the security key was closed');
  }
}

/** The authenticator does not advertise the capability this call needs. */
export class NotSupportedError extends HidTransportError {
  readonly code = 'NOT_SUPPORTED' as const;
  readonly feature: 'wink' | 'cbor' | 'msg';
  constructor(feature: 'wink' | 'cbor' | 'msg') {
    const text = {
      wink: 'cannot blink (no WINK capability)',
      cbor: 'does not speak CTAP2 (no CBOR capability; U2F only)',
      msg: 'does not speak U2F/CTAP1 (NMSG capability)',
    }[feature];
    super(`The security key ${text}`);
    this.feature = feature;
  }
}

/** True when `e` is one of our transport errors (optionally with the given code). */
export function isHidTransportError(e: unknown, code?: HidErrorCode): e is HidTransportError {
  return e instanceof HidTransportError && (code === undefined || e.code === code);
}
