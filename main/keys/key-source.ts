/**
 * Where security keys come from: the seam between the watcher and the HID stack.
 *
 * Production uses node-hid (node-hid-source.ts); tests and the bench use a virtual bus of software
 * authenticators (test/authenticator/virtual-bus.ts). The watcher sees only this interface.
 */
import { createHash } from 'node:crypto';
import type { HidDevice, HidDeviceInfo } from './hid/device';
import { FIDO_USAGE_CTAPHID, FIDO_USAGE_PAGE } from './hid/constants';

/**
 * What a hot-plug subscription reports. `attach` / `detach` only say "the bus changed, look again":
 * a USB attach event arrives before the HID interface is enumerable, so it never carries the device.
 * `ready` says events are flowing (the watcher may poll slowly); `unavailable` says they never will
 * (the watcher polls at full rate).
 */
export type HotplugEvent = { type: 'attach' } | { type: 'detach' } | { type: 'ready' } | { type: 'unavailable'; reason: string };

export interface KeySource {
  /** Every HID interface currently present (FIDO or not; the watcher filters). */
  list(): Promise<HidDeviceInfo[]>;
  /** Open one interface by the path `list()` gave. Rejects with the platform's error when refused. */
  open(path: string): Promise<HidDevice>;
  /** Subscribe to bus changes. Absent when the source cannot tell; the watcher then polls. */
  onHotplug?(listener: (event: HotplugEvent) => void): () => void;
}

/** Thrown by a source whose native HID module cannot be loaded or does not work: "key reader not working". */
export class KeyReaderUnavailableError extends Error {
  readonly code = 'key-reader-unavailable' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeyReaderUnavailableError';
  }
}

/** True for a FIDO CTAPHID interface (usage page 0xF1D0, usage 0x01); every other HID device is ignored. */
export function isFidoInterface(info: HidDeviceInfo): boolean {
  return info.usagePage === FIDO_USAGE_PAGE && info.usage === FIDO_USAGE_CTAPHID;
}

const hex4 = (n: number): string => (n & 0xffff).toString(16).padStart(4, '0');

/**
 * A key id that stays the same for as long as the key stays plugged in: the same interface is listed
 * with the same path, VID/PID and serial on every poll. Re-plugging may change the path (Linux hands out
 * a new hidraw node) and so the id: that is a new insertion, which is what the enrollment flow wants.
 * Shape: `vvvv:pppp:<10 hex>`, readable in logs and opaque enough to carry no device path.
 */
export function keyIdOf(info: Pick<HidDeviceInfo, 'path' | 'vendorId' | 'productId' | 'serialNumber'>): string {
  const digest = createHash('sha256')
    .update(`${info.vendorId}\u0000${info.productId}\u0000${info.serialNumber ?? ''}\u0000${info.path}`)
    .digest('hex')
    .slice(0, 10);
  return `${hex4(info.vendorId)}:${hex4(info.productId)}:${digest}`;
}

/** `1050:0407` style label for logs and the operator screen. */
export function vidPidLabel(info: Pick<HidDeviceInfo, 'vendorId' | 'productId'>): string {
  return `${hex4(info.vendorId)}:${hex4(info.productId)}`;
}
