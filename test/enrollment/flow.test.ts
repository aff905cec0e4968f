// The whole enrollment against the emulator: real session, gateway, journal, issuer, deletion queue and
// completion watch; the person at the desk played over HTTP; time moved by hand.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verify } from '../../main/audit';
import { startEmulator, type Emulator } from '../emulator';
import { upn } from '../directory/support';
import { KeyWatcher } from '../../main/keys/watcher';
import { VirtualBus } from '../authenticator/virtual-bus';
import { softKey, YUBIKEY_5_NFC } from '../keys/key-helpers';
import { keysNone } from './support/fixtures';
import { DeskUser, openStation, stopStation, tapsAt, type Station } from './support/station';
import { describeHits, leakRoots, scanForPasses } from '../leaks/scan';

const ADELE = upn('adele.vance');
const ADELE_ID = '00000000-0000-4000-8000-000000000011';
const LEE = upn('lee.gu');

let emu: Emulator;
const suiteStarted = Date.now();
let station: Station | null = null;
const passes: string[] = [];
let seeded = new Set<string>();
/** TAPs at the emulator other than those in the seed (Johanna holds one). */
const newTaps = () => tapsAt(emu).filter((t) => !seeded.has(t.id));

beforeAll(async () => {
  // The short one-time "kiosk" TAP policy preset: these tests are about 10-minute one-time passes.
  emu = await startEmulator({ tapPolicy: 'kiosk' });
});
afterAll(async () => {
  // Every pass the emulator issued in this suite (not only those shown), in no file written since it started,
  // in any encoded form (test/leaks/scan.ts).
  const leaks = scanForPasses(emu.issuedPasses(), leakRoots(), suiteStarted);
  expect(leaks.hits, describeHits(leaks.hits)).toEqual([]);
  await emu.close();
});
beforeEach(() => {
  emu.reset();
  passes.length = 0;
  seeded = new Set(tapsAt(emu).map((t) => t.id));
});
afterEach(async () => {
  if (!station) return;
  const s = station;
  station = null;
  for (const snap of s.snapshots) if (snap.screen === 'handover') passes.push(snap.pass);
  await stopStation(s);
  // Nothing left behind: no TAP at Microsoft, no pass in any file under the data folder.
  expect(newTaps()).toEqual([]);
  const disk = s.journal.everything();
  for (const pass of passes) expect(disk.includes(pass)).toBe(false);
  expect((await verify(s.journal.folder)).ok).toBe(true);
  await s.journal.close();
});

