/**
 * CTAPHID transport: one allocated channel on one HID device.
 *
 * `CtapHidChannel.open(device)` runs CTAPHID_INIT on the broadcast channel with a random nonce and keeps
 * the channel the authenticator allocates. Calls (`ping`, `wink`, `cbor`, `msg`) run one at a time; each
 * writes the request, then reads reports until the answer on our channel is complete, honouring
 * KEEPALIVE (which extends the wait), CTAPHID_ERROR (typed errors), CHANNEL_BUSY (bounded retries with
 * backoff), per-call timeouts and AbortSignal (which sends CTAPHID_CANCEL). A read or write that fails
 * means the device is gone: the call ends with DeviceGoneError, as does a call that times out and whose
 * follow-up CANCEL cannot be written.
 */
import { randomBytes } from 'node:crypto';
import {
  BROADCAST_CID,
  Ctap2Status,
  CtapHidCapability,
  CtapHidCommand,
  CtapHidErrorCode,
  INIT_NONCE_SIZE,
  INIT_RESPONSE_SIZE,
  KeepaliveStatus,
  MAX_MESSAGE_SIZE,
  RESERVED_CID,
  nameOf,
} from './constants';
import type { HidDevice } from './device';
import {
  AbortedError,
  ChannelBusyError,
  ChannelClosedError,
  Ctap2StatusError,
  CtapHidError,
  DeviceGoneError,
  NotSupportedError,
  ProtocolError,
  TimeoutError,
} from './errors';
import { type CtapHidMessage, MessageAssembler, encodeOutputReports } from './framing';

/** Firmware version from the INIT response. */
export interface DeviceVersion {
  major: number;
  minor: number;
  build: number;
}

/** The parsed CTAPHID_INIT response. */
export interface InitResponse {
  nonce: Uint8Array;
  cid: number;
  /** CTAPHID protocol version (2 for every current authenticator). */
  protocolVersion: number;
  deviceVersion: DeviceVersion;
  /** Bit set of `CtapHidCapability`. */
  capabilities: number;
}

/**
 * Parse the payload of a CTAPHID_INIT response (17 bytes; longer payloads are accepted, the rest ignored).
 * @throws ProtocolError when the payload is short or allocates the reserved or broadcast channel
 */
export function parseInitResponse(payload: Uint8Array): InitResponse {
  if (payload.length < INIT_RESPONSE_SIZE) {
    throw new ProtocolError(`INIT response of ${payload.length} bytes, expected ${INIT_RESPONSE_SIZE}`);
  }
  const at = (i: number): number => payload[i] ?? 0;
  const cid = ((at(8) << 24) | (at(9) << 16) | (at(10) << 8) | at(11)) >>> 0;
  if (cid === RESERVED_CID || cid === BROADCAST_CID) {
    throw new ProtocolError(`INIT allocated the unusable channel 0x${cid.toString(16).padStart(8, '0')}`);
  }
  return {
    nonce: payload.slice(0, INIT_NONCE_SIZE),
    cid,
    protocolVersion: at(12),
    deviceVersion: { major: at(13), minor: at(14), build: at(15) },
    capabilities: at(16),
  };
}

/** Names of the capability flags set in `capabilities` (e.g. ['WINK', 'CBOR']). */
export function capabilityNames(capabilities: number): string[] {
  const names: string[] = [];
  if (capabilities & CtapHidCapability.Wink) names.push('WINK');
  if (capabilities & CtapHidCapability.Lock) names.push('LOCK');
  if (capabilities & CtapHidCapability.Cbor) names.push('CBOR');
  if (capabilities & CtapHidCapability.Nmsg) names.push('NMSG');
  return names;
}

/**
 * Split a CTAPHID_CBOR response into status and body, throwing for a non-zero status.
 * @returns the CBOR-encoded response (may be empty)
 * @throws Ctap2StatusError when the status byte is not CTAP2_OK; ProtocolError for an empty response
 */
export function expectCtap2Ok(response: Uint8Array): Uint8Array {
  if (response.length === 0) throw new ProtocolError('empty CTAP2 response (no status byte)');
  const status = response[0] ?? Ctap2Status.Other;
  if (status !== Ctap2Status.Success) throw new Ctap2StatusError(status);
  return response.subarray(1);
}

