/**
 * KeyWatcher: which security keys are plugged in right now, and what they are.
 *
 * Answers "what happens when the key is unplugged?": the next scan (immediately on a hot-plug event,
 * otherwise within one poll interval) no longer lists it, its identification is aborted (the device is
 * closed, the transaction ends with a typed error) and `detached` is emitted.
 *
 * Events, in the order a key lives through them:
 *   attached → identified | identity-unavailable → detached
 * plus `multiple` (two or more keys at once: "please keep only one key plugged in"), `reader`
 * (the HID stack works / does not work) and `change` (a full snapshot after every change, for the UI).
 *
 * This file tracks the keys (what each scan found, compared with what was there) and identifies each new one
 * (with retries). When it scans (hot-plug, debounce, polling under a CPU budget): scan-schedule.ts.
 */
import type { HidDeviceInfo } from './hid/device';
import { identifyDevice, KeyIdentifyError, unavailableMessage, type IdentifiedKey, type IdentifyFailureCode, type IdentifyTimeouts } from './identify';
import { isFidoInterface, keyIdOf, vidPidLabel, type KeySource } from './key-source';
import { ScanSchedule, type ScanMode } from './scan-schedule';

export type KeyIdentityState =
  { status: 'pending' } | { status: 'identified'; key: IdentifiedKey } | { status: 'unavailable'; reason: IdentifyFailureCode; message: string };

/** One key the watcher currently sees. Immutable snapshot; a new object replaces it on each change. */
export interface PresentKey {
  id: string;
  path: string;
  vendorId: number;
  productId: number;
  /** `1050:0407` */
  vidPid: string;
  product?: string | undefined;
  manufacturer?: string | undefined;
  serialNumber?: string | undefined;
  /** `performance.now()` when the watcher first listed it. */
  seenAt: number;
  identity: KeyIdentityState;
}

export type ReaderState = { status: 'starting' } | { status: 'ok' } | { status: 'unavailable'; message: string };

export interface KeyWatcherState {
  reader: ReaderState;
  mode: ScanMode;
  /** `multiple` is its own state: the station asks the user to keep only one key plugged in. */
  presence: 'none' | 'one' | 'multiple';
  keys: PresentKey[];
}

export interface KeyWatcherEvents {
  attached: { key: PresentKey };
  identified: { key: PresentKey; identified: IdentifiedKey };
  'identity-unavailable': { key: PresentKey; reason: IdentifyFailureCode; message: string; error: KeyIdentifyError };
  detached: { key: PresentKey };
  /** `active` true when a second key arrives, false when back to one or none. */
  multiple: { active: boolean; keys: PresentKey[] };
  reader: ReaderState;
  change: KeyWatcherState;
}

export type Identifier = (info: HidDeviceInfo, signal: AbortSignal) => Promise<IdentifiedKey>;

export interface KeyWatcherOptions {
  /** Poll interval without working hot-plug (ms). Bounds the detection latency in polling mode. */
  pollIntervalMs?: number;
  /** Safety-net poll interval while hot-plug events flow (ms). */
  hotplugPollIntervalMs?: number;
  /** Trailing debounce for bursts of hot-plug events (ms). */
  hotplugDebounceMs?: number;
  /** Extra scans after a hot-plug event, for HID interfaces that enumerate after the USB event (ms). */
  hotplugFollowUpsMs?: readonly number[];
  /** Upper bound on the share of one core spent enumerating while idle (0.005 = 0.5 %). */
  maxPollCpuShare?: number;
  /** The CPU budget never stretches the polling interval beyond this (ms): detection must stay prompt. */
  maxPollIntervalMs?: number;
  /** Retry interval while the key reader does not work (ms). */
  readerRetryMs?: number;
  /** Identification attempts per insertion for transient failures (timeout, protocol error). */
  identifyAttempts?: number;
  identifyTimeouts?: Partial<IdentifyTimeouts>;
  /** Replace the identification pipeline (tests). Defaults to `identifyDevice` over `source.open`. */
  identify?: Identifier;
  platform?: NodeJS.Platform;
  /** Where listener exceptions go; a throwing listener never stops the watcher. */
  onListenerError?: (error: unknown, event: keyof KeyWatcherEvents) => void;
}

