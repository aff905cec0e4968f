/**
 * Every getInfo capture in the fixtures decodes to every one of its `decoded` fields, and to nothing more:
 * the keys present in the map are exactly the fields defined (apart from the two documented defaults).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_MSG_SIZE, GetInfoKey, type GetInfoFieldName } from '../../../main/keys/ctap2/constants';
import { decodeGetInfo, getInfo, type AuthenticatorInfo } from '../../../main/keys/ctap2/info';
import { wireCaptures } from '../../authenticator/profiles';

/** Fields of `decoded` that describe the capture rather than a getInfo entry. */
const META = new Set(['cbor_len', 'keys_present', 'firmwareVersion_hex']);
const FIELDS = Object.keys(GetInfoKey) as GetInfoFieldName[];

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The fixture's JSON spelling of a value → what AuthenticatorInfo holds. */
function expected(field: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && 'bytes_hex' in value) return (value as { bytes_hex: string }).bytes_hex;
  if (field === 'vendorPrototypeConfigCommands') {
    return (value as (number | { bigint: string })[]).map((v) => (typeof v === 'number' ? BigInt(v) : BigInt(v.bigint)));
  }
  return value;
}
function actual(info: AuthenticatorInfo, field: GetInfoFieldName): unknown {
  const value = info[field];
  return value instanceof Uint8Array ? hex(value) : value;
}

const getInfoCaptures = wireCaptures().filter((c) => c.kind === 'getInfo');

describe('getInfo fixture captures', () => {
  it('the fixture file holds the getInfo captures this suite expects', () => {
    expect(getInfoCaptures.length).toBe(12);
  });

  describe.each(getInfoCaptures.map((c) => [c.device, c] as const))('%s', (_device, capture) => {
    const cbor = Uint8Array.from(Buffer.from(capture.cbor_hex ?? '', 'hex'));
    const decoded = capture.decoded ?? {};

    it('decodes to every decoded field', () => {
      const info = decodeGetInfo(cbor);
      expect(cbor.length).toBe(decoded.cbor_len);
      for (const [field, value] of Object.entries(decoded)) {
        if (META.has(field)) continue;
        expect(FIELDS, `fixture field ${field} is a getInfo field`).toContain(field);
        expect(actual(info, field as GetInfoFieldName), field).toEqual(expected(field, value));
      }
      if (decoded.firmwareVersion_hex !== undefined) {
        expect(`0x${info.firmwareVersion?.toString(16)}`).toBe(decoded.firmwareVersion_hex);
      }
    });

    it('defines exactly the fields of the keys present', () => {
      const info = decodeGetInfo(cbor);
      const present = new Set(decoded.keys_present as number[]);
      for (const field of FIELDS) {
        const key = GetInfoKey[field];
        if (present.has(key)) expect(info[field], field).toBeDefined();
        else if (field === 'maxMsgSize') expect(info.maxMsgSize).toBe(DEFAULT_MAX_MSG_SIZE);
        else if (field === 'options') expect(info.options).toEqual({});
        else expect(field in info, `${field} absent`).toBe(false);
      }
    });

    // HID captures are status + CBOR; NFC ones add the APDU status word 9000, which is not CTAPHID's.
    const wire = Uint8Array.from(Buffer.from(capture.hex, 'hex'));
    const response = wire.length === cbor.length + 3 && hex(wire.subarray(-2)) === '9000' ? wire.subarray(0, -2) : wire;
    const withStatus = response.length === cbor.length + 1 && response[0] === 0x00;

    // Only the captures taken with their status byte (HID, NFC); the others are the bare CBOR map.
    if (withStatus) {
      it('arrives the same through getInfo() from the status byte + CBOR on the wire', async () => {
        const result = await getInfo({ capabilities: 0x05, cbor: () => Promise.resolve(response) });
        expect(result.kind).toBe('fido2');
        expect(result.kind === 'fido2' && result.info).toEqual(decodeGetInfo(cbor));
      });
    }
  });

  it('keeps integers above 2^53 exact (fapico2 vendorPrototypeConfigCommands)', () => {
    const capture = getInfoCaptures.find((c) => c.device.startsWith('EXPERIMENTAL'));
    const info = decodeGetInfo(Buffer.from(capture!.cbor_hex!, 'hex'));
    expect(info.vendorPrototypeConfigCommands?.[0]).toBe(8055560605607898362n);
    expect(info.vendorPrototypeConfigCommands?.[0]).not.toBe(BigInt(Number(8055560605607898362n)));
  });

  it('returns byte strings as plain copies, not views of the input', () => {
    const capture = getInfoCaptures.find((c) => c.device.startsWith('SYNTHETIC'));
    const input = Uint8Array.from(Buffer.from(capture!.cbor_hex!, 'hex'));
    const info = decodeGetInfo(input);
    const before = hex(info.encIdentifier!);
    input.fill(0);
    expect(hex(info.encIdentifier!)).toBe(before);
    expect(Object.getPrototypeOf(info.encIdentifier)).toBe(Uint8Array.prototype);
  });
});
