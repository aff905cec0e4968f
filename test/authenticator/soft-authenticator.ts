/**
 * A software FIDO2 authenticator speaking CTAPHID at the 64-byte report level.
 *
 * It implements the same `HidDevice` interface as node-hid's `HIDAsync`: the host writes 65-byte output
 * reports (report ID 0x00 + packet) and reads 64-byte input reports. It answers INIT (allocating
 * channels), PING, WINK, CANCEL, MSG (a minimal U2F version answer) and CBOR, which it hands to a pluggable
 * `CtapCore`; everything else gets CTAPHID_ERROR. Faults for tests are switched on through the mutable
 * `faults` object, also while the device is in use.
 */
import {
  BROADCAST_CID,
  Ctap2Status,
  CtapHidCapability,
  CtapHidCommand,
  CtapHidErrorCode,
  FIDO_USAGE_CTAPHID,
  FIDO_USAGE_PAGE,
  HID_REPORT_SIZE,
  INIT_NONCE_SIZE,
  KeepaliveStatus,
  OUTPUT_REPORT_ID,
  RESERVED_CID,
} from '../../main/keys/hid/constants';
import type { HidDevice, HidDeviceInfo } from '../../main/keys/hid/device';
import { type CtapHidMessage, MessageAssembler, encodePackets, writeCid } from '../../main/keys/hid/framing';
import type { CtapCore, CtapCoreContext } from './core';

/** Fault modes. Every field is optional and may be changed while the authenticator runs. */
export interface SoftAuthenticatorFaults {
  /** Answer CBOR requests only after this long, sending KEEPALIVE meanwhile (see below). */
  cborDelayMs?: number;
  /** KEEPALIVE period while a CBOR request is delayed (default 50 ms; 0 = stay silent). */
  keepaliveIntervalMs?: number;
  /** KEEPALIVE status byte, or a function of the time since the request (default PROCESSING). */
  keepaliveStatus?: KeepaliveStatus | number | ((elapsedMs: number) => KeepaliveStatus | number);
  /** Garbage reports queued before every reply: other channels, stray continuations, short and empty reports. */
  garbageBeforeReplies?: number;
  /** Corrupt the framing of replies on the host's own channel (not INIT, not KEEPALIVE). */
  garbleReplies?: 'bad-seq' | 'oversize';
  /** INIT replies carrying another nonce (and another CID), sent before the real one on every broadcast INIT. */
  wrongNonceInitReplies?: number;
  /** Padding byte of unused report space (real keys: 0x00; some 0xEE). */
  padByte?: number;
  /** Ignore CTAPHID_CANCEL (some keys finish the request anyway). */
  ignoreCancel?: boolean;
  /** Answer the next N requests (other than INIT and CANCEL) with CTAPHID_ERROR CHANNEL_BUSY. */
  busyRequests?: number;
  /**
   * Unplug while sending a reply to `command` (default CBOR), after `afterReports` of its reports were
   * delivered. `mode` 'reject': reads reject; 'silent': reads return nothing forever. Writes throw either way.
   */
  disconnect?: { command?: CtapHidCommand; afterReports: number; mode: 'reject' | 'silent' };
}

export interface SoftAuthenticatorOptions {
  /** Answers CTAPHID_CBOR. Default: every request gets CTAP2_ERR_INVALID_COMMAND. */
  core?: CtapCore;
  /** CTAPHID capability flags from INIT (default WINK | CBOR | NMSG). U2F-only: 0 (or without CBOR). */
  capabilities?: number;
  /** Version in the INIT response (default 1.0.0). */
  deviceVersion?: { major: number; minor: number; build: number };
  /** What enumeration would report for this device. */
  info?: Partial<HidDeviceInfo>;
  faults?: SoftAuthenticatorFaults;
  /** Reject writes that are not 65 bytes starting with report ID 0x00 (default true). */
  strictReports?: boolean;
  /** Seed of the garbage and wrong-nonce generator (default 1), for reproducible runs. */
  seed?: number;
}

/** One request the authenticator received, for assertions. */
export interface RequestRecord {
  cid: number;
  cmd: number;
  length: number;
}

/** Answers every CTAP2 request with CTAP2_ERR_INVALID_COMMAND. */
export const unsupportedCore: CtapCore = { handleCbor: () => Uint8Array.of(Ctap2Status.InvalidCommand) };

const MAX_LOG = 1000;
const MAX_OUTBOX = 1024;
const FIRST_CID = 0x0a0b0001;