const DEFAULTS = {
  pollIntervalMs: 200,
  hotplugPollIntervalMs: 2000,
  hotplugDebounceMs: 15,
  hotplugFollowUpsMs: [150, 600, 1500] as readonly number[],
  maxPollCpuShare: 0.005,
  maxPollIntervalMs: 2000,
  readerRetryMs: 3000,
  identifyAttempts: 2,
};

const RETRYABLE: ReadonlySet<IdentifyFailureCode> = new Set(['timeout', 'protocol-error', 'open-failed', 'device-gone']);

interface Tracked {
  key: PresentKey;
  info: HidDeviceInfo;
  abort: AbortController;
  identifying?: Promise<void>;
}

type Listener<K extends keyof KeyWatcherEvents> = (payload: KeyWatcherEvents[K]) => void;

export class KeyWatcher {
  private readonly source: KeySource;
  private readonly opts: typeof DEFAULTS & Pick<KeyWatcherOptions, 'identifyTimeouts' | 'platform' | 'onListenerError'>;
  private readonly identify: Identifier;
  private readonly listeners = new Map<keyof KeyWatcherEvents, Set<(payload: never) => void>>();
  private readonly tracked = new Map<string, Tracked>();
  private readonly schedule: ScanSchedule;
  private reader: ReaderState = { status: 'starting' };
  private multipleActive = false;
  private running = false;
  private unsubscribeHotplug: (() => void) | undefined;

  constructor(source: KeySource, options: KeyWatcherOptions = {}) {
    this.source = source;
    const { identify, ...rest } = options;
    this.opts = { ...DEFAULTS, ...stripUndefined(rest) };
    this.schedule = new ScanSchedule(this.opts, {
      scan: () => this.scanOnce(),
      running: () => this.running,
      readerUnavailable: () => this.reader.status === 'unavailable',
      modeChanged: () => this.emitChange(),
    });
    this.identify =
      identify ??
      ((info, signal) =>
        identifyDevice(info, {
          open: (path) => this.source.open(path),
          signal,
          timeouts: this.opts.identifyTimeouts,
          platform: this.opts.platform,
        }));
  }

