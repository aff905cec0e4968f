import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeyWatcher, type KeyWatcherOptions } from '../../main/keys/watcher';
import { keyIdOf, type KeySource } from '../../main/keys/key-source';
import { CtapHidCommand } from '../../main/keys/hid/constants';
import type { HidDeviceInfo } from '../../main/keys/hid/device';
import { VirtualBus, type VirtualBusOptions } from '../authenticator/virtual-bus';
import type { SoftAuthenticator } from '../authenticator/soft-authenticator';
import { fixtureKey, nextEvent, recordEvents, softKey, TOKEN2_T2F2, YUBIKEY_5_NFC } from './key-helpers';

/** Polls so rare that only a hot-plug event can explain a prompt reaction. */
const NO_POLLING: KeyWatcherOptions = { hotplugPollIntervalMs: 600_000, pollIntervalMs: 600_000 };

let watcher: KeyWatcher | undefined;
let bus: VirtualBus | undefined;
afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
  bus?.reset();
  bus = undefined;
  vi.useRealTimers();
});

async function startWatcher(busOptions: VirtualBusOptions, options: KeyWatcherOptions = {}) {
  bus = new VirtualBus(busOptions);
  watcher = new KeyWatcher(bus, options);
  const events = recordEvents(watcher);
  await watcher.start();
  return { bus, watcher, events };
}

