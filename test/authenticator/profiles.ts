/**
 * Real keys to impersonate: one profile per getInfo capture in test/fixtures/ctap-wire-captures.json,
 * plus the U2F-only Nitrokey seen only through its INIT reply.
 *
 * A profile carries what the software authenticator needs to pass for that key: the getInfo CBOR exactly
 * as captured, the CTAPHID INIT capability flags and device version (from the INIT capture of the same key
 * where there is one), and a plausible USB VID:PID. Where the fixture does not give the USB ids, the
 * `usb.evidence` says where they come from; none of them identifies a model (the AAGUID does).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decode, encode } from 'cborg';
import { CtapHidCapability } from '../../main/keys/hid/constants';
import { GetInfoKey, type GetInfoFieldName } from '../../main/keys/ctap2/constants';
import type { AuthenticatorInfo } from '../../main/keys/ctap2/info';

/** One entry of the fixture file (only the fields these helpers read). */
export interface WireCapture {
  readonly source: string;
  readonly device: string;
  readonly kind: 'getInfo' | 'init' | 'keepalive' | 'error' | 'hidReportDescriptor';
  readonly hex: string;
  readonly cbor_hex?: string;
  readonly decoded?: Readonly<Record<string, unknown>>;
  readonly note?: string;
}

export const FIXTURE_PATH = fileURLToPath(new URL('../fixtures/ctap-wire-captures.json', import.meta.url));

let cached: readonly WireCapture[] | undefined;
/** Every capture in the fixture file, in file order. */
export function wireCaptures(): readonly WireCapture[] {
  cached ??= JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as WireCapture[];
  return cached;
}

export interface AuthenticatorProfile {
  /** Stable slug, e.g. "yubikey-5-nfc". */
  readonly id: string;
  /** The fixture's device description. */
  readonly name: string;
  /** The fixture's source (repository@commit:path:line) of the getInfo capture, or of the INIT capture. */
  readonly source: string;
  /** Lowercase dashed AAGUID; null for a U2F-only key. */
  readonly aaguid: string | null;
  /** getInfo CBOR map as captured (without the status byte); null for a U2F-only key. */
  readonly getInfoCbor: Uint8Array | null;
  /** CTAPHID INIT capability flags. */
  readonly capabilities: number;
  /** CTAPHID INIT device version. */
  readonly deviceVersion: { readonly major: number; readonly minor: number; readonly build: number };
  /** USB ids as enumeration would report them; null for an NFC-only card. */
  readonly usb: { readonly vendorId: number; readonly productId: number; readonly evidence: string } | null;
  /** Marked SYNTHETIC or EXPERIMENTAL in the fixture. */
  readonly kind: 'real' | 'synthetic' | 'experimental';
}

const WINK_CBOR = CtapHidCapability.Wink | CtapHidCapability.Cbor;
const FIDODEVS = 'Yubico/libfido2 udev/fidodevs';

interface ProfileSpec {
  readonly id: string;
  /** Prefix of the capture's `source`, unique among getInfo captures. */
  readonly capture: string;
  readonly capabilities: number;
  readonly deviceVersion: readonly [number, number, number];
  readonly usb: readonly [number, number, string] | null;
}

/**
 * Capabilities: from the key's own INIT capture where the fixtures have one (pico-fido reports WINK|CBOR
 * although its getInfo lists no U2F_V2); otherwise WINK|CBOR. Device versions: the INIT capture, else the
 * firmware the fixture names.
 */
