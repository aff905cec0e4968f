// The whole enrollment against the emulator: real session, gateway, journal, issuer, deletion queue and
// completion watch; the person at the desk played over HTTP; time moved by hand.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verify } from '../../main/audit';
import { useEmulator } from '../support/emulator';
import { upn } from '../directory/support';
import { KeyWatcher } from '../../main/keys/watcher';
import { VirtualBus } from '../authenticator/virtual-bus';
import { softKey, YUBIKEY_5_NFC } from '../keys/key-helpers';
import { keysNone } from './support/fixtures';
import { DeskUser, MSI_SECURITY_INFO, openStation, stopStation, tapsAt, type Station } from './support/station';
import { advanceUntil } from './support/manual-time';
import type { SessionSnapshot } from '../../common/session';

const ADELE = upn('adele.vance');
const ADELE_ID = '00000000-0000-4000-8000-000000000011';
const LEE = upn('lee.gu');

// The short one-time "kiosk" TAP policy preset: these tests are about 10-minute one-time passes.
const env = useEmulator({ tapPolicy: 'kiosk', leakScan: true });
let station: Station | null = null;
const passes: string[] = [];
const newTaps = env.newTaps;

beforeEach(() => {
  passes.length = 0;
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
  it('My Security Info opens in the language the kiosk shows: switched to German, the view is asked for German', async () => {
    station = await openStation(env.emu);
    const st = station;
    st.send({ type: 'setLanguage', language: 'de' });
    expect(() => st.send({ type: 'setLanguage', language: 'fr' })).toThrow(/not a command/);
    await st.toHandover(ADELE);
    expect(st.view.languages).toEqual(['de']);
  });

  it('happy path: find, check, issue, hand over once, sign in, register, clean up, ready again', async () => {
    station = await openStation(env.emu);
    const st = station;
    const handover = await st.toHandover(ADELE);
    expect(handover.pass).toMatch(/\S{8,}/);
    expect(handover.user.userPrincipalName).toBe(ADELE);
    expect(newTaps()).toHaveLength(1);
    expect(st.view.opened).toEqual([env.emu.urls.mySecurityInfo]);
    expect(st.view.languages).toEqual(['en']); // the station's configured language

    st.send({ type: 'handedOver' });
    // The person's panel keeps the pass while My Security Info asks for it.
    const waiting = await st.until('waiting-for-sign-in');
    expect(waiting).toMatchObject({ pass: handover.pass, passPromptPassed: false });

    const user = new DeskUser(env.emu, st.view, ADELE);
    await user.signIn(handover.pass);
    const registering = await st.until('registering');
    // Signed in: the pass is gone from every snapshot since.
    expect(JSON.stringify(registering)).not.toContain(handover.pass);
    expect(registering.countdowns[0]?.kind).toBe('registration-window');
    expect(registering.countdowns[0]!.endsAt - st.time.now()).toBeLessThanOrEqual(10 * 60_000);
    // The guide panel follows the page the person is on, one step at a time.
    expect(registering.guide).toBe('add-key');
    st.view.navigate(`https://login.microsoft.com/${env.emu.tenantId}/fido/create`);
    await st.waitFor((s) => s.screen === 'registering' && s.guide === 'touch-key');
    st.view.navigate(`${MSI_SECURITY_INFO}/add/security-key/name`);
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
    station = await openStation(env.emu);
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

  it('the user name (never the pass) goes into My Security Info only while it shows its sign-in page', async () => {
    station = await openStation(env.emu);
    const st = station;
    const { pass } = await st.toHandover(ADELE);
    st.send({ type: 'handedOver' });
    const waiting = await st.until('waiting-for-sign-in');
    // My Security Info has not reached the sign-in page yet: nothing to fill, and nothing is typed.
    expect(waiting.signInPage).toBe(false);
    expect(() => st.send({ type: 'fillUserName' })).toThrow(/not asking for a user name/);
    // The renderer cannot choose what is typed.
    expect(() => st.send({ type: 'fillUserName', text: pass })).toThrow(/not a command/);
    st.view.navigate(`https://login.microsoftonline.com/${env.emu.tenantId}/oauth2/authorize`);
    await st.waitFor((s) => s.screen === 'waiting-for-sign-in' && s.signInPage);
    st.send({ type: 'fillUserName' });
    await st.time.advance(0);
    expect(st.view.filled).toEqual([ADELE]);
    // Signed in: the offer is gone.
    const user = new DeskUser(env.emu, st.view, ADELE);
    await user.signIn(pass);
    await st.until('registering');
    expect(() => st.send({ type: 'fillUserName' })).toThrow(/not asking for a user name/);
    expect(st.view.filled).toEqual([ADELE]);
    st.send({ type: 'cancel' });
    await st.until('cancelled');
  });

  it('lost key: lists the keys with models, deletes the one picked after confirmation, revokes sessions, then the normal flow', async () => {
    station = await openStation(env.emu);
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
    expect(env.emu.ctx.state.fido2.has(keyId)).toBe(true);
    st.send({ type: 'confirmDeleteKeys' });
    const after = await waitStep(st, 'choosing', (s) => s.deleted.length === 1);
    expect(after.keys).toEqual([]);
    expect(env.emu.ctx.state.fido2.has(keyId)).toBe(false);
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
    station = await openStation(env.emu);
    const st = station;
    const johanna = upn('johanna.lorenz');
    const before = tapsAt(env.emu).find((t) => t.userId === '00000000-0000-4000-8000-000000000016');
    expect(before).toBeDefined();
    await st.toPreflight(johanna);
    st.send({ type: 'issue' });
    await st.until('confirm-replace');
    expect(tapsAt(env.emu).find((t) => t.userId === '00000000-0000-4000-8000-000000000016')?.id).toBe(before!.id);
    st.send({ type: 'confirmReplace' });
    await st.until('handover');
    const now = tapsAt(env.emu).find((t) => t.userId === '00000000-0000-4000-8000-000000000016');
    expect(now?.id).not.toBe(before!.id);
    st.send({ type: 'cancel' });
    await st.until('cancelled');
    expect(tapsAt(env.emu).find((t) => t.userId === '00000000-0000-4000-8000-000000000016')).toBeUndefined();
  });

  it.each([
    ['a disabled account', upn('diego.siciliani'), 'account-enabled'],
    ['an external guest', 'Chris Green', 'not-external-guest'],
    ['an external guest (no passkeys for guests)', 'Chris Green', 'not-guest'],
    ['an internal guest (no passkeys for guests)', upn('lynne.robbins'), 'not-guest'],
    ['the operator themself', upn('patti.fernandez'), 'not-operator-self'],
  ])('pre-flight refuses %s: no TAP is created, Issue does nothing', async (_name, who, code) => {
    station = await openStation(env.emu);
    const st = station;
    const p = await st.toPreflight(who);
    expect(p.verdict).toBe('refused');
    expect(p.checks.find((c) => c.code === code)?.status).toBe('fail');
    st.send({ type: 'issue' });
    expect(st.current().screen).toBe('preflight');
    expect(env.emu.requestLog().filter((r) => r.method === 'POST' && /temporaryAccessPassMethods/.test(r.path))).toEqual([]);
    expect(st.journal.events().find((e) => e.type === 'preflight')).toMatchObject({ verdict: 'refused', failedChecks: expect.arrayContaining([code]) });
    st.send({ type: 'cancel' });
    await st.until('cancelled');
  });

  it('pre-flight refuses without a key, and passes once the key is plugged in (no new Graph request)', async () => {
    station = await openStation(env.emu, { keys: keysNone });
    const st = station;
    const p = await st.toPreflight(ADELE);
    expect(p.checks.find((c) => c.code === 'key-ready')?.status).toBe('fail');
    const requests = env.emu.requestLog().length;
    const { keysOne } = await import('./support/fixtures');
    st.keys.set(keysOne());
    const again = st.current();
    expect(again.screen === 'preflight' && again.verdict).toBe('go');
    expect(env.emu.requestLog().length).toBe(requests);
    st.send({ type: 'cancel' });
    await st.until('cancelled');
  });

  it('an operator without a role gets a clear stop and no TAP', async () => {
    station = await openStation(env.emu, { operator: upn('nestor.wilke') });
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
    expect(tapsAt(env.emu).filter((t) => t.userId === ADELE_ID)).toEqual([]);
  });

  it('an Authentication Administrator cannot read the policies: the checks say so and never block', async () => {
    station = await openStation(env.emu, { operator: upn('alex.wilber') });
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
    station = await openStation(env.emu, { operator: upn('alex.wilber') });
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
    station = await openStation(env.emu, { operatorOverrides: { mayReadPolicies: true } });
    const p = await station.toPreflight(ADELE);
    expect(p.checks.find((c) => c.code === 'tap-policy-enabled')).toMatchObject({ status: 'unknown', params: { requestId: expect.any(String) } });
    expect(p.verdict).toBe('go');
    station.send({ type: 'cancel' });
    await station.until('cancelled');
  });

  it('a lifetime the policy does not allow: Graph refuses, the screen names the allowed range', async () => {
    station = await openStation(env.emu);
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
    env.emu.reset('microsoft-defaults');
    station = await openStation(env.emu, { operator: upn('alex.wilber') });
    const st = station;
    const handover = await st.toHandover(upn('megan.bowen'));
    expect(handover.pass).toMatch(/^\S{8}$/);
    expect(handover.lifetimeMinutes).toBe(60);
    // The operator is told, on the hand-over screen, why the pass lives an hour (renderer: test/renderer/handover.test.ts).
    expect(handover.notices).toEqual([{ code: 'tap.lifetime-adjusted-to-policy', params: { requested: 10, issued: 60, min: 60, max: 480 } }]);
    const posts = env.emu.requestLog().filter((r) => r.method === 'POST' && /temporaryAccessPassMethods$/.test(r.path));
    expect(posts.map((r) => r.status)).toEqual([400, 201]);
    expect(st.journal.events().map((e) => e.type)).toEqual(expect.arrayContaining(['tap.intent', 'tap.not-created', 'tap.issued']));
    expect(newTaps()).toHaveLength(1);
    st.send({ type: 'cancel' });
    await st.until('cancelled');
    expect(newTaps()).toEqual([]);
  });

  it('a lifetime inside the bounds is the one requested', async () => {
    station = await openStation(env.emu);
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
      station = await openStation(env.emu, { keys: watcher.state() });
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
      const user = new DeskUser(env.emu, st.view, ADELE);
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

describe('an account created minutes ago (issue 10, 3o)', () => {
  const makeNew = (userId: string) => {
    env.emu.ctx.state.users.get(userId)!.createdDateTime = new Date(env.emu.ctx.clock.nowMs() - 20_000).toISOString();
    env.emu.ctx.state.newAccountMethodDelayMs = 10 * 60_000;
  };

  it('the station says so, counts down to the next try, and issues the pass once Microsoft knows the account', async () => {
    makeNew(ADELE_ID);
    station = await openStation(env.emu);
    const st = station;
    await st.toPreflight(ADELE);
    st.send({ type: 'issue' });
    const waiting = (await st.waitFor((s) => s.screen === 'issuing' && s.waiting !== null)) as Extract<SessionSnapshot, { screen: 'issuing' }>;
    expect(waiting.waiting?.code).toBe('tap.account-too-new');
    expect(waiting.waiting?.countdowns).toEqual([
      { kind: 'next-attempt', endsAt: st.time.now() + 10_000 },
      { kind: 'retry-ends', endsAt: st.time.now() + 3 * 60_000 },
    ]);
    expect(newTaps()).toEqual([]);
    env.emu.ctx.state.newAccountMethodDelayMs = 0; // Microsoft's replication caught up
    await st.time.advance(10_000);
    const handover = await st.until('handover');
    expect(handover.pass).toBeTruthy();
    expect(newTaps()).toHaveLength(1);
    st.send({ type: 'cancel' });
    await st.until('cancelled');
    expect(newTaps()).toEqual([]);
  });

  it('cancel during the wait ends it at once; after three minutes the station gives up with its own reason, nothing issued', async () => {
    makeNew(ADELE_ID);
    station = await openStation(env.emu);
    const st = station;
    await st.toPreflight(ADELE);
    st.send({ type: 'issue' });
    await st.waitFor((s) => s.screen === 'issuing' && s.waiting !== null);
    st.send({ type: 'cancel' });
    await st.until('cancelled');
    const posts = () => env.emu.requestLog().filter((r) => r.method === 'POST' && /temporaryAccessPassMethods$/.test(r.path)).length;
    expect(posts()).toBe(1);
    await st.time.advance(60_000);
    expect(posts()).toBe(1);

    await st.time.advance(10_000); // "cancelled" → ready
    await st.toPreflight(ADELE);
    st.send({ type: 'issue' });
    await st.waitFor((s) => s.screen === 'issuing' && s.waiting !== null);
    await advanceUntil(st.time, () => st.current().screen === 'failed', { stepMs: 10_000, maxSteps: 30 });
    const failed = st.current() as Extract<SessionSnapshot, { screen: 'failed' }>;
    expect(failed.error.code).toBe('tap.account-too-new');
    expect(newTaps()).toEqual([]);
    expect(st.journal.events().filter((e) => e.type === 'tap.issued')).toEqual([]);
  });
});