describe('enrollment flow', () => {
  it('happy path: find, check, issue, hand over once, sign in, register, clean up, ready again', async () => {
    station = await openStation(emu);
    const st = station;
    const handover = await st.toHandover(ADELE);
    expect(handover.pass).toMatch(/\S{8,}/);
    expect(handover.user.userPrincipalName).toBe(ADELE);
    expect(newTaps()).toHaveLength(1);
    expect(st.view.opened).toEqual([emu.urls.mySecurityInfo]);

    st.send({ type: 'handedOver' });
    // The person's panel keeps the pass while My Security Info asks for it.
    const waiting = await st.until('waiting-for-sign-in');
    expect(waiting).toMatchObject({ pass: handover.pass, passPromptPassed: false });

    const user = new DeskUser(emu, st.view, ADELE);
    await user.signIn(handover.pass);
    const registering = await st.until('registering');
    // Signed in: the pass is gone from every snapshot since.
    expect(JSON.stringify(registering)).not.toContain(handover.pass);
    expect(registering.countdowns[0]?.kind).toBe('registration-window');
    expect(registering.countdowns[0]!.endsAt - st.time.now()).toBeLessThanOrEqual(10 * 60_000);
    // The guide panel follows the page the person is on, one step at a time.
    expect(registering.guide).toBe('add-key');
    st.view.navigate(`${emu.urls.mySecurityInfo}/security-info/webauthn`, 'webauthn');
    await st.waitFor((s) => s.screen === 'registering' && s.guide === 'touch-key');
    st.view.navigate(`${emu.urls.mySecurityInfo}/security-info/name`, 'name-key');
    await st.waitFor((s) => s.screen === 'registering' && s.guide === 'name-key');

    const methodId = user.registerKey();
    const done = await st.until('done');
    expect(done.registered).toMatchObject({ methodId, stationKey: true, model: 'YubiKey 5 Series with NFC', displayName: 'Security key' });
    expect(done.cleanup).toEqual({ tap: 'deleted', viewWiped: true });
    expect(newTaps()).toEqual([]);
    expect(st.view.wipes).toBe(1);
    // No snapshot after the sign-in carried the pass.
    const after = st.snapshots.slice(st.snapshots.findIndex((s) => s.screen === 'registering'));
    expect(after.some((s) => JSON.stringify(s).includes(handover.pass))).toBe(false);

    await st.time.advance(5_000);
    await st.until('ready');

    const types = st.journal.events().map((e) => e.type);
    expect(types).toEqual([
      'operator.signed-in',
      'lookup',
      'identity.checked',
      'preflight',
      'key.detected',
      'tap.intent',
      'tap.issued',
      'signin.observed',
      'key.registered',
      'tap.deleted',
      'session.wiped',
    ]);
  });

  it('the pass leaves the hand-over screen after 60 s without a confirmation; the person’s panel keeps it until hidden', async () => {
    station = await openStation(emu);
    const { pass } = await station.toHandover(ADELE);
    await station.time.advance(60_000);
    const s = await station.until('waiting-for-sign-in');
    expect(s.countdowns[0]?.kind).toBe('tap-lifetime');
    expect(s.pass).toBe(pass);
    station.send({ type: 'hidePass' });
    await station.waitFor((x) => x.screen === 'waiting-for-sign-in' && x.pass === null);
    expect(JSON.stringify(station.snapshots.at(-1))).not.toContain(pass);
    station.send({ type: 'cancel' });
    await station.until('cancelled');
  });

  it('lost key: lists the keys with models, deletes the one picked after confirmation, revokes sessions, then the normal flow', async () => {
    station = await openStation(emu);
    const st = station;
    await st.toPreflight(LEE);
    st.send({ type: 'lostKey' });
    const choosing = await waitStep(st, 'choosing');
    expect(choosing.keys).toHaveLength(1);
    const keyId = choosing.keys[0]!.id;
    expect(choosing.keys[0]!.model).toBeTruthy();
    st.send({ type: 'deleteKeys', ids: [keyId] });
    await waitStep(st, 'confirming');
    // Nothing is deleted before the confirmation.
    expect(emu.ctx.state.fido2.has(keyId)).toBe(true);
    st.send({ type: 'confirmDeleteKeys' });
    const after = await waitStep(st, 'choosing', (s) => s.deleted.length === 1);
    expect(after.keys).toEqual([]);
    expect(emu.ctx.state.fido2.has(keyId)).toBe(false);
    st.send({ type: 'revokeSessions' });
    await waitStep(st, 'choosing', (s) => s.sessionsRevoked);
    st.send({ type: 'continueEnrollment' });
    const pre = await st.until('preflight');
    expect(pre.user.securityKeys).toEqual([]);
    // Both changes at Microsoft are in the journal, with the key's model and the operator who chose them.
    const removed = st.journal.events().filter((e) => e.type === 'key.removed' || e.type === 'sessions.revoked');
    expect(removed).toMatchObject([
      { type: 'key.removed', methodId: keyId, aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a', model: choosing.keys[0]!.model, user: { upn: LEE } },
      { type: 'sessions.revoked', user: { upn: LEE } },
    ]);
    st.send({ type: 'cancel' });
    await st.until('cancelled');
  });

  it('existing TAP: replaced only after the operator confirms', async () => {
    station = await openStation(emu);
    const st = station;
    const johanna = upn('johanna.lorenz');
    const before = tapsAt(emu).find((t) => t.userId === '00000000-0000-4000-8000-000000000016');
    expect(before).toBeDefined();
    await st.toPreflight(johanna);
    st.send({ type: 'issue' });
    await st.until('confirm-replace');
    expect(tapsAt(emu).find((t) => t.userId === '00000000-0000-4000-8000-000000000016')?.id).toBe(before!.id);
    st.send({ type: 'confirmReplace' });
    await st.until('handover');
    const now = tapsAt(emu).find((t) => t.userId === '00000000-0000-4000-8000-000000000016');
    expect(now?.id).not.toBe(before!.id);
    st.send({ type: 'cancel' });
    await st.until('cancelled');
    expect(tapsAt(emu).find((t) => t.userId === '00000000-0000-4000-8000-000000000016')).toBeUndefined();
  });

  it.each([
    ['a disabled account', upn('diego.siciliani'), 'account-enabled'],
    ['an external guest', 'Chris Green', 'not-external-guest'],
    ['an external guest (no passkeys for guests)', 'Chris Green', 'not-guest'],
    ['an internal guest (no passkeys for guests)', upn('lynne.robbins'), 'not-guest'],
    ['the operator themself', upn('patti.fernandez'), 'not-operator-self'],
  ])('pre-flight refuses %s: no TAP is created, Issue does nothing', async (_name, who, code) => {
    station = await openStation(emu);
    const st = station;
    const p = await st.toPreflight(who);
    expect(p.verdict).toBe('refused');
    expect(p.checks.find((c) => c.code === code)?.status).toBe('fail');
    st.send({ type: 'issue' });
    expect(st.current().screen).toBe('preflight');
    expect(emu.requestLog().filter((r) => r.method === 'POST' && /temporaryAccessPassMethods/.test(r.path))).toEqual([]);
    expect(st.journal.events().find((e) => e.type === 'preflight')).toMatchObject({ verdict: 'refused', failedChecks: expect.arrayContaining([code]) });
    st.send({ type: 'cancel' });
    await st.until('cancelled');
  });

  it('pre-flight refuses without a key, and passes once the key is plugged in (no new Graph request)', async () => {
    station = await openStation(emu, { keys: keysNone });
    const st = station;
    const p = await st.toPreflight(ADELE);
    expect(p.checks.find((c) => c.code === 'key-ready')?.status).toBe('fail');
    const requests = emu.requestLog().length;
    const { keysOne } = await import('./support/fixtures');
    st.keys.set(keysOne());
    const again = st.current();
    expect(again.screen === 'preflight' && again.verdict).toBe('go');
    expect(emu.requestLog().length).toBe(requests);
    st.send({ type: 'cancel' });
    await st.until('cancelled');
  });

  it('an operator without a role gets a clear stop and no TAP', async () => {
    station = await openStation(emu, { operator: upn('nestor.wilke') });
    const st = station;
    const reached = await st.toPreflight(ADELE).catch((e: Error) => e);
    if (reached instanceof Error) {
      // Graph refuses the lookup or the card to an operator without a role: said on screen, nothing created.
      const s = st.current();
      expect(s.screen === 'failed' || s.screen === 'ready').toBe(true);
      if (s.screen === 'failed') expect(s.error.code).toBe('graph.forbidden');
    } else {
      expect(reached.checks.find((c) => c.code === 'operator-may-act')?.status).toBe('fail');
    }
    expect(tapsAt(emu).filter((t) => t.userId === ADELE_ID)).toEqual([]);
  });

  it('an Authentication Administrator cannot read the policies: the checks say so and never block', async () => {
    station = await openStation(emu, { operator: upn('alex.wilber') });
    const p = await station.toPreflight(upn('megan.bowen'));
    expect(p.checks.find((c) => c.code === 'tap-policy-enabled')).toMatchObject({ status: 'unknown' });
    expect(p.checks.find((c) => c.code === 'operator-may-act')).toMatchObject({ status: 'unknown' });
    expect(p.verdict).toBe('go');
    station.send({ type: 'issue' });
    const s = await station.until('handover', 'failed');
    expect(s.screen).toBe('handover');
    station.send({ type: 'cancel' });
    await station.until('cancelled');
    expect(newTaps()).toEqual([]);
  });

  it("an Authentication Administrator targeting a protected user: Graph's 403 is mapped to what it means, nothing left", async () => {
    station = await openStation(emu, { operator: upn('alex.wilber') });
    await station.toPreflight(ADELE);
    station.send({ type: 'issue' });
    const f = await station.until('failed');
    expect(f.error.code).toBe('tap.not-permitted-for-target');
    expect(f.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(f.cleanup.tap).toBe('none');
    const types = station.journal.events().map((e) => e.type);
    expect(types).toContain('tap.not-created');
    expect(types.at(-2)).toBe('failure');
    station.send({ type: 'dismiss' });
    await station.until('ready');
  });

  it('an operator whose role reads the policies but is refused (403) still gets "unknown", never a block', async () => {
    station = await openStation(emu, { operatorOverrides: { mayReadPolicies: true } });
    const p = await station.toPreflight(ADELE);
    expect(p.checks.find((c) => c.code === 'tap-policy-enabled')).toMatchObject({ status: 'unknown', params: { requestId: expect.any(String) } });
    expect(p.verdict).toBe('go');
    station.send({ type: 'cancel' });
    await station.until('cancelled');
  });

  it('a lifetime the policy does not allow: Graph refuses, the screen names the allowed range', async () => {
    station = await openStation(emu);
    const st = station;
    const p = await st.toPreflight(ADELE);
    // A Privileged Authentication Administrator cannot read the policy either: Graph's own bounds apply here.
    expect(p.lifetimeBounds).toEqual({ min: 10, max: 43_200 });
    st.send({ type: 'chooseLifetime', minutes: 120 });
    st.send({ type: 'issue' });
    const f = await st.until('failed');
    expect(f.error.code).toBe('tap.lifetime-refused');
    expect(f.error.params).toEqual({ range: { min: 10, max: 60 } });
    expect(newTaps()).toEqual([]);
  });

  it('Microsoft’s default policy, as an Authentication Administrator (policy unreadable): the refusal teaches the range and a 60-minute pass is issued', async () => {
    emu.reset('microsoft-defaults');
    station = await openStation(emu, { operator: upn('alex.wilber') });
    const st = station;
    const handover = await st.toHandover(upn('megan.bowen'));
    expect(handover.pass).toMatch(/^\S{8}$/);
    expect(handover.lifetimeMinutes).toBe(60);
    const posts = emu.requestLog().filter((r) => r.method === 'POST' && /temporaryAccessPassMethods$/.test(r.path));
    expect(posts.map((r) => r.status)).toEqual([400, 201]);
    expect(st.journal.events().map((e) => e.type)).toEqual(expect.arrayContaining(['tap.intent', 'tap.not-created', 'tap.issued']));
    expect(newTaps()).toHaveLength(1);
    st.send({ type: 'cancel' });
    await st.until('cancelled');
    expect(newTaps()).toEqual([]);
  });

  it('a lifetime inside the bounds is the one requested', async () => {
    station = await openStation(emu);
    const st = station;
    await st.toPreflight(ADELE);
    st.send({ type: 'chooseLifetime', minutes: 30 });
    st.send({ type: 'issue' });
    const h = await st.until('handover');
    expect(h.lifetimeMinutes).toBe(30);
    st.send({ type: 'cancel' });
    await st.until('cancelled');
  });
});

describe('with the real key reader', () => {
  it('a YubiKey on the virtual HID bus: identified at pre-flight, matched at registration; unplugged, Issue waits', async () => {
    const bus = new VirtualBus({ hotplug: true });
    const watcher = new KeyWatcher(bus, { hotplugPollIntervalMs: 600_000, pollIntervalMs: 600_000 });
    await watcher.start();
    try {
      station = await openStation(emu, { keys: watcher.state() });
      const st = station;
      // The station's KeysPort is the watcher itself (wink aside): forward its changes.
      const off = watcher.on('change', (state) => st.keys.set(state));
      const port = bus.plugKey({ device: softKey(YUBIKEY_5_NFC.profile) });
      await st.waitFor((s) => s.key.model === YUBIKEY_5_NFC.model);
      const p = await st.toPreflight(ADELE);
      expect(p.checks.find((c) => c.code === 'key-ready')).toMatchObject({ status: 'pass', params: { model: YUBIKEY_5_NFC.model } });
      const aaguid = st.current().key.aaguid;
      expect(aaguid).toMatch(/^[0-9a-f-]{36}$/);

      port.unplug();
      const refused = await st.waitFor((s) => s.screen === 'preflight' && s.verdict === 'refused');
      expect(refused.key.presence).toBe('none');
      bus.plugKey({ device: softKey(YUBIKEY_5_NFC.profile) });
      await st.waitFor((s) => s.screen === 'preflight' && s.verdict === 'go');

      st.send({ type: 'issue' });
      const h = await st.until('handover');
      st.send({ type: 'handedOver' });
      const user = new DeskUser(emu, st.view, ADELE);
      await user.signIn(h.pass);
      await st.until('registering');
      user.registerKey(aaguid!, YUBIKEY_5_NFC.model);
      const done = await st.until('done');
      expect(done.registered).toMatchObject({ stationKey: true, aaguid });
      expect(st.journal.events().find((e) => e.type === 'key.detected')).toMatchObject({ aaguid, model: YUBIKEY_5_NFC.model });
      off();
    } finally {
      await watcher.stop();
    }
  });
});

type LostKey = Extract<ReturnType<Station['current']>, { screen: 'lost-key' }>;
async function waitStep(st: Station, step: LostKey['step'], extra: (s: LostKey) => boolean = () => true): Promise<LostKey> {
  return (await st.waitFor((s) => s.screen === 'lost-key' && s.step === step && extra(s))) as LostKey;
}
