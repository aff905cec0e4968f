import { afterEach, describe, expect, it } from 'vitest';
import { Ctap2Status, CtapHidCapability, CtapHidCommand, CtapHidErrorCode, KeepaliveStatus, MAX_MESSAGE_SIZE } from '../../../main/keys/hid/constants';
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
} from '../../../main/keys/hid/errors';
import { encodePackets } from '../../../main/keys/hid/framing';
import { CtapHidChannel } from '../../../main/keys/hid/transport';
import type { ChannelOptions } from '../../../main/keys/hid/channel-options';
import type { CtapCore } from '../../authenticator/core';
import { SoftAuthenticator, type SoftAuthenticatorOptions } from '../../authenticator/soft-authenticator';
import { ScriptedDevice, hex, loadCaptures } from './helpers';

/** getInfo (0x04) answers a tiny map; vendor command 0x41 echoes its parameters (for large messages). */
const GET_INFO_BODY = hex('a10181684649444f5f325f30'); // {1: ["FIDO_2_0"]}
const tinyCore: CtapCore = {
  handleCbor(request) {
    if (request[0] === 0x04) return Uint8Array.of(Ctap2Status.Success, ...GET_INFO_BODY);
    if (request[0] === 0x41) return Uint8Array.of(Ctap2Status.Success, ...request.subarray(1));
    return Uint8Array.of(Ctap2Status.InvalidCommand);
  },
};
const GET_INFO = Uint8Array.of(0x04);
const echoRequest = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i === 0 ? 0x41 : (i * 7) & 0xff));

const devices: SoftAuthenticator[] = [];
function authenticator(options: SoftAuthenticatorOptions = {}): SoftAuthenticator {
  const device = new SoftAuthenticator({ core: tinyCore, ...options });
  devices.push(device);
  return device;
}
const FAST: ChannelOptions = { timeoutMs: 300, readSliceMs: 20, busyBackoffMs: 2 };
afterEach(async () => {
  await Promise.all(devices.splice(0).map((d) => d.close()));
});