export interface ChannelOptions {
  /**
   * Longest silence tolerated in a call, measured from the request and then from the last KEEPALIVE or
   * packet on our channel (default 2000 ms).
   */
  timeoutMs?: number;
  /** Overall cap on a CBOR call while KEEPALIVEs keep arriving (default 120 000 ms). */
  maxWaitMs?: number;
  /** CHANNEL_BUSY retries after the first attempt (default 5). */
  busyRetries?: number;
  /** First CHANNEL_BUSY backoff; doubles per retry, capped at 1 s (default 20 ms). */
  busyBackoffMs?: number;
  /** After an abort, how long to wait for the authenticator to acknowledge CTAPHID_CANCEL (default 300 ms). */
  cancelGraceMs?: number;
  /** Longest single `device.read` wait; bounds how quickly abort and close are noticed (default 100 ms). */
  readSliceMs?: number;
  /** Close the HID device when the channel is closed (default true). */
  closeDevice?: boolean;
  /** Source of the INIT nonce (default: crypto.randomBytes). */
  randomBytes?: (size: number) => Uint8Array;
}

export interface CallOptions {
  /** Overrides ChannelOptions.timeoutMs for this call. */
  timeoutMs?: number;
  /** Overrides ChannelOptions.maxWaitMs for this call (CBOR and MSG only). */
  maxWaitMs?: number;
  /** Aborting sends CTAPHID_CANCEL and ends the call with AbortedError. */
  signal?: AbortSignal;
  /** Called for each KEEPALIVE (PROCESSING, or UPNEEDED: the user should touch the key). */
  onKeepalive?: (status: KeepaliveStatus | number) => void;
}

interface ResolvedCall {
  timeoutMs: number;
  maxWaitMs: number;
  signal: AbortSignal | undefined;
  onKeepalive: ((status: KeepaliveStatus | number) => void) | undefined;
  /** Send CTAPHID_CANCEL on abort and wait briefly for the acknowledgement. */
  cancellable: boolean;
}

const DEFAULTS = {
  timeoutMs: 2000,
  maxWaitMs: 120_000,
  busyRetries: 5,
  busyBackoffMs: 20,
  cancelGraceMs: 300,
  readSliceMs: 100,
};
const MAX_BUSY_BACKOFF_MS = 1000;
/** Reports read (non-blocking) before a request after an interrupted call; one maximal message is 129. */
const MAX_DRAIN_REPORTS = 256;

const now = (): number => performance.now();

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * A CTAPHID channel on one device handle. Calls are serialised: one request is in flight at a time. Use
 * one channel per handle: two channels reading the same handle would take each other's reports.
 */
export class CtapHidChannel {
  private readonly device: HidDevice;
  private readonly options: Required<Omit<ChannelOptions, 'randomBytes'>>;
  private readonly random: (size: number) => Uint8Array;
  private init: InitResponse | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  private gone: DeviceGoneError | undefined;
  /** An earlier call ended before its answer arrived; stale reports may be queued. */
  private dirty = false;

  private constructor(device: HidDevice, options: ChannelOptions) {
    this.device = device;
    this.options = {
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      maxWaitMs: options.maxWaitMs ?? DEFAULTS.maxWaitMs,
      busyRetries: options.busyRetries ?? DEFAULTS.busyRetries,
      busyBackoffMs: options.busyBackoffMs ?? DEFAULTS.busyBackoffMs,
      cancelGraceMs: options.cancelGraceMs ?? DEFAULTS.cancelGraceMs,
      readSliceMs: options.readSliceMs ?? DEFAULTS.readSliceMs,
      closeDevice: options.closeDevice ?? true,
    };
    this.random = options.randomBytes ?? randomBytes;
  }

