/**
 * Property-based fuzzing of getInfo decoding: random bytes, mutated real captures, random CBOR maps and
 * round-trips of random AuthenticatorInfo. Over 50,000 generated inputs; the only error allowed out is
 * GetInfoDecodeError, no single input may take over a second (no hang), and oversized input is refused
 * before it is decoded (no unbounded allocation). A failure prints fast-check's seed and the shrunk input.
 */
import { encode } from 'cborg';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { GetInfoDecodeError, MAX_GET_INFO_CBOR_SIZE, decodeGetInfo, formatAaguid, type AuthenticatorInfo } from '../../../main/keys/ctap2/info';
import { allProfiles, encodeGetInfo } from '../../authenticator/profiles';

const captures = allProfiles().flatMap((p) => (p.getInfoCbor ? [p.getInfoCbor] : []));

/** Slowest single decode seen; a hang shows up here (or as the test timeout). */
let slowestMs = 0;
let inputs = 0;

/** Decode, and check the outcome is a well-formed info or a GetInfoDecodeError. */
function decodeChecked(input: Uint8Array): AuthenticatorInfo | GetInfoDecodeError {
  inputs++;
  const started = performance.now();
  let outcome: AuthenticatorInfo | GetInfoDecodeError;
  try {
    outcome = decodeGetInfo(input);
  } catch (error) {
    if (!(error instanceof GetInfoDecodeError)) throw error; // anything else fails the property
    outcome = error;
  }
  slowestMs = Math.max(slowestMs, performance.now() - started);
  // Plain checks rather than expect(): this runs 50,000 times and the fuzz budget is seconds.
  if (outcome instanceof GetInfoDecodeError) {
    if (!outcome.message) throw new Error('GetInfoDecodeError without a message');
  } else if (
    !AAGUID.test(outcome.aaguid) ||
    !Array.isArray(outcome.versions) ||
    !Number.isSafeInteger(outcome.maxMsgSize) ||
    typeof outcome.options !== 'object'
  ) {
    throw new Error(`malformed AuthenticatorInfo: ${String(outcome.aaguid)}`);
  }
  return outcome;
}
const AAGUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ---- arbitraries --------------------------------------------------------------------------------------

/** Random bytes; half of them start with a CBOR map header so the decoder gets past the first byte. */
const randomBytes = fc.oneof(
  fc.uint8Array({ maxLength: 600 }),
  fc.tuple(fc.integer({ min: 0xa0, max: 0xbb }), fc.uint8Array({ maxLength: 600 })).map(([head, rest]) => Uint8Array.from([head, ...rest])),
);

type Mutation = { at: number; byte: number; op: 'set' | 'flip' | 'insert' | 'delete' | 'truncate' | 'duplicate' };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
  op: fc.constantFrom('set', 'flip', 'insert', 'delete', 'truncate', 'duplicate'),
});

function mutate(base: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes = [...base];
  for (const { at, byte, op } of mutations) {
    const i = bytes.length === 0 ? 0 : at % bytes.length;
    if (op === 'set') bytes[i] = byte;
    else if (op === 'flip') bytes[i] = (bytes[i] ?? 0) ^ (1 << (byte & 7));
    else if (op === 'insert') bytes.splice(i, 0, byte);
    else if (op === 'delete') bytes.splice(i, 1 + (byte & 7));
    else if (op === 'truncate') bytes = bytes.slice(0, i);
    else bytes.splice(i, 0, ...bytes.slice(i, i + (byte & 31)));
  }
  return Uint8Array.from(bytes);
}

const mutatedCapture = fc.tuple(fc.constantFrom(...captures), fc.array(mutation, { minLength: 1, maxLength: 6 })).map(([base, ms]) => mutate(base, ms));

/** Any CBOR-encodable value, a few levels deep. */
const cborValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.integer(),
    fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    fc.double({ noNaN: true }),
    fc.string({ maxLength: 12 }),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 20 }),
  ),
  value: fc.oneof(
    { depthSize: 'small' },
    tie('leaf'),
    fc.array(tie('value'), { maxLength: 4 }),
    fc
      .array(fc.tuple(fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -2, max: 40 })), tie('value')), { maxLength: 4 })
      .map((entries) => new Map(entries)),
  ),
})).value;