type Waiter = { resolve: (report: Buffer | undefined) => void; reject: (error: Error) => void; timer?: NodeJS.Timeout };

/**
 * One open handle on the device, as one program's `HID.open` would give. Like hidraw, every open handle
 * receives its own copy of every input report; each handle's queue is bounded like an OS buffer.
 */
class HostHandle implements HidDevice {
  readonly outbox: Buffer[] = [];
  private readonly waiters: Waiter[] = [];
  closed = false;

  constructor(private readonly owner: SoftAuthenticator) {}

  write(report: number[] | Buffer): Promise<number> {
    if (this.closed) return Promise.reject(new Error('Cannot write to hid device'));
    return this.owner.receiveReport(report);
  }

  read(timeoutMs?: number): Promise<Buffer | undefined> {
    if (this.closed) return Promise.reject(new Error('device has been closed'));
    const gone = this.owner.unplugged;
    if (gone === 'reject') return Promise.reject(new Error('could not read from HID device'));
    const next = gone ? undefined : this.outbox.shift();
    if (next) return Promise.resolve(next);
    if (timeoutMs === 0) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      if (timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve(undefined);
        }, timeoutMs);
      }
      this.waiters.push(waiter);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failWaiters('device has been closed');
    this.owner.handleClosed(this);
  }

  deliver(report: Buffer): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(Buffer.from(report));
      return;
    }
    this.outbox.push(Buffer.from(report));
    if (this.outbox.length > MAX_OUTBOX) this.outbox.shift();
  }

  failWaiters(message: string): void {
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(message));
    }
  }
}

interface Processing {
  cid: number;
  started: number;
  keepalive?: NodeJS.Timeout;
  reply?: NodeJS.Timeout;
  wake?: () => void;
  done: boolean;
  abort: AbortController;
}

export class SoftAuthenticator implements HidDevice {
  readonly faults: SoftAuthenticatorFaults;
  readonly capabilities: number;
  readonly deviceVersion: { major: number; minor: number; build: number };
  readonly info: HidDeviceInfo;
  core: CtapCore;

  /** Number of WINK requests honoured. */
  winkCount = 0;
  /** Requests received (most recent 1000). */
  readonly requests: RequestRecord[] = [];
  /** Every report written by the host, exactly as written (most recent 1000). */
  readonly written: Buffer[] = [];
  /** Channels allocated through INIT. */
  readonly channels = new Set<number>();
  /** Reports queued for the host but not yet read. */
  get pendingReports(): number {
    return this.primary.outbox.length;
  }
  /** 'reject' or 'silent' once unplugged. */
  get unplugged(): 'reject' | 'silent' | undefined {
    return this.unplugMode;
  }
  get isClosed(): boolean {
    return this.primary.closed;
  }

  private readonly strict: boolean;
  private readonly assembler = new MessageAssembler({ resyncCommand: CtapHidCommand.Init });
  private readonly primary = new HostHandle(this);
  private readonly handles = new Set<HostHandle>([this.primary]);
  private nextCid = FIRST_CID;
  private processing: Processing | undefined;
  private unplugMode: 'reject' | 'silent' | undefined;
  private rng: number;
  private work: Promise<void> = Promise.resolve();
  private readonly touchWaiters: ((touched: boolean) => void)[] = [];

  constructor(options: SoftAuthenticatorOptions = {}) {
    this.core = options.core ?? unsupportedCore;
    this.capabilities = options.capabilities ?? CtapHidCapability.Wink | CtapHidCapability.Cbor | CtapHidCapability.Nmsg;
    this.deviceVersion = options.deviceVersion ?? { major: 1, minor: 0, build: 0 };
    this.faults = { ...options.faults };
    this.strict = options.strictReports ?? true;
    this.rng = (options.seed ?? 1) >>> 0 || 1;
    this.info = {
      path: 'soft-authenticator://1',
      vendorId: 0xf1d0,
      productId: 0x0001,
      product: 'Software FIDO2 Authenticator',
      manufacturer: 'TAP Kiosk tests',
      usagePage: FIDO_USAGE_PAGE,
      usage: FIDO_USAGE_CTAPHID,
      interface: 0,
      release: 0x0100,
      ...options.info,
    };
  }

  // ----------------------------------------------------------------------------------- HidDevice

  /** Write through the authenticator's own handle (it is itself a `HidDevice`). */
  write(report: number[] | Buffer): Promise<number> {
    return this.primary.write(report);
  }

