/**
 * The operator-set random PIN through the station (a key without a PIN, for someone not at the desk): the real
 * EnrollmentSession, the station's ProvisionPort over the software authenticator, the emulator, a real journal.
 * The PIN is on the operator's screen once, until "noted"; then it is in no later snapshot, and never in the
 * journal or any file written while this suite ran.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionSnapshot } from '../../common/session';
import { useEmulator } from '../support/emulator';
import { upn } from '../directory/support';
import { Fido2Core, type Fido2CoreOptions } from '../authenticator/fido2-core';
import { SoftAuthenticator } from '../authenticator/soft-authenticator';
import { profile } from '../authenticator/profiles';
import { fido2Info, identified, keysOne } from '../enrollment/support/fixtures';
import { openStation, stopStation, type Station } from '../enrollment/support/station';
import { describeHits, leakRoots, scanForPasses } from '../leaks/scan';

type Provisioning = Extract<SessionSnapshot, { screen: 'provisioning' }>;

const MEGAN = upn('megan.bowen');
const MEGAN_ID = '00000000-0000-4000-8000-000000000010';
const suiteStart = Date.now();
const shownPins: string[] = [];
const journals: string[] = [];

const env = useEmulator();
let station: Station | null = null;
afterEach(async () => {
  if (!station) return;
  await stopStation(station);
  journals.push(JSON.stringify(station.journal.events()));
  await station.journal.close();
  station = null;
});

async function deskWith(options: Fido2CoreOptions) {
  const core = new Fido2Core(options);
  const aaguid = core.profile.aaguid ?? '';
  station = await openStation(env.emu, {
    operator: upn('alex.wilber'),
    keys: keysOne(identified(fido2Info({ rk: true, up: true, clientPin: false }, aaguid), 'Security Key')),
    deskKey: { open: async () => new SoftAuthenticator({ core, capabilities: core.profile.capabilities }) },
  });
  const st = station;
  await st.toPreflight(MEGAN, MEGAN_ID);
  st.send({ type: 'chooseMode', mode: 'provision' });
  await st.waitFor((s) => s.screen === 'provisioning' && s.phase === 'set-pin');
  st.send({ type: 'randomPin' });
  const shown = (await st.waitFor((s) => s.screen !== 'provisioning' || s.phase === 'show-pin' || s.phase === 'failed')) as Provisioning;
  expect(shown).toMatchObject({ screen: 'provisioning', phase: 'show-pin' });
  const pin = shown.operatorPin?.pin ?? '';
  shownPins.push(pin);
  return { core, st, shown, pin };
}

const holding = (snapshots: SessionSnapshot[], pin: string) => snapshots.filter((s) => JSON.stringify(s).includes(pin));
const isShown = (s: SessionSnapshot) => s.screen === 'provisioning' && s.phase === 'show-pin';
/** Every snapshot once the PIN screen was left (the operator's command itself re-sends the screen first). */
const afterTheScreen = (snapshots: SessionSnapshot[]) => snapshots.slice(snapshots.findLastIndex(isShown) + 1);

describe('the operator-set random PIN', () => {
  it('a key with authenticatorConfig: registered and proven, the PIN shown once, the key demands a new PIN; gone after "noted"', async () => {
    const { core, st, shown, pin } = await deskWith({});
    expect(pin).toMatch(/^[0-9]{8}$/);
    expect(shown.operatorPin).toEqual({ pin, changeForced: true });
    expect(shown.pinPad).toBeNull();
    // The key: the PIN set, forceChangePin on; at Microsoft: the passkey.
    expect(core.state.pinSet).toBe(true);
    expect(core.state.forcePinChange).toBe(true);
    expect(env.emu.ctx.state.fido2Of(MEGAN_ID)).toHaveLength(1);
    // Only the show-pin snapshots carry it; nothing before.
    st.send({ type: 'pinNoted' });
    expect(await st.until('done', 'failed')).toMatchObject({ screen: 'done', proven: true });
    expect(holding(st.snapshots, pin).every(isShown)).toBe(true);
    const after = afterTheScreen(st.snapshots);
    expect(after.map((s) => s.screen)).toEqual(expect.arrayContaining(['cleaning-up', 'done']));
    expect(holding(after, pin)).toEqual([]);
    expect(JSON.stringify(st.current())).not.toContain(pin);
    // A command from a stale screen cannot bring it back.
    expect(st.session.send({ type: 'pinNoted' }).ok).toBe(true);
    expect(JSON.stringify(st.current())).not.toContain(pin);
  });

  it('a key without authenticatorConfig: registered, and the screen says the person must change the PIN', async () => {
    const { core, st, shown, pin } = await deskWith({ profile: profile('security-key-nfc-blue') });
    expect(shown.operatorPin).toEqual({ pin, changeForced: false });
    expect(core.state.forcePinChange).toBe(false);
    st.send({ type: 'pinNoted' });
    await st.until('done');
  });

  /** Left the PIN screen some way other than "noted": done and proven, the PIN in no later snapshot, journalled completed. */
  async function endsCompleted(st: Station, pin: string, screen: 'done' | 'locked' = 'done') {
    expect(await st.until('cancelled', 'done', 'ready', 'locked')).toMatchObject(screen === 'done' ? { screen, proven: true } : { screen });
    expect(holding(st.snapshots, pin).every(isShown)).toBe(true);
    expect(afterTheScreen(st.snapshots).length).toBeGreaterThan(0);
    expect(holding(afterTheScreen(st.snapshots), pin)).toEqual([]);
    expect(JSON.stringify(st.current())).not.toContain(pin);
    expect(env.emu.ctx.state.fido2Of(MEGAN_ID)).toHaveLength(1);
    // The journal says provisioned and completed; nothing says cancelled.
    const events = st.journal.events();
    expect(events.filter((e) => e.type === 'key.provisioned')).toEqual([expect.objectContaining({ proven: true })]);
    expect(events.filter((e) => e.type === 'session.wiped').map((e) => ('reason' in e ? e.reason : null))).toEqual(['completed']);
    expect(JSON.stringify(events)).not.toContain('cancelled');
  }

  it('Cancel while the PIN is shown: the passkey exists, so it ends as done (not cancelled), the PIN gone', async () => {
    const { st, pin } = await deskWith({});
    st.send({ type: 'cancel' });
    await endsCompleted(st, pin);
  });

  it('the idle lock while the PIN is shown: the station locks at once, journalled completed (the passkey exists), the PIN gone', async () => {
    const { st, pin } = await deskWith({});
    await st.time.advance(5 * 60_000 + 1); // the station's idleLockMinutes
    await endsCompleted(st, pin, 'locked');
    expect(st.journal.events().filter((e) => e.type === 'operator.locked')).toEqual([expect.objectContaining({ reason: 'idle' })]);
  });

  it('no random PIN is in the journal or in any file written during this suite', () => {
    expect(shownPins).toHaveLength(4);
    for (const pin of shownPins) for (const j of journals) expect(j.includes(pin), 'a PIN in the journal').toBe(false);
    const scan = scanForPasses(shownPins, leakRoots(), suiteStart);
    expect(scan.files).toBeGreaterThan(0);
    const hits = scan.hits.filter((h) => !/\/bash_jobs\.[^/]+\//.test(h.file));
    expect(hits, describeHits(hits)).toEqual([]);
  });
});