const SPECS: readonly ProfileSpec[] = [
  {
    id: 'security-key-by-yubico',
    capture: 'Yubico/python-fido2@d1fd71182a7b677a34e15b8b221f272c9e72d77f:tests/test_ctap2.py:48',
    capabilities: WINK_CBOR,
    deviceVersion: [5, 1, 2],
    usb: [0x1050, 0x0120, `${FIDODEVS}: 0x0120 "Security Key by Yubico"; fixture says FW 5.1.x`],
  },
  {
    id: 'yubikey-5-nfc',
    capture: 'kanidm/webauthn-rs@65e9a6d71a6f0043430c8873f3b35a383cdbca45:webauthn-authenticator-rs/src/ctap2/commands/get_info.rs:595',
    capabilities: WINK_CBOR,
    deviceVersion: [5, 2, 4],
    usb: [0x1050, 0x0407, `${FIDODEVS}: 0x0407 OTP+FIDO+CCID interface set; INIT from the webauthn-rs YubiKey 5.2.4 capture`],
  },
  {
    id: 'token2-t2f2-nfc',
    capture: 'kanidm/webauthn-rs@65e9a6d71a6f0043430c8873f3b35a383cdbca45:webauthn-authenticator-rs/src/ctap2/commands/get_info.rs:645',
    capabilities: WINK_CBOR,
    deviceVersion: [1, 0, 0],
    usb: [0x1ea8, 0xfc25, 'a published conformance report of a TOKEN2 key with this AAGUID (Excelsecu VID, OEM)'],
  },
  {
    id: 'security-key-nfc-fido2-only',
    capture: 'kanidm/webauthn-rs@65e9a6d71a6f0043430c8873f3b35a383cdbca45:webauthn-authenticator-rs/src/usb/responses.rs:269',
    capabilities: WINK_CBOR | CtapHidCapability.Nmsg,
    deviceVersion: [5, 4, 3],
    usb: [0x1050, 0x0120, `${FIDODEVS}: 0x0120 "Security Key by Yubico"; INIT caps 0x0d from responses.rs:191 (same key, FIDO2-only)`],
  },
  {
    id: 'yubikey-bio',
    capture: 'mozilla/authenticator-rs@b21f8fa7c5268f271bd598a05885838a20a8c12d:src/ctap2/commands/get_info.rs:606',
    capabilities: WINK_CBOR,
    deviceVersion: [5, 5, 6],
    usb: [0x1050, 0x0402, `${FIDODEVS}: 0x0402 FIDO-only interface set (the Bio is FIDO-only)`],
  },
  {
    id: 'yubico-prototype',
    capture: 'Yubico/libfido2@67859d982a72b652cff200bb443496cc7809aafc:fuzz/wiredata_fido2.h:31',
    capabilities: WINK_CBOR,
    deviceVersion: [5, 2, 1],
    usb: [0x1050, 0x0407, 'assumed Yubico; INIT 5.2.1 from the same libfido2 wiredata file'],
  },
  {
    id: 'synthetic-ctap23',
    capture: 'Yubico/libfido2@8ee8e5a2eb94575c8baeda9c7bf1d4f27a3b1db4:fuzz/wiredata_fido2.h:31',
    capabilities: WINK_CBOR,
    deviceVersion: [5, 2, 1],
    usb: [0x1050, 0x0120, 'synthetic capture on the Security Key by Yubico AAGUID'],
  },
  {
    id: 'yubikey-5-nfc-no-pin',
    capture: 'Yubico/Yubico.NET.SDK@',
    capabilities: WINK_CBOR,
    deviceVersion: [5, 2, 4],
    usb: [0x1050, 0x0407, `${FIDODEVS}: 0x0407 OTP+FIDO+CCID interface set`],
  },
  {
    id: 'security-key-nfc-blue',
    capture: 'hwsecurity-sdk/hwsecurity@',
    capabilities: WINK_CBOR,
    deviceVersion: [5, 1, 2],
    usb: [0x1050, 0x0120, `${FIDODEVS}: 0x0120 "Security Key by Yubico"`],
  },
  {
    id: 'kona-i-card',
    capture: 'stella-ki/FIDOReader:',
    capabilities: WINK_CBOR,
    deviceVersion: [1, 0, 0],
    usb: null,
  },
  {
    id: 'pico-fido',
    capture: 'eddieoz/fapico2@2814a9ab4f6062fcf0cc5b06ac4aea8cf0ee24c6:docs/webauthn-discovery-ab.md (PROBE 2 [B])',
    capabilities: WINK_CBOR,
    deviceVersion: [8, 0, 0],
    usb: [0x1050, 0x0407, 'the fixture: "USB 1050:0407" (a hobby board reusing Yubico ids)'],
  },
  {
    id: 'fapico2-experimental',
    capture: 'eddieoz/fapico2@2814a9ab4f6062fcf0cc5b06ac4aea8cf0ee24c6:docs/webauthn-discovery-ab.md (PROBE 2 [A])',
    capabilities: CtapHidCapability.Cbor,
    deviceVersion: [5, 4, 0],
    usb: [0x1050, 0x0407, 'assumed the same board as pico-fido (fixture PROBE 1 device A: caps 0x04, 5.4.0)'],
  },
];

function getInfoCapture(prefix: string): WireCapture {
  const hits = wireCaptures().filter((c) => c.kind === 'getInfo' && c.source.startsWith(prefix));
  if (hits.length !== 1) throw new Error(`expected one getInfo capture from ${prefix}, found ${hits.length}`);
  return hits[0]!;
}

function kindOf(device: string): AuthenticatorProfile['kind'] {
  if (device.startsWith('SYNTHETIC')) return 'synthetic';
  if (device.startsWith('EXPERIMENTAL')) return 'experimental';
  return 'real';
}

