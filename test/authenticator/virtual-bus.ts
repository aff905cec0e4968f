/**
 * A fake USB bus: a `KeySource` for tests and the bench.
 *
 * Plug in software authenticators (or anything implementing `HidDevice`) and non-FIDO HID devices such
 * as a keyboard; unplug them at any moment; make opening fail the way Windows refuses FIDO interfaces to
 * non-administrators; emit hot-plug events or stay silent so the watcher has to poll.
 *
 * Devices handed out by `open()` behave like node-hid handles: once their port is unplugged, pending and
 * later reads and writes reject with node-hid's own error texts, whatever the authenticator behind them
 * is doing (a slow or hung software authenticator included).
 */
import type { HidDevice, HidDeviceInfo } from '../../main/keys/hid/device';
import { FIDO_USAGE_CTAPHID, FIDO_USAGE_PAGE } from '../../main/keys/hid/constants';
import type { HotplugEvent, KeySource } from '../../main/keys/key-source';

/**
 * How the platform refuses the key.
 * - `open`: `HIDAsync.open` rejects (Linux without the udev rule; hidapi builds that do not retry).
 * - `write`: open succeeds but every write fails with ERROR_ACCESS_DENIED. This is what hidapi on Windows
 *   actually does: it retries a refused read/write open with zero access rights, which succeeds, so the
 *   refusal only shows on the first WriteFile.
 */
export type AccessDeniedMode = 'open' | 'write';

export interface PlugKeyOptions {
  /** A fresh device per `open()` (e.g. `() => new SoftAuthenticator(...)`), or one shared device. */
  device: HidDevice | (() => HidDevice);
  vendorId?: number;
  productId?: number;
  product?: string;
  manufacturer?: string;
  serialNumber?: string;
  path?: string;
  accessDenied?: AccessDeniedMode;
  /** Delay before `open()` settles, in ms. */
  openDelayMs?: number;
}

export interface VirtualBusOptions {
  /** Emit hot-plug events (default true). False: `onHotplug` is absent and the watcher must poll. */
  hotplug?: boolean;
  /** Hot-plug events arrive this many ms before the HID interface is listed, as on real hardware (default 0). */
  hotplugLeadMs?: number;
  /** Extra latency of `list()` in ms (default 0: resolves on the next microtask). */
  listDelayMs?: number;
  /** Platform whose error texts `open`/`write` imitate (default 'win32' for access denied texts). */
  errorStyle?: 'win32' | 'linux';
}

/** One occupied port. */
export class VirtualPort {
  unplugged = false;
  readonly handles = new Set<BusHandle>();
  constructor(
    readonly bus: VirtualBus,
    readonly info: HidDeviceInfo,
    readonly options: PlugKeyOptions | undefined,
  ) {}
  get path(): string {
    return this.info.path;
  }
  unplug(): void {
    this.bus.unplug(this);
  }
  setAccessDenied(mode: AccessDeniedMode | undefined): void {
    if (this.options) this.options.accessDenied = mode;
  }
}

export class VirtualBus implements KeySource {
  private readonly options: Required<VirtualBusOptions>;
  private readonly ports = new Map<string, VirtualPort>();
  /** Ports plugged but not yet enumerable (hotplugLeadMs). */
  private readonly pending = new Set<VirtualPort>();
  private readonly hotplugListeners = new Set<(event: HotplugEvent) => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextIndex = 0;
  /** Calls made by the watcher, for tests and the bench. */
  readonly calls = { list: 0, open: 0 };
  readonly onHotplug: KeySource['onHotplug'];

  constructor(options: VirtualBusOptions = {}) {
    this.options = { hotplug: true, hotplugLeadMs: 0, listDelayMs: 0, errorStyle: 'win32', ...options };
    this.onHotplug = this.options.hotplug
      ? (listener) => {
          this.hotplugListeners.add(listener);
          queueMicrotask(() => {
            if (this.hotplugListeners.has(listener)) listener({ type: 'ready' });
          });
          return () => {
            this.hotplugListeners.delete(listener);
          };
        }
      : undefined;
  }

