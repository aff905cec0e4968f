/** decodeGetInfo on crafted maps: unknown keys ignored, wrong types and malformed input rejected with a typed error. */
import { encode } from 'cborg';
import { describe, expect, it } from 'vitest';
import { GetInfoKey, type GetInfoFieldName } from '../../../main/keys/ctap2/constants';
import { GetInfoDecodeError, MAX_GET_INFO_CBOR_SIZE, decodeGetInfo, type GetInfoDecodeErrorCode } from '../../../main/keys/ctap2/info';
import { allProfiles, encodeGetInfo, patchGetInfo, profile } from '../../authenticator/profiles';

const bio = profile('yubikey-bio').getInfoCbor!;
const synthetic = profile('synthetic-ctap23').getInfoCbor!;
const cbor = (value: unknown): Uint8Array => Uint8Array.from(encode(value));

/** Hand-written CBOR, for what no canonical encoder will write: a map of `entries` (each key + value bytes). */
const rawMap = (...entries: number[][]): Uint8Array => Uint8Array.from([0xa0 + entries.length, ...entries.flat()]);
const VERSIONS = [0x01, 0x81, 0x68, ...Buffer.from('FIDO_2_0')]; // 1: ["FIDO_2_0"]
const AAGUID = [0x03, 0x50, ...new Array<number>(16).fill(0)]; // 3: h'00…00'
const core = rawMap(VERSIONS, AAGUID);

function decodeError(input: Uint8Array): GetInfoDecodeError {
  try {
    decodeGetInfo(input);
  } catch (error) {
    expect(error).toBeInstanceOf(GetInfoDecodeError);
    return error as GetInfoDecodeError;
  }
  throw new Error('expected decodeGetInfo to throw');
}

function expectRejected(input: Uint8Array, code: GetInfoDecodeErrorCode, field?: GetInfoFieldName): GetInfoDecodeError {
  const error = decodeError(input);
  expect(error.code).toBe(code);
  if (field) {
    expect(error.field).toBe(field);
    expect(error.key).toBe(GetInfoKey[field]);
    expect(error.message).toContain(field);
  }
  return error;
}

