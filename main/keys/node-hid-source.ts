/**
 * The production KeySource: node-hid 3 for enumeration and I/O, the `usb` package for hot-plug.
 *
 * Both are native modules, loaded on first use and never at import time, so a station whose build lacks
 * them (or whose libusb/udev is missing) still starts: `list()` rejects with `KeyReaderUnavailableError`
 * ("key reader not working") and the watcher shows that instead of crashing.
 *
 * Hot-plug, learned the hard way:
 * - `usb` 3.x is a rewrite (nusb + napi-rs) whose WebUSB-style `usb.addEventListener('connect')` starts
 *   the native watcher in a fire-and-forget promise and rethrows its failures from a `setTimeout`: on a
 *   machine without /sys/bus/usb that is an uncaught exception. So we drive the native `Emitter` from
 *   `usb/index.js` directly, where every failure is an awaited rejection we can catch. `usb` 2.x
 *   (`usb.on('attach' | 'detach')`) is used when that is what is installed.
 * - Before trusting events we probe the bus once (`nativeGetDevices`): if the USB subsystem is not
 *   visible, events would never come, and the watcher must poll at full rate.
 * - A USB attach event precedes the HID interface; the watcher follows every attach with re-scans.
 */
import type { HidDevice, HidDeviceInfo } from './hid/device';
import { KeyReaderUnavailableError, type HotplugEvent, type KeySource } from './key-source';

/** The part of node-hid 3 we use. */
export interface NodeHidModule {
  devicesAsync(): Promise<NodeHidDevice[]>;
  HIDAsync: { open(path: string): Promise<NodeHidHandle> };
}
interface NodeHidDevice {
  vendorId: number;
  productId: number;
  path?: string | undefined;
  serialNumber?: string | undefined;
  manufacturer?: string | undefined;
  product?: string | undefined;
  release?: number;
  interface?: number;
  usagePage?: number | undefined;
  usage?: number | undefined;
}
interface NodeHidHandle {
  write(values: number[] | Buffer): Promise<number>;
  read(timeOut?: number): Promise<Buffer | undefined>;
  close(): Promise<void>;
}

/** Hot-plug as we use it, whichever `usb` major is installed. */
export interface UsbHotplug {
  start(onChange: (kind: 'attach' | 'detach') => void): Promise<void>;
  stop(): Promise<void>;
}

export type HotplugStatus =
  /** Disabled by configuration. */
  | { status: 'off' }
  /** Nobody subscribed yet. */
  | { status: 'idle' }
  | { status: 'starting' }
  | { status: 'active'; via: string }
  | { status: 'unavailable'; reason: string };

export interface NodeHidSourceOptions {
  /** Use `usb` hot-plug events when they work (default true). */
  hotplug?: boolean;
  /** Injectable loaders (tests); default to dynamic imports of `node-hid` and `usb`. */
  loadNodeHid?: () => Promise<NodeHidModule>;
  loadUsbHotplug?: () => Promise<UsbHotplug>;
}

export class NodeHidSource implements KeySource {
  private readonly options: NodeHidSourceOptions;
  private hid: Promise<NodeHidModule> | undefined;
  private readonly hotplugListeners = new Set<(event: HotplugEvent) => void>();
  private hotplug: UsbHotplug | undefined;
  private hotplugState: HotplugStatus;
  private hotplugGeneration = 0;

  constructor(options: NodeHidSourceOptions = {}) {
    this.options = options;
    this.hotplugState = options.hotplug === false ? { status: 'off' } : { status: 'idle' };
  }

  async list(): Promise<HidDeviceInfo[]> {
    const hid = await this.loadHid();
    let devices: NodeHidDevice[];
    try {
      devices = await hid.devicesAsync();
    } catch (e) {
      throw new KeyReaderUnavailableError(`key reader not working: HID enumeration failed: ${messageOf(e)}`, { cause: e });
    }
    const out: HidDeviceInfo[] = [];
    for (const d of devices) {
      if (!d.path) continue; // cannot be opened, so it is of no use to us
      out.push({
        path: d.path,
        vendorId: d.vendorId,
        productId: d.productId,
        product: d.product,
        manufacturer: d.manufacturer,
        serialNumber: d.serialNumber || undefined,
        release: d.release,
        usagePage: d.usagePage,
        usage: d.usage,
        interface: d.interface,
      });
    }
    return out;
  }

  /** Opens with node-hid's own error on refusal (identify.ts classifies access denied from its text). */
  async open(path: string): Promise<HidDevice> {
    const hid = await this.loadHid();
    return new NodeHidDeviceAdapter(await hid.HIDAsync.open(path));
  }

  onHotplug(listener: (event: HotplugEvent) => void): () => void {
    if (this.options.hotplug === false) {
      queueMicrotask(() => listener({ type: 'unavailable', reason: 'hot-plug disabled by configuration' }));
      return () => undefined;
    }
    this.hotplugListeners.add(listener);
    if (this.hotplugListeners.size === 1) void this.startHotplug();
    else if (this.hotplugState.status === 'active') queueMicrotask(() => listener({ type: 'ready' }));
    else if (this.hotplugState.status === 'unavailable') {
      const reason = this.hotplugState.reason;
      queueMicrotask(() => listener({ type: 'unavailable', reason }));
    }
    return () => {
      if (!this.hotplugListeners.delete(listener)) return;
      if (this.hotplugListeners.size === 0) void this.stopHotplug();
    };
  }

