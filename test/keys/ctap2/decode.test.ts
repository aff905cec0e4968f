/** decodeGetInfo on crafted maps: unknown keys ignored, wrong types and malformed input rejected with a typed error. */
import { Encoder } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { GetInfoKey, type GetInfoFieldName } from '../../../main/keys/ctap2/constants';
import {
  GetInfoDecodeError,
  MAX_GET_INFO_CBOR_SIZE,
  decodeGetInfo,
  type GetInfoDecodeErrorCode,
} from '../../../main/keys/ctap2/info';
import { encodeGetInfo, patchGetInfo, profile } from '../../authenticator/profiles';

const bio = profile('yubikey-bio').getInfoCbor!;
const synthetic = profile('synthetic-ctap23').getInfoCbor!;
const enc = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false });
const cbor = (value: unknown): Uint8Array => Uint8Array.from(enc.encode(value));

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

  it('narrows 8-byte encodings of small counts to numbers, and keeps uint64 commands as bigint', () => {
    const info = decodeGetInfo(
      patchGetInfo(bio, { maxMsgSize: 1200n, vendorPrototypeConfigCommands: [1n, 2n ** 64n - 1n, 7] }),
    );
    expect(info.maxMsgSize).toBe(1200);
    expect(info.vendorPrototypeConfigCommands).toEqual([1n, 2n ** 64n - 1n, 7n]);
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

    it('a hostile packed-value table (cbor-x tag 51 extension) stays bounded: rejected in bounded time', () => {
      // cbor-x interprets its own tags (packed values, records) even with useRecords: false. The worst this
      // allows within MAX_GET_INFO_CBOR_SIZE is copying one ~3,700-element prefix array ~1,200 times:
      // ~4.5M array slots (~30 MB, ~0.2 s here), quadratic in the input size and so bounded by the size cap.
      const prefix = [0x99, 0x0e, 0x74, ...new Array<number>(3700).fill(0)]; // array(3700) of 0
      const refs = [0x99, 0x04, 0xb0, ...Array.from({ length: 1200 }, () => [0xd8, 0xe1, 0x80]).flat()]; // array(1200) of tag225([])
      const input = Uint8Array.from([0xd8, 0x33, 0x84, 0x81, 0x00, 0x82, 0x00, ...prefix, 0x80, ...refs]);
      expect(input.length).toBeLessThanOrEqual(MAX_GET_INFO_CBOR_SIZE);
      const started = performance.now();
      expectRejected(input, 'not-a-map');
      expect(performance.now() - started).toBeLessThan(5000); // ~0.2 s when idle; generous for loaded CI
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