  read(timeoutMs?: number): Promise<Buffer | undefined> {
    return this.primary.read(timeoutMs);
  }

  /** Close the authenticator's own handle; other handles from `openHandle()` stay usable. */
  close(): Promise<void> {
    return this.primary.close();
  }

  /**
   * Another handle on the same key, as a second program opening it would get: it receives a copy of every
   * input report and shares the key's channels, state and faults.
   */
  openHandle(): HidDevice {
    if (this.unplugMode) throw new Error('could not open HID device');
    const handle = new HostHandle(this);
    this.handles.add(handle);
    return handle;
  }

  /** @internal a handle wrote a report */
  async receiveReport(report: number[] | Buffer): Promise<number> {
    if (this.unplugMode) throw new Error('Cannot write to hid device');
    const bytes = Buffer.from(report);
    if (this.strict && (bytes.length !== HID_REPORT_SIZE + 1 || bytes[0] !== OUTPUT_REPORT_ID)) {
      throw new TypeError(`expected a 65-byte output report starting with report ID 0, got ${bytes.length} bytes starting 0x${(bytes[0] ?? 0).toString(16)}`);
    }
    log(this.written, bytes);
    const packet = bytes.subarray(bytes.length - HID_REPORT_SIZE);
    // Process in order, asynchronously, like a device would.
    this.work = this.work.then(() => this.receivePacket(packet)).catch(() => undefined);
    return bytes.length;
  }

  /** @internal a handle was closed: with no host left, abandon the request in progress */
  handleClosed(handle: HostHandle): void {
    this.handles.delete(handle);
    if (this.handles.size === 0) this.stopProcessing();
  }

  // ----------------------------------------------------------------------------------- test controls

  /** Simulate pulling the key out. Pending reads reject ('reject') or never resolve ('silent'). */
  unplug(mode: 'reject' | 'silent' = 'reject'): void {
    this.unplugMode = mode;
    this.stopProcessing();
    for (const handle of this.handles) {
      handle.outbox.length = 0;
      if (mode === 'reject') handle.failWaiters('could not read from HID device');
    }
  }

  /** Resolves once every written report has been processed (replies may still be delayed by faults). */
  async settled(): Promise<void> {
    await this.work;
  }

  // ----------------------------------------------------------------------------------- device logic

  private async receivePacket(packet: Uint8Array): Promise<void> {
    const result = this.assembler.push(packet);
    switch (result.kind) {
      case 'pending':
        return;
      case 'ignored':
        // A new command from another channel while one is being assembled: that channel must wait.
        if (result.reason === 'busy' && result.cid !== undefined && (packet[4] ?? 0) & 0x80) {
          this.sendError(result.cid, CtapHidErrorCode.ChannelBusy);
        }
        return;
      case 'error':
        this.sendError(result.cid, result.hidError);
        return;
      case 'message':
        await this.dispatch(result.message);
        return;
    }
  }

  private async dispatch(message: CtapHidMessage): Promise<void> {
    const { cid, cmd, payload } = message;
    log(this.requests, { cid, cmd, length: payload.length });
    if (cid === RESERVED_CID) return this.sendError(cid, CtapHidErrorCode.InvalidChannel);
    if (cmd === CtapHidCommand.Init) return this.handleInit(cid, payload);
    if (cid === BROADCAST_CID || !this.channels.has(cid)) return this.sendError(cid, CtapHidErrorCode.InvalidChannel);

    if (cmd === CtapHidCommand.Cancel) {
      const p = this.processing;
      if (p && p.cid === cid && !p.done && !this.faults.ignoreCancel) {
        this.stopProcessing();
        this.sendReply(cid, CtapHidCommand.Cbor, Uint8Array.of(Ctap2Status.KeepaliveCancel));
      }
      return; // CANCEL itself is never answered
    }
    if (this.processing && !this.processing.done) return this.sendError(cid, CtapHidErrorCode.ChannelBusy);
    if ((this.faults.busyRequests ?? 0) > 0) {
      this.faults.busyRequests = (this.faults.busyRequests ?? 1) - 1;
      return this.sendError(cid, CtapHidErrorCode.ChannelBusy);
    }

    switch (cmd) {
      case CtapHidCommand.Ping:
        return this.sendReply(cid, cmd, payload);
      case CtapHidCommand.Wink:
        if (!(this.capabilities & CtapHidCapability.Wink)) return this.sendError(cid, CtapHidErrorCode.InvalidCmd);
        this.winkCount++;
        return this.sendReply(cid, cmd, new Uint8Array(0));
      case CtapHidCommand.Msg:
        if (this.capabilities & CtapHidCapability.Nmsg) return this.sendError(cid, CtapHidErrorCode.InvalidCmd);
        return this.sendReply(cid, cmd, u2fAnswer(payload));
      case CtapHidCommand.Cbor:
        if (!(this.capabilities & CtapHidCapability.Cbor)) return this.sendError(cid, CtapHidErrorCode.InvalidCmd);
        if (payload.length === 0) return this.sendError(cid, CtapHidErrorCode.InvalidLen);
        // Not awaited: CANCEL and requests from other channels must be handled while this one runs.
        void this.handleCbor(cid, payload);
        return;
      default:
        // LOCK (no LOCK capability), host-sent KEEPALIVE/ERROR, vendor and unknown commands.
        return this.sendError(cid, CtapHidErrorCode.InvalidCmd);
    }
  }