  /** For the support screen: is hot-plug working, and if not, why. */
  hotplugStatus(): HotplugStatus {
    return this.hotplugState;
  }

  // ---------------------------------------------------------------------------------------------

  private loadHid(): Promise<NodeHidModule> {
    if (!this.hid) {
      const load = this.options.loadNodeHid ?? loadNodeHid;
      this.hid = load().catch((e: unknown) => {
        this.hid = undefined; // try again next time (a driver may get installed meanwhile)
        throw new KeyReaderUnavailableError(`key reader not working: node-hid could not be loaded: ${messageOf(e)}`, { cause: e });
      });
    }
    return this.hid;
  }

  private broadcast(event: HotplugEvent): void {
    for (const l of [...this.hotplugListeners]) {
      try {
        l(event);
      } catch {
        // a listener's problem is not the bus's problem
      }
    }
  }

  private async startHotplug(): Promise<void> {
    const generation = ++this.hotplugGeneration;
    this.hotplugState = { status: 'starting' };
    try {
      const hotplug = await (this.options.loadUsbHotplug ?? loadUsbHotplug)();
      await hotplug.start((kind) => {
        if (generation === this.hotplugGeneration) this.broadcast({ type: kind });
      });
      if (generation !== this.hotplugGeneration) {
        await hotplug.stop().catch(() => undefined); // unsubscribed while starting
        return;
      }
      this.hotplug = hotplug;
      this.hotplugState = { status: 'active', via: 'usb' };
      this.broadcast({ type: 'ready' });
    } catch (e) {
      if (generation !== this.hotplugGeneration) return;
      const reason = `hot-plug events unavailable, polling instead: ${messageOf(e)}`;
      this.hotplugState = { status: 'unavailable', reason };
      this.broadcast({ type: 'unavailable', reason });
    }
  }

  private async stopHotplug(): Promise<void> {
    this.hotplugGeneration++;
    const hotplug = this.hotplug;
    this.hotplug = undefined;
    this.hotplugState = { status: 'idle' };
    await hotplug?.stop().catch(() => undefined);
  }
}

/** node-hid's HIDAsync, with `close()` made idempotent (node-hid throws on a second close). */
class NodeHidDeviceAdapter implements HidDevice {
  private closed = false;
  constructor(private readonly handle: NodeHidHandle) {}
  write(report: number[] | Buffer): Promise<number> {
    return this.handle.write(report);
  }
  read(timeoutMs?: number): Promise<Buffer | undefined> {
    return this.handle.read(timeoutMs);
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

async function loadNodeHid(): Promise<NodeHidModule> {
  const mod: unknown = await import('node-hid');
  const hid = pickModule(mod);
  if (typeof hid.devicesAsync !== 'function' || !isObject(hid.HIDAsync) || typeof hid.HIDAsync.open !== 'function') {
    throw new Error('node-hid has no devicesAsync/HIDAsync (node-hid 3 is required)');
  }
  return hid as unknown as NodeHidModule;
}

/** The `usb` package's native hot-plug emitter, or `usb` 2.x's `usb.on('attach')`. */
async function loadUsbHotplug(): Promise<UsbHotplug> {
  const dist = pickModule(await import('usb'));
  const legacy = dist.usb;
  if (isObject(legacy) && typeof legacy.on === 'function' && typeof legacy.removeListener === 'function') {
    return legacyUsbHotplug(legacy as unknown as LegacyUsb);
  }
  const native = pickModule(await import('usb/index.js'));
  if (typeof native.Emitter !== 'function' || typeof native.nativeGetDevices !== 'function') {
    throw new Error('the usb package has neither usb.on nor a native Emitter');
  }
  const api = native as unknown as NativeUsb;
  // Probe: without a visible USB bus (containers, some VMs) events would never arrive.
  await api.nativeGetDevices();
  const emitter = new api.Emitter();
  return {
    async start(onChange) {
      await emitter.addAttach(() => onChange('attach'));
      await emitter.addDetach(() => onChange('detach'));
    },
    async stop() {
      await emitter.removeAttach().catch(() => undefined);
      await emitter.removeDetach().catch(() => undefined);
    },
  };
}

interface NativeUsb {
  nativeGetDevices(): Promise<unknown[]>;
  Emitter: new () => {
    addAttach(cb: (device: unknown) => void): Promise<void>;
    removeAttach(): Promise<void>;
    addDetach(cb: (handle: unknown) => void): Promise<void>;
    removeDetach(): Promise<void>;
  };
}
interface LegacyUsb {
  on(event: 'attach' | 'detach', cb: () => void): void;
  removeListener(event: 'attach' | 'detach', cb: () => void): void;
}

function legacyUsbHotplug(usb: LegacyUsb): UsbHotplug {
  let attach: (() => void) | undefined;
  let detach: (() => void) | undefined;
  return {
    async start(onChange) {
      attach = () => onChange('attach');
      detach = () => onChange('detach');
      usb.on('attach', attach);
      usb.on('detach', detach);
    },
    async stop() {
      if (attach) usb.removeListener('attach', attach);
      if (detach) usb.removeListener('detach', detach);
    },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null;
}

/** A CommonJS module imported from ESM arrives as `{ default: exports, ...named }`. */
function pickModule(mod: unknown): Record<string, unknown> {
  if (!isObject(mod)) return {};
  const def = mod.default;
  return isObject(def) ? { ...def, ...mod } : mod;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