/** A getInfo-shaped map: integer keys 0..34 (known and unknown), values of any type, often a valid core. */
const randomMap = fc
  .tuple(fc.boolean(), fc.array(fc.tuple(fc.integer({ min: 0, max: 34 }), cborValue), { maxLength: 10 }), fc.uint8Array({ minLength: 16, maxLength: 16 }))
  .map(([withCore, entries, aaguid]) => {
    const map = new Map<unknown, unknown>(
      withCore
        ? [
            [1, ['FIDO_2_0']],
            [3, aaguid],
          ]
        : [],
    );
    for (const [k, v] of entries) map.set(k, v);
    return Uint8Array.from(encode(map));
  });

const uint = fc.nat({ max: 100_000 });
const texts = fc.array(fc.string({ maxLength: 16 }), { maxLength: 5 });
/** Valid AuthenticatorInfo values (what a well-behaved key could say). */
const validInfo: fc.Arbitrary<AuthenticatorInfo> = fc
  .record(
    {
      versions: texts,
      extensions: texts,
      aaguid: fc.uint8Array({ minLength: 16, maxLength: 16 }).map(formatAaguid),
      options: fc.dictionary(fc.string({ maxLength: 12 }), fc.boolean(), { maxKeys: 6 }),
      maxMsgSize: uint,
      pinUvAuthProtocols: fc.array(uint, { maxLength: 3 }),
      transports: texts,
      algorithms: fc.array(fc.record({ alg: fc.integer({ min: -65536, max: 65535 }), type: fc.string({ maxLength: 10 }) }), {
        maxLength: 4,
      }),
      forcePINChange: fc.boolean(),
      firmwareVersion: fc.nat(),
      certifications: fc.dictionary(fc.string({ maxLength: 8 }), uint, { maxKeys: 3 }),
      remainingDiscoverableCredentials: uint,
      vendorPrototypeConfigCommands: fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { maxLength: 4 }),
      longTouchForReset: fc.boolean(),
      encIdentifier: fc.uint8Array({ maxLength: 32 }),
      pinComplexityPolicyURL: fc.uint8Array({ maxLength: 40 }),
      authenticatorConfigCommands: fc.array(uint, { maxLength: 4 }),
    },
    { requiredKeys: ['versions', 'aaguid', 'options', 'maxMsgSize'] },
  )
  .map((info) => info as AuthenticatorInfo);

// ---- properties ---------------------------------------------------------------------------------------

describe('getInfo decoding under fuzzing', () => {
  afterAll(() => {
    expect(inputs).toBeGreaterThanOrEqual(50_000);
    // Generous for a shared CI machine; a hang would be seconds or the test timeout.
    expect(slowestMs).toBeLessThan(1000);
  });

  it('random bytes: a typed error or a well-formed info, never anything else', () => {
    fc.assert(
      fc.property(randomBytes, (input) => {
        decodeChecked(input);
      }),
      { numRuns: 20_000 },
    );
  });

  it('mutated real captures: a typed error or a well-formed info', () => {
    fc.assert(
      fc.property(mutatedCapture, (input) => {
        decodeChecked(input);
      }),
      { numRuns: 20_000 },
    );
  });

  it('random getInfo-shaped maps: wrong types are refused with the field named', () => {
    fc.assert(
      fc.property(randomMap, (input) => {
        const outcome = decodeChecked(input);
        if (outcome instanceof GetInfoDecodeError && outcome.code === 'invalid-field' && outcome.field === undefined) {
          throw new Error(`invalid-field without a field: ${outcome.message}`);
        }
      }),
      { numRuns: 8_000 },
    );
  });

  it('valid infos survive encode → decode unchanged', () => {
    fc.assert(
      fc.property(validInfo, (info) => {
        const outcome = decodeChecked(encodeGetInfo(info));
        expect(outcome).toEqual(info);
      }),
      { numRuns: 4_000 },
    );
  });

  it('oversized input is refused before decoding, however it starts', () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_GET_INFO_CBOR_SIZE + 1, max: 1 << 20 }), fc.constantFrom(0xa1, 0x9b, 0x5b, 0x00), (size, head) => {
        const input = new Uint8Array(size);
        input[0] = head;
        const outcome = decodeChecked(input);
        expect(outcome instanceof GetInfoDecodeError && outcome.code).toBe('too-large');
      }),
      { numRuns: 200 },
    );
  });
});