  private handleInit(cid: number, nonce: Uint8Array): void {
    if (nonce.length !== INIT_NONCE_SIZE) return this.sendError(cid, CtapHidErrorCode.InvalidLen);
    let assigned: number;
    if (cid === BROADCAST_CID) {
      for (let i = 0; i < (this.faults.wrongNonceInitReplies ?? 0); i++) {
        const otherNonce = this.randomBytes(INIT_NONCE_SIZE);
        otherNonce[0] = (nonce[0] ?? 0) ^ 0xff; // never equal to the host's nonce
        this.sendReply(BROADCAST_CID, CtapHidCommand.Init, this.initResponse(otherNonce, 0x7e000000 + i + 1));
      }
      assigned = this.nextCid++;
      this.channels.add(assigned);
    } else if (this.channels.has(cid)) {
      // Resynchronise an existing channel: abandon whatever it was doing.
      if (this.processing?.cid === cid) this.stopProcessing();
      assigned = cid;
    } else {
      return this.sendError(cid, CtapHidErrorCode.InvalidChannel);
    }
    this.sendReply(cid, CtapHidCommand.Init, this.initResponse(nonce, assigned));
  }

  private initResponse(nonce: Uint8Array, cid: number): Uint8Array {
    const out = new Uint8Array(17);
    out.set(nonce.subarray(0, INIT_NONCE_SIZE));
    writeCid(out, cid, 8);
    out[12] = 2;
    out[13] = this.deviceVersion.major;
    out[14] = this.deviceVersion.minor;
    out[15] = this.deviceVersion.build;
    out[16] = this.capabilities;
    return out;
  }

  /** Simulate the user touching the key: every pending `waitForUserPresence` resolves true. */
  touch(): void {
    for (const resolve of this.touchWaiters.splice(0)) resolve(true);
  }

  private async handleCbor(cid: number, request: Uint8Array): Promise<void> {
    const p: Processing = { cid, started: performance.now(), done: false, abort: new AbortController() };
    this.processing = p;
    const delay = this.faults.cborDelayMs ?? 0;
    if (delay > 0) {
      const interval = this.faults.keepaliveIntervalMs ?? 50;
      if (interval > 0) {
        p.keepalive = setInterval(() => {
          if (!p.done) this.sendKeepalive(cid, performance.now() - p.started);
        }, interval);
      }
      await new Promise<void>((resolve) => {
        p.wake = resolve;
        p.reply = setTimeout(resolve, delay);
      });
    }
    if (p.done) return; // cancelled, unplugged or closed meanwhile
    let response: Uint8Array;
    try {
      response = await this.core.handleCbor(request, this.coreContext(p));
    } catch {
      response = Uint8Array.of(Ctap2Status.Other);
    }
    if (p.done) return;
    this.stopProcessing();
    this.sendReply(cid, CtapHidCommand.Cbor, response);
  }

  private coreContext(p: Processing): CtapCoreContext {
    return {
      signal: p.abort.signal,
      keepalive: (status) => {
        if (!p.done) this.queue(encodePackets(p.cid, CtapHidCommand.Keepalive, Uint8Array.of(status), { padByte: this.padByte }));
      },
      waitForUserPresence: (timeoutMs = 30_000) =>
        new Promise<boolean>((resolve) => {
          const upNeeded = (): void => {
            if (!p.done) this.queue(encodePackets(p.cid, CtapHidCommand.Keepalive, Uint8Array.of(KeepaliveStatus.UpNeeded), { padByte: this.padByte }));
          };
          upNeeded();
          const interval = setInterval(upNeeded, this.faults.keepaliveIntervalMs || 50);
          const finish = (touched: boolean): void => {
            clearInterval(interval);
            clearTimeout(timer);
            p.abort.signal.removeEventListener('abort', onAbort);
            const i = this.touchWaiters.indexOf(finish);
            if (i >= 0) this.touchWaiters.splice(i, 1);
            resolve(touched);
          };
          const onAbort = (): void => finish(false);
          const timer = setTimeout(() => finish(false), timeoutMs);
          if (p.abort.signal.aborted) return finish(false);
          p.abort.signal.addEventListener('abort', onAbort, { once: true });
          this.touchWaiters.push(finish);
        }),
    };
  }

