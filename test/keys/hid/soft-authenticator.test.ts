/**
 * The software authenticator is itself a test instrument: these tests pin the behaviour other suites
 * rely on (channels, user presence, cancellation, strict reports).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Ctap2Status, CtapHidCommand, KeepaliveStatus } from '../../../main/keys/hid/constants';
import { encodeOutputReports, encodePackets } from '../../../main/keys/hid/framing';
import { CtapHidChannel } from '../../../main/keys/hid/transport';
import type { CtapCore } from '../../authenticator/core';
import { SoftAuthenticator } from '../../authenticator/soft-authenticator';

/** A core whose command 0x01 (makeCredential-like) needs a touch. */
const touchCore: CtapCore = {
  async handleCbor(request, context) {
    if (request[0] !== 0x01) return Uint8Array.of(Ctap2Status.InvalidCommand);
    const touched = await context!.waitForUserPresence(2000);
    return Uint8Array.of(touched ? Ctap2Status.Success : Ctap2Status.UserActionTimeout);
  },
};
const OPTS = { timeoutMs: 300, readSliceMs: 20, busyBackoffMs: 5, busyRetries: 8 };

const devices: SoftAuthenticator[] = [];
const make = (core?: CtapCore): SoftAuthenticator => {
  const d = new SoftAuthenticator(core ? { core } : {});
  devices.push(d);
  return d;
};
afterEach(async () => {
  await Promise.all(devices.splice(0).map((d) => d.close()));
});

describe('SoftAuthenticator', () => {
  it('waits for a touch, sending UPNEEDED meanwhile', async () => {
    const device = make(touchCore);
    const channel = await CtapHidChannel.open(device, OPTS);
    const seen: number[] = [];
    const call = channel.cbor(Uint8Array.of(0x01), {
      onKeepalive: (s) => {
        seen.push(s);
        if (seen.length === 3) device.touch();
      },
    });
    expect(await call).toEqual(Uint8Array.of(Ctap2Status.Success));
    expect(seen).toEqual([KeepaliveStatus.UpNeeded, KeepaliveStatus.UpNeeded, KeepaliveStatus.UpNeeded]);
  });

  it('CANCEL while waiting for a touch answers KEEPALIVE_CANCEL and tells the core', async () => {
    let aborted = false;
    const device = make({
      async handleCbor(_request, context) {
        context!.signal.addEventListener('abort', () => (aborted = true));
        await context!.waitForUserPresence(2000);
        return Uint8Array.of(Ctap2Status.Success);
      },
    });
    const channel = await CtapHidChannel.open(device, OPTS);
    const response = await channel.cbor(Uint8Array.of(0x01), { onKeepalive: () => void channel.cancel() });
    expect(response).toEqual(Uint8Array.of(Ctap2Status.KeepaliveCancel));
    expect(aborted).toBe(true);
  });

  it('a second program is told CHANNEL_BUSY while the first one waits, and gets through afterwards', async () => {
    const device = make(touchCore);
    const first = await CtapHidChannel.open(device, OPTS);
    const second = await CtapHidChannel.open(device.openHandle(), OPTS); // another program's handle
    const waiting = first.cbor(Uint8Array.of(0x01), { onKeepalive: () => setTimeout(() => device.touch(), 60) });
    await new Promise((r) => setTimeout(r, 10));
    expect(await second.ping(Uint8Array.of(5))).toEqual(Uint8Array.of(5));
    expect(await waiting).toEqual(Uint8Array.of(0));
    const log = device.requests.map((r) => [r.cid === first.cid ? 'first' : r.cid === second.cid ? 'second' : 'broadcast', r.cmd]);
    expect(log.filter(([who]) => who === 'second').length).toBeGreaterThan(1); // retried after CHANNEL_BUSY
  });

  it('answers unknown channels with INVALID_CHANNEL and unknown commands with INVALID_CMD', async () => {
    const device = make();
    await device.write(encodeOutputReports(0x12345678, CtapHidCommand.Ping, Uint8Array.of(1))[0]!);
    expect((await device.read(100))!.subarray(0, 8).toString('hex')).toBe('12345678bf00010b');
    const channel = await CtapHidChannel.open(device, OPTS);
    await device.write(encodeOutputReports(channel.cid, 0x55, new Uint8Array(0))[0]!);
    expect((await device.read(100))!.subarray(4, 8).toString('hex')).toBe('bf000101');
  });

  it('refuses writes without the report ID, as a test for hosts that forget it', async () => {
    const device = make();
    await expect(device.write(Buffer.from(encodePackets(0xffffffff, CtapHidCommand.Init, new Uint8Array(8))[0]!))).rejects.toThrow(/report ID/);
  });
});