  /**
   * Allocate a channel: CTAPHID_INIT on the broadcast channel with a random 8-byte nonce. Replies with
   * another nonce (meant for another program) are ignored. On success the channel owns `device` (see
   * `closeDevice`); on failure the device is left open for the caller to close.
   * @throws TimeoutError, DeviceGoneError, ProtocolError, CtapHidError, ChannelBusyError, AbortedError
   */
  static async open(device: HidDevice, options: ChannelOptions & { signal?: AbortSignal } = {}): Promise<CtapHidChannel> {
    const channel = new CtapHidChannel(device, options);
    const nonce = channel.random(INIT_NONCE_SIZE);
    if (nonce.length !== INIT_NONCE_SIZE) throw new RangeError(`INIT nonce must be ${INIT_NONCE_SIZE} bytes`);
    const call = channel.resolve({ signal: options.signal }, false, false);
    const payload = await channel.exchange(
      BROADCAST_CID,
      CtapHidCommand.Init,
      nonce,
      call,
      (m) => m.payload.length >= INIT_NONCE_SIZE && sameBytes(m.payload.subarray(0, INIT_NONCE_SIZE), nonce),
    );
    channel.init = parseInitResponse(payload);
    return channel;
  }

  /** The allocated channel ID. */
  get cid(): number {
    return this.info.cid;
  }
  /** CTAPHID protocol version from INIT (2). */
  get protocolVersion(): number {
    return this.info.protocolVersion;
  }
  /** Device version major.minor.build from INIT. */
  get deviceVersion(): DeviceVersion {
    return { ...this.info.deviceVersion };
  }
  /** Capability bit set (`CtapHidCapability`). */
  get capabilities(): number {
    return this.info.capabilities;
  }
  /** The authenticator speaks CTAP2 (CBOR capability). */
  get supportsCbor(): boolean {
    return (this.capabilities & CtapHidCapability.Cbor) !== 0;
  }
  /** The authenticator can blink (WINK capability). */
  get supportsWink(): boolean {
    return (this.capabilities & CtapHidCapability.Wink) !== 0;
  }
  /** The authenticator speaks U2F/CTAP1 over CTAPHID_MSG (NMSG not set). */
  get supportsMsg(): boolean {
    return (this.capabilities & CtapHidCapability.Nmsg) === 0;
  }
  /** False once closed or after the device went away. */
  get isOpen(): boolean {
    return !this.closed && !this.gone;
  }

  private get info(): InitResponse {
    if (!this.init) throw new ChannelClosedError();
    return this.init;
  }

  /**
   * CTAPHID_PING: the authenticator echoes `data` (up to 7609 bytes).
   * @throws ProtocolError when the echo differs
   */
  ping(data: Uint8Array, options: CallOptions = {}): Promise<Uint8Array> {
    return this.serialize(async () => {
      const echo = await this.exchange(this.cid, CtapHidCommand.Ping, data, this.resolve(options, false, false));
      if (!sameBytes(echo, data)) throw new ProtocolError(`PING echo of ${echo.length} bytes differs from the ${data.length} bytes sent`);
      return echo;
    });
  }

  /**
   * CTAPHID_WINK: the key blinks so the user knows which one to touch.
   * @throws NotSupportedError when the key has no WINK capability (nothing is sent)
   */
  wink(options: CallOptions = {}): Promise<void> {
    return this.serialize(async () => {
      if (!this.supportsWink) throw new NotSupportedError('wink');
      await this.exchange(this.cid, CtapHidCommand.Wink, new Uint8Array(0), this.resolve(options, false, false));
    });
  }

  /**
   * CTAPHID_CBOR: send a CTAP2 request (command byte + CBOR parameters).
   * @returns the response payload: CTAP2 status byte followed by CBOR (see `expectCtap2Ok`)
   * @throws NotSupportedError when the key has no CBOR capability (U2F only; nothing is sent)
   */
  cbor(request: Uint8Array, options: CallOptions = {}): Promise<Uint8Array> {
    return this.serialize(async () => {
      if (!this.supportsCbor) throw new NotSupportedError('cbor');
      const response = await this.exchange(this.cid, CtapHidCommand.Cbor, request, this.resolve(options, true, true));
      if (response.length === 0) throw new ProtocolError('empty CTAP2 response (no status byte)');
      return response;
    });
  }

  /** `cbor` followed by `expectCtap2Ok`: resolves with the CBOR body, throws Ctap2StatusError otherwise. */
  async cborOk(request: Uint8Array, options: CallOptions = {}): Promise<Uint8Array> {
    return expectCtap2Ok(await this.cbor(request, options));
  }

