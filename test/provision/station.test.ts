/**
 * "Set up the key here" through the station: the real EnrollmentSession (chart, snapshots, commands as the renderer
 * sends them), the station's ProvisionPort (main/station/provision-port.ts) over the software authenticator at the
 * desk (test/authenticator/, over the real CTAPHID transport), the real gateway against the emulator, a real
 * journal. Each case asserts what the person and the operator see (screen, phase, codes) and what Graph holds.
 */
import { randomInt } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionSnapshot } from '../../common/session';
import { useEmulator } from '../support/emulator';
import { upn } from '../directory/support';
import { Fido2Core, type Fido2CoreOptions } from '../authenticator/fido2-core';
import { SoftAuthenticator } from '../authenticator/soft-authenticator';
import { fido2Info, identified, keysOne } from '../enrollment/support/fixtures';
import { openStation, stopStation, type Station } from '../enrollment/support/station';
import { describeHits, leakRoots, scanForPasses } from '../leaks/scan';
import { BOTH_MODES, modeChoice, type ModeConfig } from '../../main/enrollment/modes';
import type { PreflightCheck } from '../../common/codes';
import type { KeyStatus } from '../../common/session';

type Provisioning = Extract<SessionSnapshot, { screen: 'provisioning' }>;

const MEGAN = upn('megan.bowen');
const MEGAN_ID = '00000000-0000-4000-8000-000000000010';
// Eight random digits, made at run time: long enough that nothing written meanwhile matches one by chance, and in
// no source file (Vite's transform cache of a test that used the same literal would be a false hit of the scan).
const PIN = randomPin();
const OTHER = randomPin(PIN);
const pinsUsed = new Set<string>();

/** Eight digits that the PIN rules accept (not all the same, not a run up or down), other than `not`. */
function randomPin(not?: string): string {
  for (;;) {
    const d = Array.from({ length: 8 }, () => randomInt(10));
    const steps = new Set(d.slice(1).map((x, i) => (x - d[i]! + 10) % 10));
    const pin = d.join('');
    if (steps.size > 1 && pin !== not) return pin;
  }
}
const suiteStart = Date.now();
const allSnapshots: SessionSnapshot[] = [];

const env = useEmulator();
let station: Station | null = null;
afterEach(async () => {
  if (!station) return;
  allSnapshots.push(...station.snapshots);
  await stopStation(station);
  await station.journal.close();
  station = null;
});

/** A software key at the desk: a fresh HID handle per open, on one persistent key state. */
class DeskKey {
  readonly core: Fido2Core;
  device: SoftAuthenticator | null = null;
  constructor(options: Fido2CoreOptions) {
    this.core = new Fido2Core(options);
  }
  async open() {
    this.device = new SoftAuthenticator({ core: this.core, capabilities: this.core.profile.capabilities });
    return this.device;
  }
  /** The key reader's view of it (model, AAGUID, PIN set or not). */
  readerState(hasPin: boolean) {
    const aaguid = this.core.profile.aaguid ?? '';
    return keysOne(identified(fido2Info({ rk: true, up: true, clientPin: hasPin }, aaguid), 'TOKEN2 FIDO2 Security Key'));
  }
}

async function deskWith(options: Fido2CoreOptions, extra: { modes?: ModeConfig; mayReadPolicies?: boolean } = {}) {
  const key = new DeskKey(options);
  station = await openStation(env.emu, {
    operator: upn('alex.wilber'),
    keys: key.readerState(options.pin !== undefined),
    deskKey: key,
    ...(extra.modes ? { modes: extra.modes } : {}),
    ...(extra.mayReadPolicies ? { operatorOverrides: { mayReadPolicies: true } } : {}),
  });
  return { key, st: station };
}

const phase = (st: Station, ...phases: Provisioning['phase'][]) =>
  st.waitFor((s) => s.screen !== 'provisioning' || phases.includes(s.phase)) as Promise<SessionSnapshot>;

