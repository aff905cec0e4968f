/** CBOR in and out of the software authenticator's command handlers. */
import { decode, encode } from 'cborg';
import { Ctap2Status } from '../../../main/keys/hid/constants';

/** A response: status byte, then the CBOR map if any. */
export function reply(status: Ctap2Status, body?: Map<unknown, unknown>): Uint8Array {
  const cbor = body ? encode(body) : new Uint8Array(0);
  const out = new Uint8Array(1 + cbor.length);
  out[0] = status;
  out.set(cbor, 1);
  return out;
}

export const ok = (body?: Map<unknown, unknown>): Uint8Array => reply(Ctap2Status.Success, body);
export const err = (status: Ctap2Status): Uint8Array => reply(status);

/** Thrown by handlers to answer a status. */
export class StatusReply extends Error {
  constructor(readonly status: Ctap2Status) {
    super(`CTAP2 status 0x${status.toString(16)}`);
  }
}
export function refuse(status: Ctap2Status): never {
  throw new StatusReply(status);
}

/** The request map (integer keys), or INVALID_CBOR / CBOR_UNEXPECTED_TYPE. An empty request is an empty map. */
export function params(bytes: Uint8Array): Map<number, unknown> {
  if (bytes.length === 0) return new Map();
  let value: unknown;
  try {
    value = decode(bytes, { useMaps: true, strict: true, rejectDuplicateMapKeys: true });
  } catch {
    refuse(Ctap2Status.InvalidCbor);
  }
  if (!(value instanceof Map)) refuse(Ctap2Status.CborUnexpectedType);
  return value as Map<number, unknown>;
}

export function bytesOf(value: unknown, required: boolean): Uint8Array | undefined {
  if (value === undefined) return required ? refuse(Ctap2Status.MissingParameter) : undefined;
  if (!(value instanceof Uint8Array)) refuse(Ctap2Status.CborUnexpectedType);
  return value;
}
export function textOf(value: unknown, required: boolean): string | undefined {
  if (value === undefined) return required ? refuse(Ctap2Status.MissingParameter) : undefined;
  if (typeof value !== 'string') refuse(Ctap2Status.CborUnexpectedType);
  return value;
}
export function mapOf(value: unknown, required: boolean): Map<unknown, unknown> | undefined {
  if (value === undefined) return required ? refuse(Ctap2Status.MissingParameter) : undefined;
  if (!(value instanceof Map)) refuse(Ctap2Status.CborUnexpectedType);
  return value as Map<unknown, unknown>;
}
export function uintOf(value: unknown, required: boolean): number | undefined {
  if (value === undefined) return required ? refuse(Ctap2Status.MissingParameter) : undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) refuse(Ctap2Status.CborUnexpectedType);
  return value;
}
