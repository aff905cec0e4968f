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
import { BROADCAST_CID, CtapHidCapability, CtapHidCommand, CtapHidErrorCode, INIT_NONCE_SIZE, MAX_MESSAGE_SIZE, nameOf } from './constants';
import type { HidDevice } from './device';
import { AbortedError, ChannelBusyError, ChannelClosedError, CtapHidError, DeviceGoneError, NotSupportedError, ProtocolError, TimeoutError } from './errors';
import { type CtapHidMessage, MessageAssembler, encodeOutputReports } from './framing';
import { DEFAULTS, MAX_BUSY_BACKOFF_MS, MAX_DRAIN_REPORTS, type CallOptions, type ChannelOptions, type ResolvedCall } from './channel-options';
import { expectCtap2Ok, parseInitResponse, type DeviceVersion, type InitResponse } from './payloads';

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