async function toPinPad(st: Station): Promise<Provisioning> {
  const p = await st.toPreflight(MEGAN, MEGAN_ID);
  expect(p.modes?.options.find((o) => o.mode === 'provision')).toEqual({ mode: 'provision', available: true, reason: null });
  st.send({ type: 'chooseMode', mode: 'provision' });
  const s = await phase(st, 'set-pin', 'enter-pin', 'failed');
  if (s.screen !== 'provisioning') throw new Error(`left provisioning: ${s.screen}`);
  return s;
}

function submit(st: Station, pin: string, confirm?: string) {
  pinsUsed.add(pin);
  st.send({ type: 'submitPin', pin, ...(confirm === undefined ? {} : { confirm }) });
}

const passkeys = () => env.emu.ctx.state.fido2Of(MEGAN_ID);

describe('"Set up the key here" at the station', () => {
  it('a new key: the person sets the PIN twice, touches the key (live), the passkey is registered and proven', async () => {
    const { key, st } = await deskWith({ touch: 'wait', touchTimeoutMs: 5_000 });
    const pad = await toPinPad(st);
    expect(pad).toMatchObject({ phase: 'set-pin', pinPad: { isNew: true, minLength: 4, maxLength: 63, retries: null }, error: null });
    submit(st, PIN, PIN);
    // "Touch your key" appears while the key waits (keepalive UPNEEDED), before anything is registered.
    await phase(st, 'touch-key');
    expect(passkeys()).toEqual([]);
    key.device!.touch();
    const done = await st.until('done', 'failed');
    expect(done).toMatchObject({
      screen: 'done',
      proven: true,
      cleanup: { tap: 'none' },
      registered: { stationKey: true, model: 'TOKEN2 FIDO2 Security Key' },
    });
    if (done.screen !== 'done') return;
    expect(done.registered.displayName).toMatch(/^TOKEN2 FIDO2 \d{4}-\d{2}-\d{2}$/);
    // At Microsoft: the one passkey, as the done screen names it; no TAP was ever made.
    expect(passkeys()).toEqual([expect.objectContaining({ id: done.registered.methodId, displayName: done.registered.displayName })]);
    expect(env.newTaps()).toEqual([]);
    const phases = st.snapshots.flatMap((s) => (s.screen === 'provisioning' ? [s.phase] : []));
    expect(phases).toEqual(expect.arrayContaining(['reading-key', 'set-pin', 'checking-pin', 'touch-key', 'registering', 'proving']));
    expect(st.journal.events().map((e) => e.type)).toContain('key.provisioned');
  });

  it('a key with a PIN: entered once with the tries left shown, one touch, registered', async () => {
    const { st } = await deskWith({ pin: PIN });
    const pad = await toPinPad(st);
    expect(pad).toMatchObject({ phase: 'enter-pin', pinPad: { isNew: false, retries: 8 } });
    submit(st, PIN);
    expect(await st.until('done', 'failed')).toMatchObject({ screen: 'done', proven: true });
    expect(passkeys()).toHaveLength(1);
  });

  it('wrong PIN once: the pad comes back with the tries left; then the right PIN registers', async () => {
    const { st } = await deskWith({ pin: PIN });
    await toPinPad(st);
    submit(st, OTHER);
    await st.waitFor((s) => s.screen === 'provisioning' && s.phase === 'checking-pin');
    const again = (await st.waitFor((s) => s.screen === 'provisioning' && s.phase === 'enter-pin' && s.error !== null)) as Provisioning;
    expect(again).toMatchObject({ error: { code: 'key.wrong-pin', params: { retries: 7 } }, pinPad: { retries: 7 } });
    expect(passkeys()).toEqual([]);
    submit(st, PIN);
    expect(await st.until('done', 'failed')).toMatchObject({ screen: 'done', proven: true });
    expect(passkeys()).toHaveLength(1);
  });

  it('PIN blocked by the last wrong try: the screen says reset, no pad; Check again says it still; nothing registered', async () => {
    const { key, st } = await deskWith({ pin: PIN });
    key.core.state.pinRetries = 1;
    await toPinPad(st);
    submit(st, OTHER);
    const failed = (await phase(st, 'failed')) as Provisioning;
    expect(failed).toMatchObject({ screen: 'provisioning', phase: 'failed', pinPad: null, error: { code: 'key.pin-blocked' } });
    expect(st.session.send({ type: 'submitPin', pin: PIN })).toMatchObject({ ok: false });
    st.send({ type: 'recheck' });
    await st.waitFor((s) => s.screen === 'provisioning' && s.phase === 'reading-key');
    expect(await phase(st, 'failed')).toMatchObject({ error: { code: 'key.pin-blocked' } });
    expect(passkeys()).toEqual([]);
    st.send({ type: 'cancel' });
    expect(await st.until('cancelled')).toMatchObject({ cleanup: { tap: 'none' } });
  });

  it('the key already holds the person’s passkey: credential excluded, Graph keeps the one it has', async () => {
    const { st } = await deskWith({ pin: PIN });
    await toPinPad(st);
    submit(st, PIN);
    await st.until('done');
    st.send({ type: 'dismiss' });
    await st.until('ready');
    await toPinPad(st);
    submit(st, PIN);
    expect(await phase(st, 'failed')).toMatchObject({ phase: 'failed', error: { code: 'key.already-registered' } });
    expect(passkeys()).toHaveLength(1);
  });

  it('no touch in time: the person is told and the pad comes back (the PIN set meanwhile is now entered)', async () => {
    const { st } = await deskWith({ touch: 'never', touchTimeoutMs: 200 });
    await toPinPad(st);
    submit(st, PIN, PIN);
    await phase(st, 'touch-key');
    const again = (await st.waitFor((s) => s.screen === 'provisioning' && s.error !== null && s.pinPad !== null)) as Provisioning;
    expect(again).toMatchObject({ phase: 'enter-pin', error: { code: 'key.no-touch' }, pinPad: { isNew: false } });
    expect(passkeys()).toEqual([]);
  });

  it('unplugged while the key waits for the touch: the stop says so; plugged back in, Check again brings the pad back', async () => {
    const { key, st } = await deskWith({ touch: 'wait', touchTimeoutMs: 5_000 });
    await toPinPad(st);
    submit(st, PIN, PIN);
    await phase(st, 'touch-key');
    key.device!.unplug();
    expect(await phase(st, 'failed')).toMatchObject({ phase: 'failed', error: { code: 'key.unplugged' } });
    expect(passkeys()).toEqual([]);
    key.core.powerCycle();
    st.send({ type: 'recheck' });
    // The PIN was set before the touch: now it is entered, once.
    expect(await phase(st, 'enter-pin', 'failed')).toMatchObject({ phase: 'enter-pin', pinPad: { isNew: false } });
  });

  it('lost key, then set up the replacement here: the old passkey removed, the new one registered and proven', async () => {
    const { st } = await deskWith({});
    const old = 'lost-key-method-1';
    env.emu.ctx.state.fido2.set(old, {
      id: old,
      userId: MEGAN_ID,
      displayName: 'Old key',
      createdDateTime: env.emu.ctx.clock.now(),
      aaGuid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8',
      model: 'YubiKey 5 Series with NFC',
      attestationLevel: 'attested',
      attestationCertificates: [],
      passkeyType: 'deviceBound',
      credentialId: 'b2xkLWtleQ',
    });
    await st.toPreflight(MEGAN, MEGAN_ID);
    st.send({ type: 'lostKey' });
    await st.waitFor((s) => s.screen === 'lost-key' && s.step === 'choosing');
    st.send({ type: 'deleteKeys', ids: [old] });
    await st.waitFor((s) => s.screen === 'lost-key' && s.step === 'confirming');
    st.send({ type: 'confirmDeleteKeys' });
    await st.waitFor((s) => s.screen === 'lost-key' && s.step === 'choosing' && s.deleted.includes(old));
    st.send({ type: 'continueEnrollment' });
    await st.until('preflight');
    st.send({ type: 'chooseMode', mode: 'provision' });
    await phase(st, 'set-pin');
    submit(st, PIN, PIN);
    expect(await st.until('done', 'failed')).toMatchObject({ screen: 'done', proven: true });
    expect(passkeys().map((k) => k.id)).not.toContain(old);
    expect(passkeys()).toHaveLength(1);
  });

  it('an AAGUID the policy blocks: Microsoft refuses the key (the role cannot read the policy), nothing is registered', async () => {
    const { key, st } = await deskWith({ pin: PIN });
    const aaguid = key.core.profile.aaguid ?? '';
    env.emu.ctx.state.fido2Policy.keyRestrictions = { isEnforced: true, enforcementType: 'block', aaGuids: [aaguid] };
    await toPinPad(st);
    submit(st, PIN);
    expect(await phase(st, 'failed')).toMatchObject({ phase: 'failed', pinPad: null, error: { code: 'graph.key-refused' } });
    expect(passkeys()).toEqual([]);
    expect(st.journal.events().filter((e) => e.type === 'failure')).toEqual([expect.objectContaining({ step: 'provision', code: 'graph.key-refused' })]);
  });

  it('the choice explains itself: a policy refusal, a key without a PIN, no key', () => {
    const key = {
      presence: 'one',
      keyId: 'k',
      model: 'm',
      vendor: null,
      aaguid: 'a',
      pin: 'set',
      verdict: 'will-be-refused',
      readiness: null,
      canWink: false,
    } as const;
    const blocked = { code: 'key-ready', status: 'fail', finding: 'key-ready.refused', params: { model: 'm', reason: 'aaguid-blocked' } } as const;
    const tapOff = { code: 'tap-policy-enabled', status: 'fail', finding: 'tap-policy-enabled.fail', params: {} } as const;
    const reasons = (checks: PreflightCheck[], k: KeyStatus = key) =>
      modeChoice({ checks, verdict: checks.some((c) => c.status === 'fail') ? 'refused' : 'go', key: k }, BOTH_MODES).options.map((o) => o.reason);
    expect(reasons([blocked])).toEqual(['mode.refused', 'mode.refused']);
    // No pass is issued at the desk: a TAP policy that is off does not stop it.
    expect(reasons([tapOff])).toEqual([null, 'mode.refused']);
    expect(reasons([], { ...key, pin: 'built-in-verification' })).toEqual(['mode.key-without-pin', null]);
    expect(reasons([], { ...key, presence: 'none', verdict: null })).toEqual(['mode.no-key', null]);
    // Windows without administrator rights: the reader sees the key but cannot open it.
    expect(reasons([], { ...key, pin: 'unknown', verdict: 'unknown' })).toEqual(['mode.key-unreadable', null]);
  });

  it('the configuration decides the default and can turn a mode off; a PIN is refused outside the pad', async () => {
    const { st } = await deskWith({ pin: PIN }, { modes: { default: 'provision', provision: true, securityInfo: false } });
    const p = await st.toPreflight(MEGAN, MEGAN_ID);
    expect(p.modes).toEqual({
      default: 'provision',
      options: [
        { mode: 'provision', available: true, reason: null },
        { mode: 'security-info', available: false, reason: 'mode.disabled' },
      ],
    });
    expect(st.session.send({ type: 'submitPin', pin: PIN })).toMatchObject({ ok: false });
    st.send({ type: 'issue' });
    st.send({ type: 'chooseMode', mode: 'security-info' });
    expect(st.current().screen).toBe('preflight');
    expect(env.newTaps()).toEqual([]);
    // Not digits, too short, too long: the contract refuses them before main sees them.
    for (const pin of ['12a4', '123', '1'.repeat(64)]) expect(st.session.send({ type: 'submitPin', pin })).toMatchObject({ ok: false });
  });
});

describe('the PINs', () => {
  it('appear in no snapshot sent and in no file written during this suite', () => {
    const real = [...pinsUsed];
    expect(real).toEqual(expect.arrayContaining([PIN, OTHER]));
    expect(allSnapshots.length).toBeGreaterThan(0);
    const sent = allSnapshots.map((s) => JSON.stringify(s)).join('\n');
    for (const pin of real) expect(sent.includes(pin), 'a PIN in a snapshot').toBe(false);
    const scan = scanForPasses(real, leakRoots(), suiteStart);
    expect(scan.files).toBeGreaterThan(0);
    const hits = scan.hits.filter((h) => !/\/bash_jobs\.[^/]+\//.test(h.file));
    expect(hits, describeHits(hits)).toEqual([]);
  });
});