  /**
   * CTAPHID_MSG: a U2F/CTAP1 APDU.
   * @throws NotSupportedError when the key sets NMSG (CTAP2 only)
   */
  msg(apdu: Uint8Array, options: CallOptions = {}): Promise<Uint8Array> {
    return this.serialize(async () => {
      if (!this.supportsMsg) throw new NotSupportedError('msg');
      return this.exchange(this.cid, CtapHidCommand.Msg, apdu, this.resolve(options, true, false));
    });
  }

  /**
   * Send CTAPHID_CANCEL now (not queued behind the call in flight). A CBOR request waiting for the user
   * then ends with status KEEPALIVE_CANCEL (0x2D). Prefer `signal` on the call itself.
   */
  async cancel(): Promise<void> {
    this.assertUsable();
    await this.send(this.cid, CtapHidCommand.Cancel, new Uint8Array(0));
  }

  /**
   * Close the channel: the call in flight ends with ChannelClosedError (within one read slice), queued
   * calls too, and the device handle is released. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    if (this.options.closeDevice) {
      try {
        await this.device.close();
      } catch {
        // Already gone; nothing to release.
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------

  private resolve(options: CallOptions, cancellable: boolean, useMaxWait: boolean): ResolvedCall {
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    return {
      timeoutMs,
      maxWaitMs: useMaxWait ? Math.max(timeoutMs, options.maxWaitMs ?? this.options.maxWaitMs) : timeoutMs,
      signal: options.signal,
      onKeepalive: options.onKeepalive,
      cancellable,
    };
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(() => {
      this.assertUsable();
      return fn();
    });
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private assertUsable(): void {
    if (this.gone) throw this.gone;
    if (this.closed) throw new ChannelClosedError();
  }

  private markGone(detail: string, cause: unknown): DeviceGoneError {
    this.gone ??= new DeviceGoneError(detail, { cause });
    return new DeviceGoneError(detail, { cause });
  }

  /** Request/response with CHANNEL_BUSY retries. Returns the payload of the matching response. */
  private async exchange(
    cid: number,
    cmd: CtapHidCommand,
    payload: Uint8Array,
    call: ResolvedCall,
    match?: (message: CtapHidMessage) => boolean,
  ): Promise<Uint8Array> {
    if (payload.length > MAX_MESSAGE_SIZE) throw new RangeError(`request of ${payload.length} bytes exceeds ${MAX_MESSAGE_SIZE}`);
    if (call.signal?.aborted) throw new AbortedError({ cause: call.signal.reason });
    if (this.dirty) await this.resync(call);
    for (let attempt = 1; ; attempt++) {
      await this.send(cid, cmd, payload);
      const response = await this.receive(cid, cmd, call, match);
      if (response.cmd !== CtapHidCommand.Error) return response.payload;
      const code = response.payload[0] ?? CtapHidErrorCode.Other;
      if (code !== CtapHidErrorCode.ChannelBusy) throw new CtapHidError(code);
      if (attempt > this.options.busyRetries) throw new ChannelBusyError(attempt);
      const backoff = Math.min(this.options.busyBackoffMs * 2 ** (attempt - 1), MAX_BUSY_BACKOFF_MS);
      await sleep(backoff * (0.75 + Math.random() * 0.5), call.signal);
      if (call.signal?.aborted) throw new AbortedError({ cause: call.signal.reason });
      this.assertUsable();
    }
  }

  /**
   * Write one message. Messages are queued so that a CANCEL from `cancel()` never lands between the
   * packets of a request still being written.
   */
  private send(cid: number, cmd: CtapHidCommand, payload: Uint8Array): Promise<void> {
    const reports = encodeOutputReports(cid, cmd, payload);
    const sent = this.writing.then(async () => {
      for (const report of reports) {
        try {
          await this.device.write(report);
        } catch (e) {
          throw this.markGone(`writing ${nameOf(CtapHidCommand, cmd)} failed`, e);
        }
      }
    });
    this.writing = sent.catch(() => undefined);
    return sent;
  }

  private async read(timeoutMs: number): Promise<Buffer | undefined> {
    try {
      return await this.device.read(timeoutMs);
    } catch (e) {
      throw this.markGone('reading failed', e);
    }
  }

