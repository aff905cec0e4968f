/**
 * The narrow device interface the CTAPHID transport needs.
 *
 * node-hid 3's `HIDAsync` satisfies `HidDevice` structurally, and node-hid's `Device` (from
 * `HID.devices()` / `devicesAsync()`) is assignable to `HidDeviceInfo` once it has a path; the software
 * authenticator in test/authenticator implements the same interface, so everything above this file runs
 * without hardware.
 */

/** An open HID device exchanging 64-byte reports (node-hid `HIDAsync`). */
export interface HidDevice {
  /**
   * Write one output report. For FIDO keys the first byte is the report ID (0x00), followed by the
   * 64-byte CTAPHID packet: 65 bytes in all. Resolves with the number of bytes written; rejects when the
   * device is gone.
   */
  write(report: number[] | Buffer): Promise<number>;
  /**
   * Read one input report (64 bytes, no report ID). Resolves `undefined` (or an empty buffer) when
   * nothing arrived within `timeoutMs`; rejects when the device is gone. Without a timeout it blocks
   * until a report arrives, so the transport always passes one.
   */
  read(timeoutMs?: number): Promise<Buffer | undefined>;
  /** Release the device handle. */
  close(): Promise<void>;
}

/** What enumeration tells us about a HID interface (node-hid `Device`, with `path` required). */
export interface HidDeviceInfo {
  path: string;
  vendorId: number;
  productId: number;
  product?: string | undefined;
  manufacturer?: string | undefined;
  serialNumber?: string | undefined;
  release?: number | undefined;
  usagePage?: number | undefined;
  usage?: number | undefined;
  interface?: number | undefined;
}