  /** Subscribe; returns the unsubscribe function. */
  on<K extends keyof KeyWatcherEvents>(event: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  /** Start watching: subscribe to hot-plug (when the source offers it) and scan once. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    if (this.source.onHotplug) {
      try {
        this.unsubscribeHotplug = this.source.onHotplug((event) => this.schedule.onHotplug(event));
      } catch {
        this.unsubscribeHotplug = undefined; // a source that cannot subscribe is a polling source
      }
    }
    await this.scanNow();
  }

  /** Stop: release timers and listeners, abort identifications, and wait until devices are closed. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribeHotplug?.();
    this.unsubscribeHotplug = undefined;
    this.schedule.cancelTimers();
    const pending: Promise<void>[] = [];
    for (const t of this.tracked.values()) {
      t.abort.abort();
      if (t.identifying) pending.push(t.identifying);
    }
    if (this.schedule.scanning) pending.push(this.schedule.scanning);
    await Promise.allSettled(pending);
    this.listeners.clear();
    // A later start() begins from scratch: every key present then is a new `attached`.
    this.tracked.clear();
    this.multipleActive = false;
    this.reader = { status: 'starting' };
    this.schedule.reset();
  }

  /** The current picture, as the UI shows it. */
  state(): KeyWatcherState {
    const keys = [...this.tracked.values()].map((t) => t.key);
    return {
      reader: this.reader,
      mode: this.schedule.mode,
      presence: keys.length === 0 ? 'none' : keys.length === 1 ? 'one' : 'multiple',
      keys,
    };
  }

  /** Diagnostics for the bench and the support screen. */
  stats(): { scans: number; listCostMs: number; pollIntervalMs: number; mode: ScanMode } {
    return this.schedule.stats();
  }

  /** Scan now (coalesces with a scan already running). Resolves when the picture is up to date. */
  scanNow(): Promise<void> {
    return this.schedule.scanNow();
  }

  /** Read a key again (the "try again" button after `identity-unavailable`). */
  reidentify(keyId: string): boolean {
    const t = this.tracked.get(keyId);
    // Allowed once the last attempt has reported (its promise may still be unwinding).
    if (!t || t.key.identity.status === 'pending') return false;
    this.update(t, { identity: { status: 'pending' } });
    this.emitChange();
    this.startIdentify(t);
    return true;
  }

  // ---------------------------------------------------------------------------------------------

  private async scanOnce(): Promise<void> {
    const started = performance.now();
    let listed: HidDeviceInfo[];
    try {
      listed = await this.source.list();
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      this.setReader({ status: 'unavailable', message: detail.startsWith('key reader not working') ? detail : `key reader not working: ${detail}` });
      return;
    }
    this.schedule.recordListCost(performance.now() - started);
    if (!this.running) return;
    this.setReader({ status: 'ok' });

    const present = new Map<string, HidDeviceInfo>();
    for (const info of listed) {
      if (!isFidoInterface(info)) continue;
      const id = keyIdOf(info);
      if (!present.has(id)) present.set(id, info);
    }

    let changed = false;
    for (const [id, t] of this.tracked) {
      if (present.has(id)) continue;
      this.tracked.delete(id);
      t.abort.abort();
      this.emit('detached', { key: t.key });
      changed = true;
    }
    const added: Tracked[] = [];
    for (const [id, info] of present) {
      if (this.tracked.has(id)) continue;
      const t: Tracked = {
        info,
        abort: new AbortController(),
        key: {
          id,
          path: info.path,
          vendorId: info.vendorId,
          productId: info.productId,
          vidPid: vidPidLabel(info),
          product: info.product,
          manufacturer: info.manufacturer,
          serialNumber: info.serialNumber,
          seenAt: started,
          identity: { status: 'pending' },
        },
      };
      this.tracked.set(id, t);
      added.push(t);
      this.emit('attached', { key: t.key });
      changed = true;
    }

    const multiple = this.tracked.size > 1;
    if (multiple !== this.multipleActive) {
      this.multipleActive = multiple;
      this.emit('multiple', { active: multiple, keys: this.state().keys });
    }
    if (changed) this.emitChange();
    for (const t of added) this.startIdentify(t);
  }

  private startIdentify(t: Tracked): void {
    const run = async () => {
      let lastError: KeyIdentifyError | undefined;
      for (let attempt = 1; attempt <= this.opts.identifyAttempts; attempt++) {
        if (t.abort.signal.aborted) return;
        try {
          const identified = await this.identify(t.info, t.abort.signal);
          if (!this.isCurrent(t)) return; // unplugged meanwhile: `detached` already told the story
          this.update(t, { identity: { status: 'identified', key: identified } });
          this.emit('identified', { key: t.key, identified });
          this.emitChange();
          return;
        } catch (e) {
          if (!this.isCurrent(t)) return;
          lastError = e instanceof KeyIdentifyError ? e : new KeyIdentifyError('protocol-error', 'identity', String(e), { cause: e });
          if (lastError.code === 'device-gone') {
            // The handle usually fails before enumeration drops the key: look again before judging, so
            // an unplugged key reads as `detached` only, and a key that is still there gets another try.
            await this.scanNow();
            if (!this.isCurrent(t)) return;
          }
          if (!RETRYABLE.has(lastError.code)) break;
          if (attempt < this.opts.identifyAttempts) await delay(50 * attempt, t.abort.signal);
        }
      }
      if (!lastError || !this.isCurrent(t)) return;
      const message = unavailableMessage(lastError, this.opts.platform);
      this.update(t, { identity: { status: 'unavailable', reason: lastError.code, message } });
      this.emit('identity-unavailable', { key: t.key, reason: lastError.code, message, error: lastError });
      this.emitChange();
    };
    const identifying: Promise<void> = run().finally(() => {
      if (t.identifying === identifying) t.identifying = undefined;
    });
    t.identifying = identifying;
  }

  private isCurrent(t: Tracked): boolean {
    return this.running && !t.abort.signal.aborted && this.tracked.get(t.key.id) === t;
  }

  private update(t: Tracked, patch: Partial<PresentKey>): void {
    t.key = { ...t.key, ...patch };
  }

  private setReader(reader: ReaderState): void {
    const same =
      reader.status === this.reader.status &&
      (reader.status !== 'unavailable' || (this.reader.status === 'unavailable' && this.reader.message === reader.message));
    if (same) return;
    this.reader = reader;
    this.emit('reader', reader);
    this.emitChange();
  }

  private emitChange(): void {
    this.emit('change', this.state());
  }

  private emit<K extends keyof KeyWatcherEvents>(event: K, payload: KeyWatcherEvents[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<K>)(payload);
      } catch (e) {
        this.opts.onListenerError?.(e, event);
      }
    }
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