  /**
   * After an interrupted call the authenticator may still be working on it, or its late answer may be
   * queued: CTAPHID has no request IDs, so that answer could be taken for the next one. Discard what is
   * queued, then CTAPHID_INIT our own channel with a fresh nonce, which makes the authenticator abandon
   * any pending transaction; everything before the matching INIT reply is stale and skipped.
   */
  private async resync(call: ResolvedCall): Promise<void> {
    for (let i = 0; i < MAX_DRAIN_REPORTS; i++) {
      const report = await this.read(0);
      if (!report || report.length === 0) break;
    }
    this.dirty = false;
    if (!this.init) return;
    const nonce = this.random(INIT_NONCE_SIZE);
    const payload = await this.exchange(
      this.cid,
      CtapHidCommand.Init,
      nonce,
      { ...call, cancellable: false, maxWaitMs: call.timeoutMs },
      (m) => m.payload.length >= INIT_NONCE_SIZE && sameBytes(m.payload.subarray(0, INIT_NONCE_SIZE), nonce),
    );
    const reply = parseInitResponse(payload);
    if (reply.cid !== this.cid) throw new ProtocolError('resynchronising INIT moved us to another channel');
  }

  /**
   * Read until a complete message for `cid` arrives that is the answer to `cmd` (or CTAPHID_ERROR).
   * KEEPALIVE messages extend the wait; other commands on our channel (stale answers) are skipped;
   * framing errors on our channel end the call with ProtocolError.
   */
  private async receive(cid: number, cmd: CtapHidCommand, call: ResolvedCall, match?: (message: CtapHidMessage) => boolean): Promise<CtapHidMessage> {
    const assembler = new MessageAssembler({ cid });
    const start = now();
    let lastActivity = start;
    let cancelSentAt: number | undefined;
    for (;;) {
      if (this.closed) {
        this.dirty = true;
        throw new ChannelClosedError();
      }
      if (call.signal?.aborted && cancelSentAt === undefined) {
        this.dirty = true;
        if (!call.cancellable) throw new AbortedError({ cause: call.signal.reason });
        await this.send(cid, CtapHidCommand.Cancel, new Uint8Array(0));
        cancelSentAt = now();
      }
      const t = now();
      const deadline = cancelSentAt !== undefined ? cancelSentAt + this.options.cancelGraceMs : Math.min(lastActivity + call.timeoutMs, start + call.maxWaitMs);
      if (t >= deadline) {
        if (cancelSentAt !== undefined) throw new AbortedError({ cause: call.signal?.reason });
        throw await this.timedOut(cid, cmd, call);
      }
      const report = await this.read(Math.max(1, Math.ceil(Math.min(this.options.readSliceMs, deadline - t))));
      if (!report || report.length === 0) continue;
      const result = assembler.push(report);
      if (result.kind === 'ignored') continue;
      if (result.kind === 'pending') {
        lastActivity = now();
        continue;
      }
      if (result.kind === 'error') {
        this.dirty = true;
        throw new ProtocolError(result.detail);
      }
      const message = result.message;
      if (message.cmd === CtapHidCommand.Keepalive) {
        lastActivity = now();
        call.onKeepalive?.(message.payload[0] ?? 0);
        continue;
      }
      if (cancelSentAt !== undefined) {
        // Whatever the authenticator answered after CANCEL (normally status 0x2D), the call was aborted.
        throw new AbortedError({ cause: call.signal?.reason });
      }
      if (message.cmd === CtapHidCommand.Error) return message;
      if (message.cmd === cmd && (!match || match(message))) return message;
      // A stale answer to an earlier, interrupted call, or an INIT reply for another nonce: skip it.
    }
  }

  /**
   * The call timed out. Try to CANCEL it: if even that write fails, the device is gone (an unplugged key
   * often just stops answering), otherwise report the timeout.
   */
  private async timedOut(cid: number, cmd: CtapHidCommand, call: ResolvedCall): Promise<Error> {
    this.dirty = true;
    try {
      await this.send(cid, CtapHidCommand.Cancel, new Uint8Array(0));
    } catch (e) {
      return e instanceof DeviceGoneError ? e : this.markGone('no answer and CANCEL could not be sent', e);
    }
    return new TimeoutError(nameOf(CtapHidCommand, cmd), call.timeoutMs);
  }
}