async function elapsed<T>(p: Promise<T>): Promise<{ ms: number; result?: T; error?: unknown }> {
  const start = performance.now();
  try {
    const result = await p;
    return { ms: performance.now() - start, result };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
}

describe('opening a channel', () => {
  it('runs INIT on the broadcast channel with the nonce, report ID 0x00 first, and keeps the allocated channel', async () => {
    const device = authenticator({ deviceVersion: { major: 5, minor: 4, build: 3 } });
    const nonce = hex('0102030405060708');
    const channel = await CtapHidChannel.open(device, { ...FAST, randomBytes: () => nonce });
    expect(device.written[0]!.toString('hex')).toBe('00ffffffff860008' + '0102030405060708' + '00'.repeat(49));
    expect([...device.channels]).toEqual([channel.cid]);
    expect(channel.protocolVersion).toBe(2);
    expect(channel.deviceVersion).toEqual({ major: 5, minor: 4, build: 3 });
    expect(channel.capabilities).toBe(CtapHidCapability.Wink | CtapHidCapability.Cbor | CtapHidCapability.Nmsg);
    expect(channel.supportsCbor && channel.supportsWink && !channel.supportsMsg).toBe(true);
  });

  it('uses a fresh random nonce each time and gets a separate channel per open', async () => {
    const device = authenticator();
    const a = await CtapHidChannel.open(device, FAST);
    const b = await CtapHidChannel.open(device, FAST);
    expect(a.cid).not.toBe(b.cid);
    const nonces = device.written.map((w) => w.subarray(8, 16).toString('hex'));
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  it('ignores INIT replies carrying another nonce', async () => {
    const device = authenticator({ faults: { wrongNonceInitReplies: 3 } });
    const channel = await CtapHidChannel.open(device, FAST);
    expect(device.channels.has(channel.cid)).toBe(true);
    expect(channel.cid >>> 24).not.toBe(0x7e); // the decoy channels are 0x7e0000xx
    expect(await channel.cborOk(GET_INFO)).toEqual(GET_INFO_BODY);
  });

  it('times out on a device that never answers INIT', async () => {
    const device = new ScriptedDevice(() => []);
    const { ms, error } = await elapsed(CtapHidChannel.open(device, { ...FAST, timeoutMs: 150 }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(ms).toBeLessThan(1000);
  });
});

describe('commands', () => {
  it('PING echoes small and maximal payloads', async () => {
    const channel = await CtapHidChannel.open(authenticator(), FAST);
    expect(await channel.ping(Uint8Array.of(1, 2, 3))).toEqual(Uint8Array.of(1, 2, 3));
    const big = Uint8Array.from({ length: MAX_MESSAGE_SIZE }, (_, i) => i & 0xff);
    expect(await channel.ping(big)).toEqual(big);
    await expect(channel.ping(new Uint8Array(MAX_MESSAGE_SIZE + 1))).rejects.toThrow(RangeError);
  });

  it('WINK makes the key blink; a key without WINK is told nothing and the caller learns why', async () => {
    const device = authenticator();
    const channel = await CtapHidChannel.open(device, FAST);
    await channel.wink();
    await channel.wink();
    expect(device.winkCount).toBe(2);

    const noWink = authenticator({ capabilities: CtapHidCapability.Cbor });
    const plain = await CtapHidChannel.open(noWink, FAST);
    const writes = noWink.written.length;
    await expect(plain.wink()).rejects.toMatchObject({ code: 'NOT_SUPPORTED', feature: 'wink' });
    expect(noWink.written.length).toBe(writes);
  });

  it('CBOR returns status + CBOR; cborOk unwraps it or throws Ctap2StatusError', async () => {
    const channel = await CtapHidChannel.open(authenticator(), FAST);
    expect(await channel.cbor(GET_INFO)).toEqual(Uint8Array.of(0, ...GET_INFO_BODY));
    expect(await channel.cborOk(GET_INFO)).toEqual(GET_INFO_BODY);
    const err = await channel.cborOk(Uint8Array.of(0x0b)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Ctap2StatusError);
    expect(err).toMatchObject({ code: 'CTAP2_STATUS', status: Ctap2Status.InvalidCommand });
    expect((err as Error).message).toContain('InvalidCommand');
  });

  it('CBOR messages of several packets both ways', async () => {
    const channel = await CtapHidChannel.open(authenticator(), FAST);
    const request = echoRequest(5000);
    expect(await channel.cborOk(request)).toEqual(request.subarray(1));
  });

  it('serialises concurrent calls: no call sees the key busy with another', async () => {
    const device = authenticator({ faults: { cborDelayMs: 120, keepaliveIntervalMs: 30 } });
    const channel = await CtapHidChannel.open(device, { ...FAST, busyRetries: 0 });
    const [info, echo] = await Promise.all([channel.cborOk(GET_INFO), channel.ping(Uint8Array.of(9)), channel.wink()]);
    expect(info).toEqual(GET_INFO_BODY);
    expect(echo).toEqual(Uint8Array.of(9));
    expect(device.requests.map((r) => r.cmd)).toEqual([CtapHidCommand.Init, CtapHidCommand.Cbor, CtapHidCommand.Ping, CtapHidCommand.Wink]);
  });

  it('maps CTAPHID_ERROR to CtapHidError with the code (real ERROR capture)', async () => {
    const error = loadCaptures().find((c) => c.kind === 'error')!;
    const cid = hex(error.hex).subarray(0, 4);
    const device = new ScriptedDevice((report, i) => {
      if (i === 0) {
        const init = new Uint8Array(17);
        init.set(report.subarray(8, 16));
        init.set(cid, 8);
        init.set([2, 1, 0, 0, CtapHidCapability.Cbor], 12);
        return encodePackets(0xffffffff, CtapHidCommand.Init, init);
      }
      return [hex(error.hex)];
    });
    const channel = await CtapHidChannel.open(device, FAST);
    const err = await channel.ping(Uint8Array.of(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CtapHidError);
    expect(err).toMatchObject({ code: 'CTAPHID_ERROR', hidError: CtapHidErrorCode.InvalidCmd });
  });

  it('reports UPNEEDED from the real KEEPALIVE capture and still returns the answer', async () => {
    const keepalive = loadCaptures().find((c) => c.kind === 'keepalive' && c.hex.slice(14, 16) === '02')!;
    const cidBytes = hex(keepalive.hex).subarray(0, 4);
    const cid = Buffer.from(cidBytes).readUInt32BE(0);
    const device = new ScriptedDevice((report, i) => {
      if (i === 0) {
        const init = new Uint8Array(17);
        init.set(report.subarray(8, 16));
        init.set(cidBytes, 8);
        init.set([2, 5, 2, 1, CtapHidCapability.Cbor | CtapHidCapability.Wink], 12);
        return encodePackets(0xffffffff, CtapHidCommand.Init, init);
      }
      return [hex(keepalive.hex), hex(keepalive.hex), ...encodePackets(cid, CtapHidCommand.Cbor, Uint8Array.of(0))];
    });
    const channel = await CtapHidChannel.open(device, FAST);
    expect(channel.deviceVersion).toEqual({ major: 5, minor: 2, build: 1 });
    const seen: number[] = [];
    expect(await channel.cbor(GET_INFO, { onKeepalive: (s) => seen.push(s) })).toEqual(Uint8Array.of(0));
    expect(seen).toEqual([KeepaliveStatus.UpNeeded, KeepaliveStatus.UpNeeded]);
  });

  it('replays a real pico-fido exchange: KEEPALIVE PROCESSING, then a 9-packet getInfo answer', async () => {
    const captures = loadCaptures();
    const keepalive = captures.find((c) => c.kind === 'keepalive' && c.hex.startsWith('66000000'))!;
    const info = captures.find((c) => c.kind === 'getInfo' && c.frames_hex?.[0]?.startsWith('66000000'))!;
    const device = new ScriptedDevice((report, i) => {
      if (i === 0) {
        const init = new Uint8Array(17);
        init.set(report.subarray(8, 16));
        init.set([0x66, 0, 0, 0, 2, 8, 0, 0, CtapHidCapability.Cbor | CtapHidCapability.Wink], 8);
        return encodePackets(0xffffffff, CtapHidCommand.Init, init);
      }
      expect(report.subarray(1, 9).toString('hex')).toBe('6600000090000104');
      return [hex(keepalive.hex), ...info.frames_hex!.map(hex)];
    });
    const channel = await CtapHidChannel.open(device, FAST);
    const seen: number[] = [];
    const response = await channel.cbor(GET_INFO, { onKeepalive: (s) => seen.push(s) });
    expect(Buffer.from(response).toString('hex')).toBe(info.hex);
    expect(seen).toEqual([KeepaliveStatus.Processing]);
  });

  it('rejects a PING echo that differs', async () => {
    const device = new ScriptedDevice((report, i) => {
      if (i === 0) {
        const init = new Uint8Array(17);
        init.set(report.subarray(8, 16));
        init.set([0, 0, 0, 9, 2, 1, 0, 0, 0], 8);
        return encodePackets(0xffffffff, CtapHidCommand.Init, init);
      }
      return encodePackets(9, CtapHidCommand.Ping, Uint8Array.of(7, 7));
    });
    const channel = await CtapHidChannel.open(device, FAST);
    await expect(channel.ping(Uint8Array.of(1, 2))).rejects.toBeInstanceOf(ProtocolError);
  });
});

describe('fault modes', () => {
  it('slow replies: KEEPALIVE extends the wait beyond the per-call timeout and is reported', async () => {
    const device = authenticator({
      faults: { cborDelayMs: 700, keepaliveIntervalMs: 30, keepaliveStatus: (t) => (t < 250 ? KeepaliveStatus.Processing : KeepaliveStatus.UpNeeded) },
    });
    const channel = await CtapHidChannel.open(device, FAST);
    const seen: number[] = [];
    const { ms, result } = await elapsed(channel.cborOk(GET_INFO, { timeoutMs: 250, onKeepalive: (s) => seen.push(s) }));
    expect(result).toEqual(GET_INFO_BODY);
    expect(ms).toBeGreaterThanOrEqual(650);
    expect(seen).toContain(KeepaliveStatus.Processing);
    expect(seen).toContain(KeepaliveStatus.UpNeeded);
  });

  it('slow replies without KEEPALIVE time out after the per-call timeout, and the channel recovers', async () => {
    const device = authenticator({ faults: { cborDelayMs: 400, keepaliveIntervalMs: 0 } });
    const channel = await CtapHidChannel.open(device, FAST);
    const { ms, error } = await elapsed(channel.cbor(GET_INFO, { timeoutMs: 120 }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'TIMEOUT', timeoutMs: 120 });
    expect(ms).toBeGreaterThanOrEqual(110);
    expect(ms).toBeLessThan(400);
    expect(device.requests.some((r) => r.cmd === CtapHidCommand.Cancel)).toBe(true);
    device.faults.cborDelayMs = 0;
    expect(await channel.cborOk(GET_INFO)).toEqual(GET_INFO_BODY);
  });

  it('after a timeout, a late answer to the old request is never taken for the next one', async () => {
    // The key ignores CANCEL and would finish the first request later; the channel resynchronises with
    // INIT on its own channel, so the second call gets the second answer.
    const device = authenticator({ faults: { cborDelayMs: 250, keepaliveIntervalMs: 0, ignoreCancel: true } });
    const channel = await CtapHidChannel.open(device, FAST);
    await expect(channel.cbor(Uint8Array.of(0x41, 1), { timeoutMs: 80 })).rejects.toBeInstanceOf(TimeoutError);
    device.faults.cborDelayMs = 0;
    expect(await channel.cbor(Uint8Array.of(0x41, 2))).toEqual(Uint8Array.of(0, 2));
    await new Promise((r) => setTimeout(r, 250));
    expect(await channel.cbor(Uint8Array.of(0x41, 3))).toEqual(Uint8Array.of(0, 3));
    const inits = device.requests.filter((r) => r.cmd === CtapHidCommand.Init);
    expect(inits.map((r) => r.cid)).toEqual([0xffffffff, channel.cid]);
  });

  it('KEEPALIVE forever is capped by maxWaitMs', async () => {
    const device = authenticator({ faults: { cborDelayMs: 10_000, keepaliveIntervalMs: 20 } });
    const channel = await CtapHidChannel.open(device, FAST);
    const { ms, error } = await elapsed(channel.cbor(GET_INFO, { timeoutMs: 100, maxWaitMs: 300 }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(1000);
  });

  it('an AbortSignal sends CANCEL, ends the call with AbortedError, and the next call works', async () => {
    const device = authenticator({ faults: { cborDelayMs: 5000, keepaliveIntervalMs: 20, keepaliveStatus: KeepaliveStatus.UpNeeded } });
    const channel = await CtapHidChannel.open(device, FAST);
    const controller = new AbortController();
    const pending = elapsed(channel.cbor(GET_INFO, { timeoutMs: 3000, signal: controller.signal, onKeepalive: () => controller.abort() }));
    const { ms, error } = await pending;
    expect(error).toBeInstanceOf(AbortedError);
    expect(ms).toBeLessThan(1500);
    expect(device.requests.at(-1)?.cmd).toBe(CtapHidCommand.Cancel);
    device.faults.cborDelayMs = 0;
    expect(await channel.cborOk(GET_INFO)).toEqual(GET_INFO_BODY);
    await expect(channel.ping(Uint8Array.of(1), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
  });

  it('cancel() makes a waiting CBOR request end with KEEPALIVE_CANCEL', async () => {
    const device = authenticator({ faults: { cborDelayMs: 5000, keepaliveIntervalMs: 20 } });
    const channel = await CtapHidChannel.open(device, FAST);
    const call = channel.cborOk(GET_INFO, { onKeepalive: () => void channel.cancel() }).catch((e: unknown) => e);
    expect(await call).toMatchObject({ code: 'CTAP2_STATUS', status: Ctap2Status.KeepaliveCancel });
  });

  it('cancel() never splits a request that is still being written', async () => {
    const device = authenticator({ faults: { cborDelayMs: 5000, keepaliveIntervalMs: 20 } });
    const channel = await CtapHidChannel.open(device, FAST);
    const realWrite = device.write.bind(device);
    device.write = async (report) => {
      await new Promise((r) => setTimeout(r, 2));
      return realWrite(report);
    };
    const call = channel.cbor(echoRequest(1000)).catch((e: unknown) => e); // 18 packets
    await new Promise((r) => setTimeout(r, 5));
    await channel.cancel();
    expect(await call).toEqual(Uint8Array.of(Ctap2Status.KeepaliveCancel));
    const commands = device.written.slice(1).map((w) => w[5]);
    expect(commands.filter((c) => c! & 0x80)).toEqual([0x80 | CtapHidCommand.Cbor, 0x80 | CtapHidCommand.Cancel]);
    expect(commands.at(-1)).toBe(0x80 | CtapHidCommand.Cancel);
  });

  it('garbage frames (other channels, stray continuations, short and empty reports) are skipped', async () => {
    const device = authenticator({ faults: { garbageBeforeReplies: 11 } });
    const channel = await CtapHidChannel.open(device, FAST);
    expect(await channel.ping(Uint8Array.of(1, 2, 3))).toEqual(Uint8Array.of(1, 2, 3));
    expect(await channel.cborOk(echoRequest(400))).toEqual(echoRequest(400).subarray(1));
    await channel.wink();
    expect(device.winkCount).toBe(1);
  });

  it('garbled frames on our own channel end the call with ProtocolError, not a hang', async () => {
    const device = authenticator();
    const channel = await CtapHidChannel.open(device, FAST);
    device.faults.garbleReplies = 'bad-seq';
    const badSeq = await elapsed(channel.cbor(echoRequest(300), { timeoutMs: 3000 }));
    expect(badSeq.error).toBeInstanceOf(ProtocolError);
    expect(badSeq.ms).toBeLessThan(1500); // at once, not after the timeout
    device.faults.garbleReplies = 'oversize';
    await expect(channel.cbor(GET_INFO)).rejects.toMatchObject({ code: 'PROTOCOL' });
    device.faults.garbleReplies = undefined;
    expect(await channel.cborOk(GET_INFO)).toEqual(GET_INFO_BODY);
  });

  it('0xEE padding never leaks into answers', async () => {
    const device = authenticator({ faults: { padByte: 0xee } });
    const channel = await CtapHidChannel.open(device, FAST);
    expect(channel.deviceVersion).toEqual({ major: 1, minor: 0, build: 0 });
    expect(await channel.cbor(GET_INFO)).toEqual(Uint8Array.of(0, ...GET_INFO_BODY));
    expect(await channel.ping(new Uint8Array(60))).toEqual(new Uint8Array(60));
  });

  it('CHANNEL_BUSY is retried with backoff until the key is free', async () => {
    const device = authenticator();
    const channel = await CtapHidChannel.open(device, FAST);
    device.faults.busyRequests = 3;
    expect(await channel.cborOk(GET_INFO)).toEqual(GET_INFO_BODY);
    expect(device.requests.filter((r) => r.cmd === CtapHidCommand.Cbor)).toHaveLength(4);
  });

  it('CHANNEL_BUSY that never clears ends with ChannelBusyError after the configured retries', async () => {
    const device = authenticator();
    const channel = await CtapHidChannel.open(device, { ...FAST, busyRetries: 2 });
    device.faults.busyRequests = 100;
    const err = await channel.ping(Uint8Array.of(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelBusyError);
    expect(err).toMatchObject({ code: 'CHANNEL_BUSY', attempts: 3 });
    expect(device.requests.filter((r) => r.cmd === CtapHidCommand.Ping)).toHaveLength(3);
  });

  it('unplugged mid-message (reads reject): DeviceGoneError at once, and every later call too', async () => {
    const device = authenticator({ faults: { disconnect: { afterReports: 2, mode: 'reject' } } });
    const channel = await CtapHidChannel.open(device, FAST);
    const { ms, error } = await elapsed(channel.cbor(echoRequest(1000), { timeoutMs: 3000 }));
    expect(error).toBeInstanceOf(DeviceGoneError);
    expect(ms).toBeLessThan(1500); // at once, not after the timeout
    expect(channel.isOpen).toBe(false);
    await expect(channel.ping(Uint8Array.of(1))).rejects.toMatchObject({ code: 'DEVICE_GONE' });
  });

  it('unplugged mid-message (reads return nothing, writes fail): DeviceGoneError within one timeout', async () => {
    const device = authenticator({ faults: { disconnect: { afterReports: 1, mode: 'silent' } } });
    const channel = await CtapHidChannel.open(device, FAST);
    const { ms, error } = await elapsed(channel.cbor(echoRequest(1000), { timeoutMs: 200 }));
    expect(error).toBeInstanceOf(DeviceGoneError);
    expect(ms).toBeGreaterThanOrEqual(190);
    expect(ms).toBeLessThan(200 + 400);
  });

  it('unplugged while waiting for the user: DeviceGoneError, not a timeout', async () => {
    const device = authenticator({ faults: { cborDelayMs: 5000, keepaliveIntervalMs: 20, keepaliveStatus: KeepaliveStatus.UpNeeded } });
    const channel = await CtapHidChannel.open(device, FAST);
    const { ms, error } = await elapsed(channel.cbor(GET_INFO, { timeoutMs: 3000, onKeepalive: () => device.unplug('reject') }));
    expect(error).toBeInstanceOf(DeviceGoneError);
    expect(ms).toBeLessThan(1500);
  });

  it('U2F-only key (no CBOR capability): open works, CBOR is refused locally, U2F MSG works', async () => {
    const device = authenticator({ capabilities: 0 });
    const channel = await CtapHidChannel.open(device, FAST);
    expect(channel.supportsCbor).toBe(false);
    expect(channel.supportsMsg).toBe(true);
    const writes = device.written.length;
    const err = await channel.cbor(GET_INFO).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotSupportedError);
    expect(err).toMatchObject({ code: 'NOT_SUPPORTED', feature: 'cbor' });
    expect(device.written.length).toBe(writes);
    const version = await channel.msg(Uint8Array.of(0x00, 0x03, 0x00, 0x00, 0x00));
    expect(Buffer.from(version).toString('hex')).toBe(Buffer.from('U2F_V2').toString('hex') + '9000');
  });

  it('NMSG key: U2F MSG is refused locally', async () => {
    const channel = await CtapHidChannel.open(authenticator({ capabilities: CtapHidCapability.Cbor | CtapHidCapability.Nmsg }), FAST);
    await expect(channel.msg(Uint8Array.of(0, 3, 0, 0, 0))).rejects.toMatchObject({ feature: 'msg' });
  });

  it('close() ends the call in flight and later calls with ChannelClosedError and releases the device', async () => {
    const device = authenticator({ faults: { cborDelayMs: 5000, keepaliveIntervalMs: 20 } });
    const channel = await CtapHidChannel.open(device, FAST);
    const call = elapsed(channel.cbor(GET_INFO, { timeoutMs: 3000 }));
    await new Promise((r) => setTimeout(r, 50));
    await channel.close();
    const { ms, error } = await call;
    expect(error).toBeInstanceOf(ChannelClosedError);
    expect(ms).toBeLessThan(1500);
    expect(device.isClosed).toBe(true);
    await expect(channel.ping(Uint8Array.of(1))).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
