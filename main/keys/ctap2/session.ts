/**
 * One CTAP2 command over any channel that carries CTAPHID_CBOR-style requests.
 *
 * `Ctap2Session` encodes a request map as CTAP2 canonical CBOR, sends command byte + map, turns a non-zero
 * status into a `Ctap2Error`, decodes the response map, and reports keepalive UPNEEDED as "touch the key"
 * (`onTouchNeeded`), once per request. Transport errors (timeout, unplug, abort) propagate unchanged. It
 * needs only `Ctap2Transport`, which `CtapHidChannel` (main/keys/hid/transport.ts) satisfies structurally.
 */
import { decode, encode } from 'cborg';
import { DECODE_OPTIONS as CTAP2_DECODE_OPTIONS } from './info';
import { Ctap2Error, Ctap2ResponseError, Ctap2Status, KeepaliveStatus } from './status';

/** What the CTAP2 layer needs from a transport. */
export interface Ctap2Transport {
  /** Send command byte + CBOR; resolve with the status byte followed by the CBOR response. */
  cbor(
    request: Uint8Array,
    options?: {
      timeoutMs?: number;
      maxWaitMs?: number;
      signal?: AbortSignal;
      onKeepalive?: (status: number) => void;
    },
  ): Promise<Uint8Array>;
}

/** Per-call options every command accepts. */
export interface Ctap2CallOptions {
  /** Cancels the request (the transport sends CTAPHID_CANCEL). */
  signal?: AbortSignal;
  /** The key waits for a touch (keepalive UPNEEDED): show "touch the key". Called once per request. */
  onTouchNeeded?: () => void;
  /** Longest silence between packets or keepalives (transport default otherwise). */
  timeoutMs?: number;
}

/** A CTAP2 map: small-integer (or text) keys to values, as cborg encodes/decodes it. */
export type CborMap = Map<number | string, unknown>;

/**
 * Encode a request map, leaving out undefined values (CTAP2 omits absent optional keys; it never sends
 * null). cborg sorts map keys length-first then bytewise, which is CTAP2's canonical order for the integer
 * and text keys used here.
 */
export function encodeCbor(value: unknown): Uint8Array {
  return encode(stripUndefined(value));
}

function stripUndefined(value: unknown): unknown {
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [k, v] of value as Map<unknown, unknown>) if (v !== undefined) out.set(k, stripUndefined(v));
    return out;
  }
  if (Array.isArray(value)) return value.map(stripUndefined);
  return value;
}

/** Decode a CBOR item under CTAP2 rules. @throws Ctap2ResponseError */
export function decodeCbor(bytes: Uint8Array, what: string): unknown {
  try {
    return decode(bytes, CTAP2_DECODE_OPTIONS) as unknown;
  } catch (cause) {
    throw new Ctap2ResponseError(`${what}: not valid CBOR`, { cause });
  }
}

export class Ctap2Session {
  constructor(readonly transport: Ctap2Transport) {}

  /**
   * Run one command.
   * @returns the response map (empty when the key answered with the status byte alone)
   * @throws Ctap2Error for a non-OK status; Ctap2ResponseError for a malformed answer; transport errors
   */
  async call(command: number, params: CborMap | undefined, options: Ctap2CallOptions = {}): Promise<CborMap> {
    const body = params === undefined ? new Uint8Array(0) : encodeCbor(params);
    const request = new Uint8Array(1 + body.length);
    request[0] = command;
    request.set(body, 1);
    let told = false;
    const response = await this.transport.cbor(request, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      onKeepalive: (status) => {
        if (status === KeepaliveStatus.UpNeeded && !told) {
          told = true;
          options.onTouchNeeded?.();
        }
      },
    });
    body.fill(0); // the request may carry encrypted PIN material
    const status = response[0];
    if (status === undefined) throw new Ctap2ResponseError('empty CTAP2 response (no status byte)');
    if (status !== Ctap2Status.Success) throw new Ctap2Error(status, command);
    if (response.length === 1) return new Map();
    const decoded = decodeCbor(response.subarray(1), `response to command 0x${command.toString(16)}`);
    if (!(decoded instanceof Map)) throw new Ctap2ResponseError(`response to command 0x${command.toString(16)} is not a map`);
    return decoded as CborMap;
  }
}

// ---- typed accessors for response maps ------------------------------------------------------------------

export function optionalBytes(map: CborMap, key: number | string, what: string): Uint8Array | undefined {
  const v = map.get(key);
  if (v === undefined) return undefined;
  if (!(v instanceof Uint8Array)) throw new Ctap2ResponseError(`${what} (key ${String(key)}) is not a byte string`);
  return v;
}
export function requiredBytes(map: CborMap, key: number | string, what: string): Uint8Array {
  const v = optionalBytes(map, key, what);
  if (v === undefined) throw new Ctap2ResponseError(`${what} (key ${String(key)}) is missing`);
  return v;
}
export function optionalUint(map: CborMap, key: number | string, what: string): number | undefined {
  const v = map.get(key);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new Ctap2ResponseError(`${what} (key ${String(key)}) is not an unsigned integer`);
  }
  return v;
}
export function requiredUint(map: CborMap, key: number | string, what: string): number {
  const v = optionalUint(map, key, what);
  if (v === undefined) throw new Ctap2ResponseError(`${what} (key ${String(key)}) is missing`);
  return v;
}
export function optionalBool(map: CborMap, key: number | string, what: string): boolean | undefined {
  const v = map.get(key);
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new Ctap2ResponseError(`${what} (key ${String(key)}) is not a boolean`);
  return v;
}
export function requiredMap(map: CborMap, key: number | string, what: string): CborMap {
  const v = map.get(key);
  if (!(v instanceof Map)) throw new Ctap2ResponseError(`${what} (key ${String(key)}) is missing or not a map`);
  return v as CborMap;
}