describe('KeyWatcher, hot-plug path', () => {
  it('reports attached then identified with the fixture model, then detached, with one stable key id', async () => {
    const { bus, watcher, events } = await startWatcher({ hotplug: true }, NO_POLLING);
    expect(watcher.state().mode).toBe('hotplug'); // the bus said `ready` before the first scan finished

    const identified = nextEvent(watcher, 'identified');
    const port = bus.plugKey({ device: softKey(YUBIKEY_5_NFC.profile) });
    const { key, identified: result } = await identified;

    expect(result.identity.model).toBe(YUBIKEY_5_NFC.model);
    expect(key.id).toBe(keyIdOf(port.info));
    expect(key.identity.status).toBe('identified');
    expect(watcher.state()).toMatchObject({ presence: 'one', mode: 'hotplug', keys: [{ id: key.id, vidPid: '1050:0407' }] });

    // Re-scans see the same key: same id, no second `attached`.
    await watcher.scanNow();
    await watcher.scanNow();
    expect(watcher.state().keys.map((k) => k.id)).toEqual([key.id]);

    const detached = nextEvent(watcher, 'detached');
    port.unplug();
    expect((await detached).key.id).toBe(key.id);
    expect(watcher.state()).toMatchObject({ presence: 'none', keys: [] });
    expect(events).toEqual([`attached:1050:0407`, `identified:${YUBIKEY_5_NFC.model}`, `detached:1050:0407`]);
    expect(bus.openHandleCount()).toBe(0);
  });

  it('finds a key whose HID interface appears after the USB event, through the follow-up scans', async () => {
    const { bus, watcher } = await startWatcher({ hotplug: true, hotplugLeadMs: 80 }, { ...NO_POLLING, hotplugFollowUpsMs: [150] });

    const identified = nextEvent(watcher, 'identified');
    bus.plugKey({ device: softKey(YUBIKEY_5_NFC.profile) });

    expect((await identified).identified.identity.model).toBe(YUBIKEY_5_NFC.model);
  });

  it('ignores every HID device that is not a FIDO interface, without opening it', async () => {
    const { bus, watcher, events } = await startWatcher({ hotplug: true }, NO_POLLING);
    bus.plugHid(); // keyboard: usage page 0x01
    bus.plugHid({ product: 'Vendor HID', usagePage: 0xff00, usage: 0x01 });
    bus.plugHid({ product: 'FIDO page, other usage', usagePage: 0xf1d0, usage: 0x02 });
    await watcher.scanNow();

    expect(events).toEqual([]);
    expect(watcher.state().presence).toBe('none');
    expect(bus.calls.open).toBe(0);
    expect(bus.calls.list).toBeGreaterThan(1);
  });

  it('enters the multiple state with two keys and leaves it when one is removed', async () => {
    const { bus, watcher, events } = await startWatcher({ hotplug: true }, NO_POLLING);
    const first = bus.plugKey({ device: softKey(YUBIKEY_5_NFC.profile) });
    await nextEvent(watcher, 'identified');

    const multiple = nextEvent(watcher, 'multiple');
    const second = nextEvent(watcher, 'identified');
    bus.plugKey(fixtureKey(TOKEN2_T2F2.profile)); // Excelsecu's VID, as Token2 ships it
    expect((await multiple).active).toBe(true);
    expect(watcher.state().presence).toBe('multiple');
    expect((await second).identified.identity.model).toBe(TOKEN2_T2F2.model);
    expect(watcher.state().keys).toHaveLength(2);

    const single = nextEvent(watcher, 'multiple');
    first.unplug();
    expect((await single).active).toBe(false);
    expect(watcher.state()).toMatchObject({ presence: 'one', keys: [{ vidPid: '1ea8:fc25' }] });
    expect(events.filter((e) => e.startsWith('multiple'))).toEqual(['multiple:true', 'multiple:false']);
  });

  it('reports a key Windows will not open as present, with identity unavailable, and keeps running', async () => {
    const { bus, watcher, events } = await startWatcher({ hotplug: true, errorStyle: 'win32' }, { ...NO_POLLING, platform: 'win32' });

    const unavailable = nextEvent(watcher, 'identity-unavailable');
    bus.plugKey({ device: softKey(YUBIKEY_5_NFC.profile), accessDenied: 'write', product: 'Security Key by Yubico' });
    const event = await unavailable;

    expect(event.reason).toBe('access-denied');
    expect(event.message).toBe('unavailable: needs the Windows security key API');
    expect(watcher.state()).toMatchObject({
      presence: 'one',
      keys: [{ vidPid: '1050:0407', product: 'Security Key by Yubico', identity: { status: 'unavailable', reason: 'access-denied' } }],
    });
    expect(bus.calls.open).toBe(1); // not retried: a refusal will not change by asking again
    expect(events).toEqual(['attached:1050:0407', 'identity-unavailable:access-denied']);
    expect(bus.openHandleCount()).toBe(0);
  });

  it('reads a key again on reidentify() (the "try again" button)', async () => {
    const { bus, watcher } = await startWatcher({ hotplug: true }, { ...NO_POLLING, platform: 'win32' });
    const unavailable = nextEvent(watcher, 'identity-unavailable');
    const port = bus.plugKey({ device: softKey(YUBIKEY_5_NFC.profile), accessDenied: 'open' });
    const { key } = await unavailable;

    port.setAccessDenied(undefined); // e.g. the station now runs with the rights it needs
    const identified = nextEvent(watcher, 'identified');
    expect(watcher.reidentify(key.id)).toBe(true);
    expect(watcher.state().keys[0]?.identity.status).toBe('pending');
    expect((await identified).key.id).toBe(key.id);
    expect(watcher.reidentify('no-such-key')).toBe(false);
  });

  it('ends the transaction and reports detached when the key is pulled in the middle of getInfo', async () => {
    const { bus, watcher, events } = await startWatcher({ hotplug: true }, NO_POLLING);
    let authenticator: SoftAuthenticator | undefined;
    const port = bus.plugKey({
      device: softKey(YUBIKEY_5_NFC.profile, { faults: { cborDelayMs: 60_000, keepaliveIntervalMs: 20 }, onCreate: (a) => (authenticator = a) }),
    });
    await nextEvent(watcher, 'attached');
    await vi.waitFor(() => expect(authenticator?.requests.some((r) => r.cmd === CtapHidCommand.Cbor)).toBe(true));

    const detached = nextEvent(watcher, 'detached');
    port.unplug();
    await detached;
    await watcher.stop(); // waits for the aborted identification to release the device

    expect(events).toEqual(['attached:1050:0407', 'detached:1050:0407']);
    expect(bus.openHandleCount()).toBe(0);
  });

  it('stop() unsubscribes from hot-plug, clears timers and stops scanning', async () => {
    vi.useFakeTimers();
    const { bus, watcher } = await startWatcher({ hotplug: true }, { hotplugPollIntervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(5000);
    expect(bus.hotplugSubscriberCount()).toBe(1);
    await watcher.stop();
    const listed = bus.calls.list;

    bus.plugKey({ device: softKey(YUBIKEY_5_NFC.profile) });
    await vi.advanceTimersByTimeAsync(60_000);

    expect(bus.hotplugSubscriberCount()).toBe(0);
    expect(bus.calls.list).toBe(listed);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('KeyWatcher, polling path', () => {
  it('finds and loses a key without any hot-plug events', async () => {
    const { bus, watcher, events } = await startWatcher({ hotplug: false }, { pollIntervalMs: 20 });
    expect(bus.onHotplug).toBeUndefined();

    const identified = nextEvent(watcher, 'identified');
    const port = bus.plugKey({ device: softKey(YUBIKEY_5_NFC.profile) });
    expect((await identified).identified.identity.model).toBe(YUBIKEY_5_NFC.model);
    expect(watcher.state().mode).toBe('polling');

    const detached = nextEvent(watcher, 'detached');
    port.unplug();
    await detached;
    expect(events).toEqual([`attached:1050:0407`, `identified:${YUBIKEY_5_NFC.model}`, `detached:1050:0407`]);
  });

  it('polls at the configured interval while idle, and slows down when enumeration is expensive', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance'] });
    // A cheap source: 200 ms interval → 50 enumerations in 10 s.
    const cheap = await startWatcher({ hotplug: false }, { pollIntervalMs: 200 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(cheap.bus.calls.list).toBeGreaterThanOrEqual(50);
    expect(cheap.bus.calls.list).toBeLessThanOrEqual(52);
    await cheap.watcher.stop();

    // 5 ms per enumeration with a 0.5 % budget → one enumeration per second at most.
    bus = new VirtualBus({ hotplug: false, listDelayMs: 5 });
    watcher = new KeyWatcher(bus, { pollIntervalMs: 200, maxPollCpuShare: 0.005 });
    const started = watcher.start(); // the first list() itself waits on the fake clock
    await vi.advanceTimersByTimeAsync(10_000);
    await started;
    expect(bus.calls.list).toBeGreaterThanOrEqual(9);
    expect(bus.calls.list).toBeLessThanOrEqual(12);
    expect(watcher.stats().pollIntervalMs).toBeGreaterThanOrEqual(1000);
  });

  it('never stretches the poll interval past maxPollIntervalMs, and ignores the first (module-loading) enumeration', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance'] });
    let delay = 400; // the first list() loads the native module
    const source: KeySource = {
      list: () => new Promise((resolve) => setTimeout(() => resolve([]), delay)),
      open: () => Promise.reject(new Error('unused')),
    };
    watcher = new KeyWatcher(source, { pollIntervalMs: 200, maxPollCpuShare: 0.005, maxPollIntervalMs: 2000 });
    const started = watcher.start();
    await vi.advanceTimersByTimeAsync(400);
    await started;
    delay = 1; // 1 ms / 0.5 % → 200 ms: had the first call counted, 400 ms / 0.5 % would be 80 s (capped to 2 s)
    expect(watcher.stats().pollIntervalMs).toBe(200);
    await vi.advanceTimersByTimeAsync(1000);
    expect(watcher.stats().pollIntervalMs).toBe(200);

    delay = 50; // 50 ms / 0.5 % = 10 s, capped
    await vi.advanceTimersByTimeAsync(20_000);
    expect(watcher.stats().pollIntervalMs).toBe(2000);
  });

  it('falls back to polling when the source says hot-plug is unavailable', async () => {
    const source = new VirtualBus({ hotplug: false });
    const listeners: ((e: { type: 'unavailable'; reason: string }) => void)[] = [];
    const withBrokenHotplug: KeySource = {
      list: () => source.list(),
      open: (p) => source.open(p),
      onHotplug: (cb) => {
        listeners.push(cb);
        queueMicrotask(() => cb({ type: 'unavailable', reason: 'no /sys/bus/usb' }));
        return () => undefined;
      },
    };
    bus = source;
    watcher = new KeyWatcher(withBrokenHotplug, { pollIntervalMs: 20, hotplugPollIntervalMs: 600_000 });
    await watcher.start();

    const identified = nextEvent(watcher, 'identified');
    source.plugKey({ device: softKey(YUBIKEY_5_NFC.profile) });
    await identified;
    expect(watcher.state().mode).toBe('polling');
    expect(listeners).toHaveLength(1);
  });
});

describe('KeyWatcher, failures', () => {
  it('reports "key reader not working" instead of crashing, and recovers', async () => {
    let broken = true;
    const devices: HidDeviceInfo[] = [];
    const source: KeySource = {
      list: async () => {
        if (broken) throw new Error('node-hid could not be loaded');
        return devices;
      },
      open: () => Promise.reject(new Error('unused')),
    };
    watcher = new KeyWatcher(source, { pollIntervalMs: 10, readerRetryMs: 10 });
    const down = nextEvent(watcher, 'reader', (r) => r.status === 'unavailable');
    await watcher.start();
    expect(await down).toEqual({ status: 'unavailable', message: 'key reader not working: node-hid could not be loaded' });

    const up = nextEvent(watcher, 'reader', (r) => r.status === 'ok');
    broken = false;
    await up;
    expect(watcher.state().reader.status).toBe('ok');
  });

  it('keeps running when a listener throws', async () => {
    const errors: unknown[] = [];
    bus = new VirtualBus({ hotplug: true });
    watcher = new KeyWatcher(bus, { ...NO_POLLING, onListenerError: (e) => errors.push(e) });
    watcher.on('attached', () => {
      throw new Error('listener bug');
    });
    await watcher.start();

    const identified = nextEvent(watcher, 'identified');
    bus.plugKey({ device: softKey(YUBIKEY_5_NFC.profile) });
    await identified;
    expect(errors).toHaveLength(1);
  });

  it('retries a transient failure once, then reports identity unavailable (timeout)', async () => {
    const { bus, watcher } = await startWatcher({ hotplug: true }, { ...NO_POLLING, identifyAttempts: 2, identifyTimeouts: { getInfo: 100 } });
    const unavailable = nextEvent(watcher, 'identity-unavailable');
    bus.plugKey({ device: softKey(YUBIKEY_5_NFC.profile, { faults: { disconnect: { afterReports: 1, mode: 'silent' } } }) });

    const event = await unavailable;
    expect(['timeout', 'device-gone']).toContain(event.reason);
    expect(bus.calls.open).toBe(2);
    expect(bus.openHandleCount()).toBe(0);
  });
});