  /** Plug in a FIDO key (usage page 0xF1D0, usage 0x01). Defaults imitate a YubiKey 5. */
  plugKey(options: PlugKeyOptions): VirtualPort {
    const info: HidDeviceInfo = {
      path: options.path ?? this.nextPath(),
      vendorId: options.vendorId ?? 0x1050,
      productId: options.productId ?? 0x0407,
      product: options.product ?? 'YubiKey OTP+FIDO+CCID',
      manufacturer: options.manufacturer ?? 'Yubico',
      serialNumber: options.serialNumber,
      release: 0x0543,
      usagePage: FIDO_USAGE_PAGE,
      usage: FIDO_USAGE_CTAPHID,
      interface: 1,
    };
    return this.attach(new VirtualPort(this, info, options));
  }

  /** Plug in a HID device that is not a FIDO key (a keyboard by default). It cannot be opened. */
  plugHid(info: Partial<HidDeviceInfo> = {}): VirtualPort {
    const full: HidDeviceInfo = {
      path: info.path ?? this.nextPath(),
      vendorId: info.vendorId ?? 0x046d,
      productId: info.productId ?? 0xc31c,
      product: info.product ?? 'USB Keyboard',
      manufacturer: info.manufacturer ?? 'Logitech',
      usagePage: info.usagePage ?? 0x01,
      usage: info.usage ?? 0x06,
      interface: info.interface ?? 0,
      ...info,
    };
    return this.attach(new VirtualPort(this, full, undefined));
  }

  unplug(portOrPath: VirtualPort | string): void {
    const port = typeof portOrPath === 'string' ? this.ports.get(portOrPath) : portOrPath;
    if (!port || port.unplugged) return;
    port.unplugged = true;
    this.ports.delete(port.path);
    this.pending.delete(port);
    for (const h of port.handles) h.disconnect();
    this.emitHotplug({ type: 'detach' });
  }

