import { afterEach, describe, expect, it } from 'vitest';
import { identifyDevice, KeyIdentifyError, unavailableMessage } from '../../main/keys/identify';
import { keyIdOf } from '../../main/keys/key-source';
import { VirtualBus } from '../authenticator/virtual-bus';
import type { SoftAuthenticator } from '../authenticator/soft-authenticator';
import { CtapHidCommand } from '../../main/keys/hid/constants';
import { fixtureKey, NITROKEY_U2F, softKey, YUBIKEY_5_NFC } from './key-helpers';

let bus: VirtualBus;
afterEach(() => bus?.reset());

async function expectFailure(work: Promise<unknown>): Promise<KeyIdentifyError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeyIdentifyError);
  return error as KeyIdentifyError;
}

describe('identifyDevice', () => {
  it('identifies a fixture key: model from its AAGUID, VID/PID and product from enumeration, device closed', async () => {
    bus = new VirtualBus();
    const port = bus.plugKey({ device: softKey(YUBIKEY_5_NFC.profile), product: 'YubiKey OTP+FIDO+CCID' });

    const key = await identifyDevice(port.info, { open: (p) => bus.open(p) });

    expect(key.identity.model).toBe(YUBIKEY_5_NFC.model);
    expect(key.identity.vendor).toBe('Yubico');
    expect(key.capability.kind).toBe('fido2');
    if (key.capability.kind === 'fido2') expect(key.capability.info.aaguid).toBe('2fc0579f-8113-47ea-b116-bb5a8db9202a');
    expect(key).toMatchObject({ keyId: keyIdOf(port.info), vendorId: 0x1050, productId: 0x0407, product: 'YubiKey OTP+FIDO+CCID' });
    expect(key.ctaphid.capabilities.cbor).toBe(true);
    expect(key.ctaphid.deviceVersion).toEqual({ major: 5, minor: 2, build: 4 }); // the profile's INIT capture
    expect(bus.openHandleCount()).toBe(0);
  });

  it('reports a key without the CBOR capability as U2F-only, not as a failure', async () => {
    bus = new VirtualBus();
    const port = bus.plugKey(fixtureKey(NITROKEY_U2F.profile, { product: 'U2F Token', manufacturer: 'Nitrokey' }));

    const key = await identifyDevice(port.info, { open: (p) => bus.open(p) });

    expect(key.capability.kind).toBe('u2f-only');
    expect(port.info).toMatchObject({ vendorId: 0x2581, productId: 0xf1d0 });
    // No AAGUID without getInfo: the USB product string is the best name, and is labelled as such.
    expect(key.identity).toMatchObject({ aaguid: null, model: 'U2F Token', source: { model: 'usb-product' } });
    expect(bus.openHandleCount()).toBe(0);
  });

  it('maps Windows refusing to open the key to access-denied with the Windows wording', async () => {
    bus = new VirtualBus({ errorStyle: 'win32' });
    const port = bus.plugKey({ device: softKey(YUBIKEY_5_NFC.profile), accessDenied: 'open' });

    const error = await expectFailure(identifyDevice(port.info, { open: (p) => bus.open(p), platform: 'win32' }));

    expect(error).toMatchObject({ code: 'access-denied', step: 'open' });
    expect(unavailableMessage(error, 'win32')).toBe('unavailable: needs the Windows security key API');
  });

  it('maps the refusal hidapi actually reports on Windows (open succeeds, first write is denied) to access-denied', async () => {
    bus = new VirtualBus({ errorStyle: 'win32' });
    const port = bus.plugKey({ device: softKey(YUBIKEY_5_NFC.profile), accessDenied: 'write' });

    const error = await expectFailure(identifyDevice(port.info, { open: (p) => bus.open(p), platform: 'win32' }));

    expect(error).toMatchObject({ code: 'access-denied', step: 'channel' });
    expect(bus.openHandleCount()).toBe(0);
  });

  it('maps Linux permission denied to access-denied with the udev wording', async () => {
    bus = new VirtualBus({ errorStyle: 'linux' });
    const port = bus.plugKey({ device: softKey(YUBIKEY_5_NFC.profile), accessDenied: 'open' });

    const error = await expectFailure(identifyDevice(port.info, { open: (p) => bus.open(p), platform: 'linux' }));

    expect(error.code).toBe('access-denied');
    expect(unavailableMessage(error, 'linux')).toMatch(/udev/);
  });

  it('treats a bare "cannot open device" as access denied on Windows only', async () => {
    const info = { path: '\\\\?\\hid#vid_1050&pid_0407', vendorId: 0x1050, productId: 0x0407, usagePage: 0xf1d0, usage: 1 };
    const open = () => Promise.reject(new Error(`cannot open device with path ${info.path}`));

    expect((await expectFailure(identifyDevice(info, { open, platform: 'win32' }))).code).toBe('access-denied');
    expect((await expectFailure(identifyDevice(info, { open, platform: 'linux' }))).code).toBe('open-failed');
  });

  it('ends with device-gone when the key is unplugged in the middle of getInfo, well within the getInfo timeout', async () => {
    bus = new VirtualBus();
    let authenticator: SoftAuthenticator | undefined;
    const port = bus.plugKey({
      device: softKey(YUBIKEY_5_NFC.profile, { faults: { cborDelayMs: 10_000, keepaliveIntervalMs: 20 }, onCreate: (a) => (authenticator = a) }),
    });
    const getInfoTimeout = 3000;
    const started = performance.now();
    const work = identifyDevice(port.info, { open: (p) => bus.open(p), timeouts: { getInfo: getInfoTimeout } });
    await until(() => authenticator?.requests.some((r) => r.cmd === CtapHidCommand.Cbor) ?? false);
    port.unplug();

    const error = await expectFailure(work);

    expect(error).toMatchObject({ code: 'device-gone', step: 'getInfo' });
    expect(performance.now() - started).toBeLessThan(getInfoTimeout);
    expect(bus.openHandleCount()).toBe(0);
  });

  it('ends with a typed error within one timeout when the key goes silent mid-message', async () => {
    bus = new VirtualBus();
    const port = bus.plugKey({
      device: softKey(YUBIKEY_5_NFC.profile, { faults: { disconnect: { afterReports: 1, mode: 'silent' } } }),
    });
    const getInfoTimeout = 300;
    const started = performance.now();

    const error = await expectFailure(identifyDevice(port.info, { open: (p) => bus.open(p), timeouts: { getInfo: getInfoTimeout } }));

    expect(['timeout', 'device-gone']).toContain(error.code);
    expect(error.step).toBe('getInfo');
    // One getInfo timeout, plus the withDeadline slack and the channel's CANCEL grace.
    expect(performance.now() - started).toBeLessThan(getInfoTimeout + 1000);
    expect(bus.openHandleCount()).toBe(0);
  });

  it('gives up on an open that hangs, and closes the handle when it finally arrives', async () => {
    bus = new VirtualBus();
    const port = bus.plugKey({ device: softKey(YUBIKEY_5_NFC.profile), openDelayMs: 150 });

    const error = await expectFailure(identifyDevice(port.info, { open: (p) => bus.open(p), timeouts: { open: 30 } }));

    expect(error).toMatchObject({ code: 'timeout', step: 'open' });
    await until(() => bus.calls.open === 1 && bus.handles.size === 1);
    await until(() => bus.openHandleCount() === 0);
  });

  it('stops when aborted, and closes the device', async () => {
    bus = new VirtualBus();
    const port = bus.plugKey({ device: softKey(YUBIKEY_5_NFC.profile, { faults: { cborDelayMs: 10_000 } }) });
    const controller = new AbortController();
    const work = identifyDevice(port.info, { open: (p) => bus.open(p), signal: controller.signal });
    await until(() => bus.handles.size === 1);
    controller.abort();

    const error = await expectFailure(work);

    expect(error.code).toBe('aborted');
    expect(bus.openHandleCount()).toBe(0);
  });
});

/** Wait for a condition driven by the code under test (bounded; never a bare sleep). */
async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