describe('decodeGetInfo', () => {
  it('ignores unknown integer keys, text keys and out-of-range keys', () => {
    const base = decodeGetInfo(bio);
    const noisy = patchGetInfo(bio, { 0x20: 'future', 0x7f: new Map([[1, 2]]), 0: true, 1000: [1, 2, 3] });
    expect(decodeGetInfo(noisy)).toEqual(base);
    const withText = new Map<unknown, unknown>([
      [1, ['FIDO_2_0']],
      [3, new Uint8Array(16)],
      ['versions', 42],
      [-3, 'negative'],
    ]);
    expect(decodeGetInfo(cbor(withText)).versions).toEqual(['FIDO_2_0']);
  });

  it('defaults maxMsgSize to 1024 and options to {} when absent', () => {
    const info = decodeGetInfo(patchGetInfo(bio, { maxMsgSize: undefined, options: undefined }));
    expect(info.maxMsgSize).toBe(1024);
    expect(info.options).toEqual({});
  });

  it('keeps option names it does not know (uvToken, enterpriseAttestation, ...)', () => {
    expect(decodeGetInfo(bio).options.uvToken).toBe(true);
  });

  it('formats the AAGUID lowercase and dashed', () => {
    const aaguid = Uint8Array.from(Buffer.from('ABCDEF0123456789ABCDEF0123456789', 'hex'));
    expect(decodeGetInfo(patchGetInfo(bio, { aaguid })).aaguid).toBe('abcdef01-2345-6789-abcd-ef0123456789');
  });

  it('reads counts as numbers whatever their JS type when encoded, and keeps uint64 commands exact as bigint', () => {
    const info = decodeGetInfo(patchGetInfo(bio, { maxMsgSize: 1200n, vendorPrototypeConfigCommands: [1n, 2n ** 64n - 1n, 7] }));
    expect(info.maxMsgSize).toBe(1200);
    expect(info.vendorPrototypeConfigCommands).toEqual([1n, 2n ** 64n - 1n, 7n]);
  });

  it('the test encoder writes CTAP2 canonical CBOR: every capture re-encodes to its exact bytes', () => {
    const captures = allProfiles().flatMap((p) => (p.getInfoCbor ? [[p.id, p.getInfoCbor] as const] : []));
    expect(captures.length).toBeGreaterThan(0);
    for (const [id, capture] of captures) expect(patchGetInfo(capture, {}), id).toEqual(capture);
  });

  it('accepts a minimal hand-written map (the base of the canonical-form checks below)', () => {
    expect(decodeGetInfo(core)).toMatchObject({ versions: ['FIDO_2_0'], aaguid: '00000000-0000-0000-0000-000000000000' });
  });

  it('round-trips every field of the CTAP 2.3 synthetic capture through the test encoder', () => {
    const info = decodeGetInfo(synthetic);
    expect(decodeGetInfo(encodeGetInfo(info))).toEqual(info);
  });

  describe('rejects', () => {
    it.each<[GetInfoFieldName, unknown]>([
      ['versions', 'FIDO_2_0'],
      ['versions', [1, 2]],
      ['extensions', [true]],
      ['aaguid', new Uint8Array(15)],
      ['aaguid', 'f8a011f3-8c0a-4d15-8006-17111f9edc7d'],
      ['options', { rk: 1 }],
      ['options', [true]],
      ['maxMsgSize', -1],
      ['maxMsgSize', 1.5],
      ['maxMsgSize', 2n ** 60n],
      ['maxMsgSize', '1200'],
      ['pinUvAuthProtocols', [1, -2]],
      ['transports', 'usb'],
      ['algorithms', [{ alg: 'ES256', type: 'public-key' }]],
      ['algorithms', [{ alg: -7 }]],
      ['algorithms', [[-7, 'public-key']]],
      ['forcePINChange', 0],
      ['firmwareVersion', true],
      ['certifications', { FIDO: 'L1' }],
      ['remainingDiscoverableCredentials', -5],
      ['vendorPrototypeConfigCommands', [-1]],
      ['vendorPrototypeConfigCommands', 5],
      ['longTouchForReset', 'yes'],
      ['encIdentifier', 'not bytes'],
      ['pinComplexityPolicyURL', 'https://example.com'],
      ['authenticatorConfigCommands', [1n << 60n]],
    ])('%s = %o with invalid-field naming the field', (field, value) => {
      expectRejected(patchGetInfo(bio, { [field]: value }), 'invalid-field', field);
    });

    it('a map without versions or aaguid (missing-field)', () => {
      expectRejected(patchGetInfo(bio, { versions: undefined }), 'missing-field', 'versions');
      expectRejected(patchGetInfo(bio, { aaguid: undefined }), 'missing-field', 'aaguid');
    });

    it('CBOR that is not a map (not-a-map)', () => {
      for (const value of [[1, 2], 'text', 42, null, new Uint8Array(3), true]) {
        expectRejected(cbor(value), 'not-a-map');
      }
    });

    it('malformed, truncated or trailing bytes (invalid-cbor)', () => {
      expectRejected(bio.subarray(0, bio.length - 1), 'invalid-cbor');
      expectRejected(Uint8Array.from([...bio, 0x00]), 'invalid-cbor');
      expectRejected(Uint8Array.of(0xff), 'invalid-cbor');
      expectRejected(Uint8Array.of(0x1c), 'invalid-cbor'); // reserved additional info
    });

    it('declared lengths larger than the input, without allocating them (invalid-cbor)', () => {
      const started = performance.now();
      expectRejected(Uint8Array.of(0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), 'invalid-cbor'); // array(2^64-1)
      expectRejected(Uint8Array.of(0xba, 0xff, 0xff, 0xff, 0xff), 'invalid-cbor'); // map(2^32-1)
      expectRejected(Uint8Array.of(0x5a, 0x7f, 0xff, 0xff, 0xff, 0x00), 'invalid-cbor'); // bstr(2^31-1)
      expectRejected(Uint8Array.of(0xa1, 0x01, 0x9a, 0x0f, 0xff, 0xff, 0xff), 'invalid-cbor');
      expect(performance.now() - started).toBeLessThan(1000); // microseconds when idle; generous for loaded CI
    });

    it.each<[string, Uint8Array]>([
      ['a self-describe tag (55799) around the map', Uint8Array.from([0xd9, 0xd9, 0xf7, ...core])],
      ['a Map tag (259) around the map', Uint8Array.from([0xd9, 0x01, 0x03, ...core])],
      ['a typed-array tag (64) on the aaguid', rawMap(VERSIONS, [0x03, 0xd8, 0x40, ...AAGUID.slice(1)])],
      ['an epoch-time tag (1) on maxMsgSize', rawMap(VERSIONS, AAGUID, [0x05, 0xc1, 0x19, 0x04, 0xb0])],
      ['a bignum tag (2) in vendorPrototypeConfigCommands', rawMap(VERSIONS, AAGUID, [0x15, 0x81, 0xc2, 0x41, 0x01])],
      ['a tag on the value of an unknown key (0x20)', rawMap(VERSIONS, AAGUID, [0x18, 0x20, 0xc0, 0x60])],
      ['a tag on a map key', rawMap(VERSIONS, AAGUID, [0xc6, 0x18, 0x20, 0xf5])],
      ['an 8-byte tag number', rawMap(VERSIONS, AAGUID, [0x18, 0x20, 0xdb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00])],
      [
        // The packed-value table (tag 51 + tag 225 references) that cbor-x expanded ~1,200-fold; now refused at once.
        'a packed-value table (tag 51)',
        Uint8Array.from([
          0xd8,
          0x33,
          0x84,
          0x81,
          0x00,
          0x82,
          0x00,
          0x99,
          0x0e,
          0x74,
          ...new Array<number>(3700).fill(0),
          0x80,
          0x99,
          0x04,
          0xb0,
          ...Array.from({ length: 1200 }, () => [0xd8, 0xe1, 0x80]).flat(),
        ]),
      ],
    ])('any CBOR tag, whatever its number and wherever it is: %s (invalid-cbor)', (_what, input) => {
      expect(input.length).toBeLessThanOrEqual(MAX_GET_INFO_CBOR_SIZE);
      expect(expectRejected(input, 'invalid-cbor').message).toMatch(/tag/);
    });

    it.each<[string, Uint8Array]>([
      ['an integer value longer than needed (1200 in 8 bytes)', rawMap(VERSIONS, AAGUID, [0x05, 0x1b, 0, 0, 0, 0, 0, 0, 0x04, 0xb0])],
      ['a small integer value in 2 bytes', rawMap(VERSIONS, AAGUID, [0x05, 0x19, 0x00, 0x10])],
      ['a map key longer than needed', rawMap(VERSIONS, AAGUID, [0x18, 0x05, 0x19, 0x04, 0xb0])],
      ['an array length longer than needed', rawMap([0x01, 0x98, 0x01, ...VERSIONS.slice(2)], AAGUID)],
      ['a byte-string length longer than needed', rawMap(VERSIONS, [0x03, 0x58, 0x10, ...AAGUID.slice(2)])],
      ['an indefinite-length array', rawMap([0x01, 0x9f, ...VERSIONS.slice(2), 0xff], AAGUID)],
      ['an indefinite-length map', Uint8Array.from([0xbf, ...VERSIONS, ...AAGUID, 0xff])],
      ['an indefinite-length text string', rawMap([0x01, 0x81, 0x7f, ...VERSIONS.slice(2), 0xff], AAGUID)],
      ['a duplicate integer key', rawMap(VERSIONS, AAGUID, [0x01, 0x80])],
      ['a duplicate text key in options', rawMap(VERSIONS, AAGUID, [0x04, 0xa2, 0x62, 0x72, 0x6b, 0xf5, 0x62, 0x72, 0x6b, 0xf4])],
      ['undefined for a required key', rawMap([0x01, 0xf7], AAGUID)],
      ['undefined for an optional key', rawMap(VERSIONS, AAGUID, [0x0c, 0xf7])],
    ])('CBOR outside CTAP2 canonical form: %s (invalid-cbor)', (_what, input) => {
      expectRejected(input, 'invalid-cbor');
    });

    it('deep nesting, without a stack overflow escaping as something else', () => {
      const deep = new Uint8Array(MAX_GET_INFO_CBOR_SIZE).fill(0x81); // [[[[...]]]] with no end
      expectRejected(deep, 'invalid-cbor');
    });

    it('empty input (empty-response) and input larger than a CTAPHID message (too-large)', () => {
      expectRejected(new Uint8Array(0), 'empty-response');
      expectRejected(new Uint8Array(MAX_GET_INFO_CBOR_SIZE + 1).fill(0xa0), 'too-large');
    });
  });
});
