// The station's KeysPort over the KeyWatcher (main/station/keys-port.ts): the watcher's state and changes, and
// wink through a CtapHidChannel on a fresh handle that is closed again; false for a key that cannot blink or is gone.
import { afterEach, describe, expect, it } from 'vitest';
import { watcherKeysPort } from '../../main/station';
import { KeyWatcher, type KeyWatcherState } from '../../main/keys/watcher';
import { VirtualBus } from '../authenticator/virtual-bus';
import { SoftAuthenticator } from '../authenticator/soft-authenticator';
import { Ctap2Core } from '../authenticator/ctap2-core';
import { profile } from '../authenticator/profiles';
import { CtapHidCapability } from '../../main/keys/hid/constants';
import { fixtureKey, nextEvent, YUBIKEY_5_NFC } from '../keys/key-helpers';

let watcher: KeyWatcher | null = null;
afterEach(async () => {
  await watcher?.stop();
  watcher = null;
});

describe('the station KeysPort', () => {
  it('state and changes are the watcher’s; wink blinks the key and releases the handle', async () => {
    const bus = new VirtualBus({ hotplug: true });
    watcher = new KeyWatcher(bus, { pollIntervalMs: 60_000, hotplugPollIntervalMs: 60_000 });
    const keys = watcherKeysPort(watcher, bus);
    const seen: KeyWatcherState[] = [];
    const off = keys.onChange((s) => seen.push(s));
    await watcher.start();
    const made: SoftAuthenticator[] = [];
    const identified = nextEvent(watcher, 'identified');
    bus.plugKey(fixtureKey(YUBIKEY_5_NFC.profile, { onCreate: (a) => made.push(a) }));
    await identified;
    expect(keys.state().presence).toBe('one');
    expect(seen.at(-1)).toEqual(keys.state());
    const id = keys.state().keys[0]!.id;

    expect(await keys.wink(id)).toBe(true);
    expect(made.reduce((n, a) => n + a.winkCount, 0)).toBe(1);
    expect([...bus.handles].filter((h) => !h.closed)).toEqual([]);
    expect(await keys.wink('1050:0407:0000000000')).toBe(false);
    off();
  });

  it('a key without the WINK capability answers false (nothing sent), and the handle is released', async () => {
    const bus = new VirtualBus({ hotplug: true });
    watcher = new KeyWatcher(bus, { pollIntervalMs: 60_000, hotplugPollIntervalMs: 60_000 });
    const keys = watcherKeysPort(watcher, bus);
    await watcher.start();
    const p = profile(YUBIKEY_5_NFC.profile);
    const made: SoftAuthenticator[] = [];
    const identified = nextEvent(watcher, 'identified');
    bus.plugKey({
      device: () => {
        const a = new SoftAuthenticator({ core: new Ctap2Core(p), capabilities: CtapHidCapability.Cbor, deviceVersion: { ...p.deviceVersion } });
        made.push(a);
        return a;
      },
    });
    await identified;
    expect(await keys.wink(keys.state().keys[0]!.id)).toBe(false);
    expect(made.reduce((n, a) => n + a.winkCount, 0)).toBe(0);
    expect([...bus.handles].filter((h) => !h.closed)).toEqual([]);
  });
});
