/**
 * getInfo(channel): the FIDO2 / U2F-only decision, error propagation, and the whole path over CTAPHID
 * framing against the software authenticator impersonating each fixture key.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { decodeGetInfo, getInfo, Ctap2TransientError, GetInfoDecodeError, type Ctap2Channel } from '../../../main/keys/ctap2/info';
import { Ctap2Status, CtapHidCapability, CtapHidCommand } from '../../../main/keys/hid/constants';
import { Ctap2StatusError, CtapHidError, DeviceGoneError, TimeoutError, isHidTransportError } from '../../../main/keys/hid/errors';
import { CtapHidChannel } from '../../../main/keys/hid/transport';
import { Ctap2Core } from '../../authenticator/ctap2-core';
import { allProfiles, profile, type AuthenticatorProfile } from '../../authenticator/profiles';
import { SoftAuthenticator, type SoftAuthenticatorFaults } from '../../authenticator/soft-authenticator';

const CBOR_CAPS = CtapHidCapability.Wink | CtapHidCapability.Cbor;
const yubikey = profile('yubikey-5-nfc');

/** A channel double answering `cbor()` with fixed bytes (or a thrown error), recording the calls. */
function fakeChannel(capabilities: number, answer: Uint8Array | Error) {
  const calls: { request: Uint8Array; opts: unknown }[] = [];
  const channel: Ctap2Channel = {
    capabilities,
    cbor(request, opts) {
      calls.push({ request: Uint8Array.from(request), opts });
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
  return { channel, calls };
}

const ok = (cbor: Uint8Array): Uint8Array => Uint8Array.from([0x00, ...cbor]);

describe('getInfo with a channel double', () => {
  it('sends the one-byte getInfo request and passes timeout and signal through', async () => {
    const { channel, calls } = fakeChannel(CBOR_CAPS, ok(yubikey.getInfoCbor!));
    const signal = new AbortController().signal;
    const result = await getInfo(channel, { timeoutMs: 1234, signal });
    expect(result).toEqual({ kind: 'fido2', info: decodeGetInfo(yubikey.getInfoCbor!) });
    expect(calls).toHaveLength(1);
    expect([...calls[0]!.request]).toEqual([0x04]);
    expect(calls[0]!.opts).toEqual({ timeoutMs: 1234, signal });
  });

  it('reports a key without the CBOR capability as U2F-only and never sends it CTAPHID_CBOR', async () => {
    for (const caps of [0x00, CtapHidCapability.Wink, CtapHidCapability.Wink | CtapHidCapability.Lock]) {
      const { channel, calls } = fakeChannel(caps, new Error('must not be called'));
      const result = await getInfo(channel);
      expect(result.kind).toBe('u2f-only');
      expect(result.kind === 'u2f-only' && result.reason).toMatchObject({ code: 'no-cbor-capability', capabilities: caps });
      expect(calls).toHaveLength(0);
    }
  });

  it.each([Ctap2Status.InvalidCommand, Ctap2Status.InvalidCbor, Ctap2Status.Other, Ctap2Status.NotAllowed, 0xf3])(
    'reports a CBOR key refusing getInfo with CTAP2 status %i as U2F-only',
    async (status) => {
      const { channel } = fakeChannel(CBOR_CAPS, Uint8Array.of(status));
      const result = await getInfo(channel);
      expect(result.kind).toBe('u2f-only');
      expect(result.kind === 'u2f-only' && result.reason).toMatchObject({ code: 'get-info-refused', status });
    },
  );

  it.each([Ctap2Status.Timeout, Ctap2Status.ChannelBusy, Ctap2Status.KeepaliveCancel, Ctap2Status.UserActionTimeout, Ctap2Status.ActionTimeout])(
    'throws a transport-style Ctap2TransientError for the transient CTAP2 status %i',
    async (status) => {
      const { channel } = fakeChannel(CBOR_CAPS, Uint8Array.of(status));
      const error = await getInfo(channel).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Ctap2TransientError);
      expect(error).toBeInstanceOf(Ctap2StatusError);
      expect(isHidTransportError(error, 'CTAP2_STATUS')).toBe(true);
      expect((error as Ctap2TransientError).status).toBe(status);
    },
  );

  it('reports U2F-only when CTAPHID_CBOR itself is refused with CTAPHID_ERROR INVALID_CMD (fixture error capture)', async () => {
    const result = await getInfo(fakeChannel(CBOR_CAPS, new CtapHidError(0x01)).channel);
    expect(result).toMatchObject({ kind: 'u2f-only', reason: { code: 'cbor-command-rejected' } });
  });

  it('lets transport errors through unchanged', async () => {
    const other = new CtapHidError(0x7f);
    await expect(getInfo(fakeChannel(CBOR_CAPS, other).channel)).rejects.toBe(other);
    const gone = new DeviceGoneError('unplugged');
    await expect(getInfo(fakeChannel(CBOR_CAPS, gone).channel)).rejects.toBe(gone);
    const timeout = new TimeoutError('getInfo', 500);
    await expect(getInfo(fakeChannel(CBOR_CAPS, timeout).channel)).rejects.toBe(timeout);
  });

  it('rejects an empty answer or a status-OK answer with a malformed map as GetInfoDecodeError', async () => {
    await expect(getInfo(fakeChannel(CBOR_CAPS, new Uint8Array(0)).channel)).rejects.toMatchObject({
      name: 'GetInfoDecodeError',
      code: 'empty-response',
    });
    await expect(getInfo(fakeChannel(CBOR_CAPS, Uint8Array.of(0x00)).channel)).rejects.toBeInstanceOf(GetInfoDecodeError);
    await expect(getInfo(fakeChannel(CBOR_CAPS, Uint8Array.of(0x00, 0x82, 0x01)).channel)).rejects.toMatchObject({
      code: 'invalid-cbor',
    });
  });
});

describe('getInfo over CTAPHID against the software authenticator', () => {
  const opened: CtapHidChannel[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close()));
  });

  async function connect(p: AuthenticatorProfile, options: { faults?: SoftAuthenticatorFaults; core?: Ctap2Core } = {}) {
    const authenticator = new SoftAuthenticator({
      core: options.core ?? (p.getInfoCbor ? new Ctap2Core(p) : undefined),
      capabilities: p.capabilities,
      deviceVersion: p.deviceVersion,
      info: p.usb ? { vendorId: p.usb.vendorId, productId: p.usb.productId } : {},
      faults: options.faults,
    });
    const channel = await CtapHidChannel.open(authenticator, { timeoutMs: 500 });
    opened.push(channel);
    return { authenticator, channel };
  }

  it.each(allProfiles().map((p) => [p.id, p] as const))('%s', async (_id, p) => {
    const { authenticator, channel } = await connect(p);
    expect(channel.capabilities).toBe(p.capabilities);
    expect(channel.deviceVersion).toEqual(p.deviceVersion);
    const result = await getInfo(channel);
    if (p.getInfoCbor) {
      expect(result).toEqual({ kind: 'fido2', info: decodeGetInfo(p.getInfoCbor) });
      expect(result.kind === 'fido2' && result.info.aaguid).toBe(p.aaguid);
    } else {
      expect(result).toMatchObject({ kind: 'u2f-only', reason: { code: 'no-cbor-capability' } });
      expect(authenticator.requests.some((r) => r.cmd === CtapHidCommand.Cbor)).toBe(false);
    }
  });

  it('reports U2F-only when a CBOR-capable key refuses getInfo (core in U2F-only mode)', async () => {
    const core = new Ctap2Core(yubikey).failGetInfo();
    const { channel } = await connect(yubikey, { core });
    const result = await getInfo(channel);
    expect(result).toMatchObject({ kind: 'u2f-only', reason: { code: 'get-info-refused', status: 0x01 } });
    expect(core.requests.map((r) => r[0])).toEqual([0x04]);
  });

  it('decodes through 0xEE padding, garbage frames and KEEPALIVEs', async () => {
    const pico = profile('pico-fido'); // the largest real capture: 9 reports
    const { channel } = await connect(pico, {
      faults: { padByte: 0xee, garbageBeforeReplies: 3, cborDelayMs: 120, keepaliveIntervalMs: 30 },
    });
    const result = await getInfo(channel);
    expect(result).toEqual({ kind: 'fido2', info: decodeGetInfo(pico.getInfoCbor!) });
  });

  it('ends with a typed transport error when the key is unplugged in the middle of the answer', async () => {
    const { channel } = await connect(profile('synthetic-ctap23'), {
      faults: { disconnect: { command: CtapHidCommand.Cbor, afterReports: 3, mode: 'reject' } },
    });
    const error = await getInfo(channel).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceGoneError);
  });

  it('answers other CTAP2 commands with INVALID_COMMAND, leaving room for makeCredential later', async () => {
    const core = new Ctap2Core(yubikey);
    expect([...(await core.handleCbor(Uint8Array.of(0x01, 0xa0)))]).toEqual([Ctap2Status.InvalidCommand]);
    expect([...(await core.handleCbor(new Uint8Array(0)))]).toEqual([Ctap2Status.InvalidCommand]);
    core.handle(0x01, () => Uint8Array.of(0x00, 0xa0));
    expect([...(await core.handleCbor(Uint8Array.of(0x01, 0xa0)))]).toEqual([0x00, 0xa0]);
  });
});