function build(spec: ProfileSpec): AuthenticatorProfile {
  const capture = getInfoCapture(spec.capture);
  const aaguid = capture.decoded?.aaguid;
  if (typeof aaguid !== 'string' || !capture.cbor_hex) throw new Error(`capture ${capture.source} lacks aaguid/cbor`);
  const [major, minor, build] = spec.deviceVersion;
  return {
    id: spec.id,
    name: capture.device,
    source: capture.source,
    aaguid,
    getInfoCbor: Uint8Array.from(Buffer.from(capture.cbor_hex, 'hex')),
    capabilities: spec.capabilities,
    deviceVersion: { major, minor, build },
    usb: spec.usb ? { vendorId: spec.usb[0], productId: spec.usb[1], evidence: spec.usb[2] } : null,
    kind: kindOf(capture.device),
  };
}

/** The Nitrokey U2F (Plug-up): INIT caps 0x00, so it must never be sent CTAPHID_CBOR. */
function nitrokeyU2f(): AuthenticatorProfile {
  const init = wireCaptures().find((c) => c.kind === 'init' && c.device.startsWith('Nitrokey U2F'));
  if (!init) throw new Error('no Nitrokey U2F INIT capture');
  const report = Buffer.from(init.hex, 'hex');
  return {
    id: 'nitrokey-u2f',
    name: init.device,
    source: init.source,
    aaguid: null,
    getInfoCbor: null,
    capabilities: report[23]!,
    deviceVersion: { major: report[20]!, minor: report[21]!, build: report[22]! },
    usb: { vendorId: 0x2581, productId: 0xf1d0, evidence: 'Nitrokey/libnitrokey data/README.md: "Nitrokey U2F 2581:f1d0"' },
    kind: 'real',
  };
}

let profiles: readonly AuthenticatorProfile[] | undefined;
/** Every profile: one per getInfo capture (file order), then the U2F-only Nitrokey. */
export function allProfiles(): readonly AuthenticatorProfile[] {
  profiles ??= [...SPECS.map(build), nitrokeyU2f()];
  return profiles;
}

/** A profile by id; throws on an unknown id so a typo fails loudly. */
export function profile(id: string): AuthenticatorProfile {
  const hit = allProfiles().find((p) => p.id === id);
  if (!hit) throw new Error(`no authenticator profile "${id}"`);
  return hit;
}

// ---- crafting variants --------------------------------------------------------------------------------

type GetInfoPatch = { readonly [K in GetInfoFieldName]?: unknown } & { readonly [key: number]: unknown };

/**
 * Re-encode a getInfo map with some entries replaced; `undefined` removes an entry. Field names map to
 * their keys; numeric keys (e.g. unknown ones) are set as given. Values: plain JS (records become text-keyed
 * maps; Uint8Array a byte string; bigint an integer).
 */
export function patchGetInfo(cbor: Uint8Array, patch: GetInfoPatch): Uint8Array {
  const map = decode(cbor, { useMaps: true }) as Map<unknown, unknown>;
  for (const [name, value] of Object.entries(patch)) {
    const key = /^\d+$/.test(name) ? Number(name) : GetInfoKey[name as GetInfoFieldName];
    if (value === undefined) map.delete(key);
    else map.set(key, toCborValue(value));
  }
  return encodeCtap(map);
}

/** Encode an AuthenticatorInfo as a key would send it (integer keys in ascending order). */
export function encodeGetInfo(info: AuthenticatorInfo): Uint8Array {
  const map = new Map<number, unknown>();
  for (const [name, value] of Object.entries(info)) {
    if (value === undefined) continue;
    if (name === 'aaguid') map.set(GetInfoKey.aaguid, Buffer.from(String(value).replaceAll('-', ''), 'hex'));
    else map.set(GetInfoKey[name as GetInfoFieldName], toCborValue(value));
  }
  return encodeCtap(map);
}

function toCborValue(value: unknown): unknown {
  if (value instanceof Uint8Array || value instanceof Map) return value;
  if (Array.isArray(value)) return value.map(toCborValue);
  if (value !== null && typeof value === 'object') {
    return new Map(Object.entries(value).map(([k, v]) => [k, toCborValue(v)]));
  }
  return value;
}

/**
 * CTAP2 canonical CBOR, as a key writes it: cborg's `encode` gives every integer and length its shortest form,
 * definite lengths only, no tags (a `Map` is a plain CBOR map, a Uint8Array a plain byte string, a bigint an
 * integer), and sorts the keys of every map, nested ones included, in CTAP2's order (major type, then shorter
 * first, then bytewise). Re-encoding any fixture capture this way gives back its exact bytes.
 */
function encodeCtap(map: Map<unknown, unknown>): Uint8Array {
  return Uint8Array.from(encode(map)); // cborg hands back a Buffer under Node; tests compare plain Uint8Arrays
}