  /** Unplug everything and cancel timers. */
  reset(): void {
    for (const port of [...this.ports.values(), ...this.pending]) this.unplug(port);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Every handle `open()` gave out, closed or not. */
  readonly handles = new Set<BusHandle>();

  /** Handles opened and not yet closed, on present and unplugged ports alike (nothing may leak). */
  openHandleCount(): number {
    let n = 0;
    for (const h of this.handles) if (!h.closed) n++;
    return n;
  }

  hotplugSubscriberCount(): number {
    return this.hotplugListeners.size;
  }

  // ---- KeySource ---------------------------------------------------------------------------------

  async list(): Promise<HidDeviceInfo[]> {
    this.calls.list++;
    if (this.options.listDelayMs > 0) await this.sleep(this.options.listDelayMs);
    return [...this.ports.values()].map((p) => ({ ...p.info }));
  }

  async open(path: string): Promise<HidDevice> {
    this.calls.open++;
    const port = this.ports.get(path);
    if (port?.options?.openDelayMs) await this.sleep(port.options.openDelayMs);
    if (!port || port.unplugged) throw new Error(this.openError(path, 'missing'));
    const options = port.options;
    if (!options) throw new Error(this.openError(path, 'denied')); // keyboards are owned by the OS
    if (options.accessDenied === 'open') throw new Error(this.openError(path, 'denied'));
    const device = typeof options.device === 'function' ? options.device() : options.device;
    const handle = new BusHandle(port, device, this.options.errorStyle);
    port.handles.add(handle);
    this.handles.add(handle);
    return handle;
  }

  // ---- internals ---------------------------------------------------------------------------------

  private attach(port: VirtualPort): VirtualPort {
    const lead = this.options.hotplugLeadMs;
    if (lead > 0) {
      this.pending.add(port);
      this.emitHotplug({ type: 'attach' });
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!this.pending.delete(port)) return;
        this.ports.set(port.path, port);
      }, lead);
      this.timers.add(timer);
    } else {
      this.ports.set(port.path, port);
      this.emitHotplug({ type: 'attach' });
    }
    return port;
  }

  private emitHotplug(event: HotplugEvent): void {
    if (!this.options.hotplug) return;
    // Native hot-plug callbacks arrive on a later turn of the event loop, never inside plug().
    setImmediate(() => {
      for (const l of [...this.hotplugListeners]) l(event);
    });
  }

  private nextPath(): string {
    return this.options.errorStyle === 'win32'
      ? `\\\\?\\hid#vid_virtual&pid_${this.nextIndex++}#{4d1e55b2-f16f-11cf-88cb-001111000030}`
      : `/dev/hidraw-virtual${this.nextIndex++}`;
  }

  /** node-hid's messages: "cannot open device with path <p>" plus hidapi's detail. */
  openError(path: string, why: 'missing' | 'denied'): string {
    if (this.options.errorStyle === 'win32') {
      return why === 'denied'
        ? `cannot open device with path ${path}: open_device: (0x00000005) Access is denied.`
        : `cannot open device with path ${path}: open_device: (0x00000002) The system cannot find the file specified.`;
    }
    return `cannot open device with path ${path}: Failed to open a device with path '${path}': ${why === 'denied' ? 'Permission denied' : 'No such file or directory'}`;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

/** An open handle on a virtual port: forwards to the device until the port is unplugged. */
export class BusHandle implements HidDevice {
  closed = false;
  private gone = false;
  private readonly waiters = new Set<(error: Error) => void>();

  constructor(
    private readonly port: VirtualPort,
    private readonly device: HidDevice,
    private readonly errorStyle: 'win32' | 'linux',
  ) {}

  async write(report: number[] | Buffer): Promise<number> {
    if (this.closed) throw new TypeError('device has been closed');
    if (this.gone) throw new Error(this.writeError('gone'));
    if (this.port.options?.accessDenied === 'write') throw new Error(this.writeError('denied'));
    return this.race(this.device.write(report));
  }

  async read(timeoutMs?: number): Promise<Buffer | undefined> {
    if (this.closed) throw new TypeError('device has been closed');
    if (this.gone) throw new Error(this.readError());
    return this.race(this.device.read(timeoutMs));
  }

  async close(): Promise<void> {
    if (this.closed) throw new TypeError('device is already closed'); // as node-hid does
    this.closed = true;
    this.port.handles.delete(this);
    await this.device.close().catch(() => undefined);
  }

  /** Called by the bus on unplug: everything in flight fails now. */
  disconnect(): void {
    this.gone = true;
    if ('unplug' in this.device && typeof this.device.unplug === 'function') {
      (this.device as { unplug(mode: 'reject'): void }).unplug('reject'); // a SoftAuthenticator: stop its timers too
    }
    const error = new Error(this.readError());
    for (const w of this.waiters) w(error);
    this.waiters.clear();
  }

  private race<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiters.add(reject);
      work.then(
        (v) => {
          this.waiters.delete(reject);
          if (this.gone) reject(new Error(this.readError()));
          else resolve(v);
        },
        (e: unknown) => {
          this.waiters.delete(reject);
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }

  private readError(): string {
    return this.errorStyle === 'win32'
      ? 'could not read data from device: ReadFile: (0x0000048F) The device is not connected.'
      : 'could not read data from device: No such device';
  }

  private writeError(why: 'gone' | 'denied'): string {
    if (this.errorStyle === 'win32') {
      return why === 'denied'
        ? 'Cannot write to hid device: WriteFile: (0x00000005) Access is denied.'
        : 'Cannot write to hid device: WriteFile: (0x0000048F) The device is not connected.';
    }
    return why === 'denied' ? 'Cannot write to hid device: Permission denied' : 'Cannot write to hid device: No such device';
  }
}
