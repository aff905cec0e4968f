/**
 * "Reset a returned key" through the station: the real EnrollmentSession (chart, snapshots, commands as the
 * renderer sends them), the station's RecyclePort (main/station/recycle-port.ts) over a fake key watcher and the
 * software authenticator at the desk (over the real CTAPHID transport), a real journal.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionSnapshot } from '../../common/session';
import type { KeyWatcher } from '../../main/keys/watcher';
import { deskRecyclePort } from '../../main/station/recycle-port';
import { modelOfAaguid } from '../../main/station';
import { useEmulator } from '../support/emulator';
import { upn } from '../directory/support';
import { Fido2Core, type Fido2CoreOptions } from '../authenticator/fido2-core';
import { SoftAuthenticator } from '../authenticator/soft-authenticator';
import { fido2Info, identified, keysNone, keysOne } from '../enrollment/support/fixtures';
import { FakeKeys, openStation, stopStation, type Station } from '../enrollment/support/station';
import { tempJournal } from '../enrollment/support/journal';

type Recycle = Extract<SessionSnapshot, { screen: 'recycle' }>;

const env = useEmulator();
let station: Station | null = null;
afterEach(async () => {
  if (!station) return;
  await stopStation(station);
  await station.journal.close();
  station = null;
});

async function deskWith(options: Fido2CoreOptions) {
  const core = new Fido2Core({ pin: '46180273', ...options });
  let device: SoftAuthenticator | null = null;
  const plugged = keysOne(identified(fido2Info({ rk: true, up: true, clientPin: true }, core.profile.aaguid ?? ''), 'TOKEN2 FIDO2 Security Key'));
  const keys = new FakeKeys(plugged);
  // The key watcher as the port sees it: the same fake the session hears.
  const watcher = { state: () => keys.state(), on: (_: 'change', l: () => void) => keys.onChange(l) } as unknown as Pick<KeyWatcher, 'state' | 'on'>;
  const journal = await tempJournal();
  const recycle = deskRecyclePort({
    watcher,
    openPath: async () => (device = new SoftAuthenticator({ core, capabilities: core.profile.capabilities })),
    journal: journal.journal,
    modelOf: modelOfAaguid,
  });
  station = await openStation(env.emu, { operator: upn('alex.wilber'), keys: plugged, journal, recycle });
  // The station's own FakeKeys is the one the session listens to: route the hands through both.
  const hands = {
    unplug: () => {
      keys.set(keysNone);
      station!.keys.set(keysNone);
    },
    plugIn: () => {
      core.powerCycle();
      keys.set(plugged);
      station!.keys.set(plugged);
    },
    touch: () => device?.touch(),
  };
  station.send({ type: 'signIn' });
  await station.until('ready');
  return { core, st: station, hands };
}

const step = (st: Station, ...steps: Recycle['step'][]) => st.waitFor((s) => s.screen !== 'recycle' || steps.includes(s.step)) as Promise<SessionSnapshot>;

describe('"Reset a returned key" at the station', () => {
  it('confirm, unplug, plug back in, touch: the key is erased, the screen says done, the journal says recycled', async () => {
    const { core, st, hands } = await deskWith({ touch: 'wait', touchTimeoutMs: 5_000 });
    st.send({ type: 'recycleKey' });
    expect(await step(st, 'confirming')).toMatchObject({ screen: 'recycle', step: 'confirming', outcome: null, windowSeconds: 10 });
    st.send({ type: 'confirmRecycle' });
    await step(st, 'unplug');
    hands.unplug();
    await step(st, 'plug-in');
    hands.plugIn();
    await step(st, 'touch');
    expect(core.state.pinSet).toBe(true);
    hands.touch();
    expect(await step(st, 'outcome')).toMatchObject({ screen: 'recycle', step: 'outcome', outcome: { code: 'recycle.done', params: {} } });
    expect(core.state.pinSet).toBe(false);
    expect(core.state.credentials).toEqual([]);
    const recycled = st.journal.events().filter((e) => e.type === 'key.recycled');
    expect(recycled).toEqual([expect.objectContaining({ operator: expect.objectContaining({ upn: upn('alex.wilber') }), model: 'TOKEN2 FIDO2 Security Key' })]);
    st.send({ type: 'dismiss' });
    expect((await st.until('ready')).screen).toBe('ready');
  });

  it('a key that declines: "denied", nothing erased; Try again asks to unplug once more', async () => {
    const { core, st, hands } = await deskWith({ touch: 'deny' });
    st.send({ type: 'recycleKey' });
    await step(st, 'confirming');
    st.send({ type: 'confirmRecycle' });
    await step(st, 'unplug');
    hands.unplug();
    await step(st, 'plug-in');
    hands.plugIn();
    expect(await step(st, 'outcome')).toMatchObject({ outcome: { code: 'recycle.denied' } });
    expect(core.state.pinSet).toBe(true);
    st.send({ type: 'recheck' });
    expect(await step(st, 'unplug')).toMatchObject({ screen: 'recycle', step: 'unplug', outcome: null });
    st.send({ type: 'cancel' });
    await st.until('ready');
  });

  it('"Keep the key" at the confirmation: nothing is sent to the key; a PIN-pad command is refused there', async () => {
    const { core, st } = await deskWith({});
    st.send({ type: 'recycleKey' });
    await step(st, 'confirming');
    expect(st.session.send({ type: 'submitPin', pin: '46180273' }).ok).toBe(false);
    st.send({ type: 'cancel' });
    // Back on the ready screen, which offers it again.
    expect(await st.until('ready')).toMatchObject({ screen: 'ready', canRecycle: true });
    expect(core.commands).toEqual([]);
    expect(st.journal.events().filter((e) => e.type === 'key.recycled')).toEqual([]);
  });
});