  private stopProcessing(): void {
    const p = this.processing;
    if (!p) return;
    p.done = true;
    clearInterval(p.keepalive);
    clearTimeout(p.reply);
    p.wake?.();
    p.abort.abort();
    this.processing = undefined;
  }

  private sendKeepalive(cid: number, elapsedMs: number): void {
    const s = this.faults.keepaliveStatus ?? KeepaliveStatus.Processing;
    const status = typeof s === 'function' ? s(elapsedMs) : s;
    this.queue(encodePackets(cid, CtapHidCommand.Keepalive, Uint8Array.of(status), { padByte: this.padByte }));
  }

  private sendError(cid: number, code: CtapHidErrorCode): void {
    this.sendReply(cid, CtapHidCommand.Error, Uint8Array.of(code));
  }

  private sendReply(cid: number, cmd: CtapHidCommand, payload: Uint8Array): void {
    const garbage = this.faults.garbageBeforeReplies ?? 0;
    for (let i = 0; i < garbage; i++) this.queue([this.garbageReport(cid, i)]);
    const packets = encodePackets(cid, cmd, payload, { padByte: this.padByte });
    const garble = this.faults.garbleReplies;
    if (garble && cmd !== CtapHidCommand.Init && cmd !== CtapHidCommand.Keepalive) {
      const first = packets[0];
      const second = packets[1];
      if (garble === 'bad-seq' && second) second[4] = 5;
      else if (first) {
        // 'oversize', or 'bad-seq' on a one-packet reply: declare an impossible length.
        first[5] = 0xff;
        first[6] = 0xff;
      }
    }
    const cut = this.faults.disconnect;
    if (cut && (cut.command ?? CtapHidCommand.Cbor) === cmd) {
      this.queue(packets.slice(0, cut.afterReports));
      this.unplug(cut.mode);
      return;
    }
    this.queue(packets);
  }

  private get padByte(): number {
    return this.faults.padByte ?? 0x00;
  }

  private queue(packets: Uint8Array[]): void {
    if (this.unplugMode) return;
    for (const packet of packets) {
      const report = Buffer.from(packet);
      for (const handle of this.handles) handle.deliver(report);
    }
  }

  /** Garbage that a robust host must skip: cycles through several kinds. */
  private garbageReport(hostCid: number, i: number): Buffer {
    const random = this.randomBytes(HID_REPORT_SIZE);
    switch (i % 5) {
      case 0: {
        // An init packet for another channel declaring a long message.
        writeCid(random, (hostCid ^ 0x5a5a5a5a) >>> 0 || 1);
        random[4] = 0x80 | CtapHidCommand.Cbor;
        return Buffer.from(random);
      }
      case 1: {
        // A continuation packet on the host's channel with no message in progress.
        writeCid(random, hostCid);
        random[4] = 0x03;
        return Buffer.from(random);
      }
      case 2:
        return Buffer.from(random.subarray(0, 10)); // short report
      case 3:
        return Buffer.alloc(0); // empty read
      default: {
        // Fully random report on a CID that is never allocated here.
        writeCid(random, 0xdead0000 | (i & 0xffff));
        return Buffer.from(random);
      }
    }
  }

  private randomBytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      // xorshift32: deterministic, good enough for garbage.
      let x = this.rng;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.rng = x >>> 0;
      out[i] = this.rng & 0xff;
    }
    return out;
  }
}

/** Minimal U2F: U2F_VERSION (INS 0x03) answers "U2F_V2" + 9000; every other INS 6D00. */
function u2fAnswer(apdu: Uint8Array): Uint8Array {
  if (apdu[1] === 0x03) return Uint8Array.of(...Buffer.from('U2F_V2', 'ascii'), 0x90, 0x00);
  return Uint8Array.of(0x6d, 0x00);
}

function log<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > MAX_LOG) list.splice(0, list.length - MAX_LOG);
}
