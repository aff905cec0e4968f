/**
 * "Set up the key here" on a Windows station without administrator rights, through the station: the real
 * EnrollmentSession and chart, the station's port choice (main/station/provision-dll-port.ts) with the key reader
 * saying Windows refused HID (`access-denied`), a stand-in for webauthn.dll (test/authenticator/fake-windows.ts)
 * in front of the software authenticator, the real gateway against the emulator, a real journal.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionSnapshot } from '../../common/session';
import { useEmulator } from '../support/emulator';
import { upn } from '../directory/support';
import { FakeWindowsWebAuthn, type DialogAnswer } from '../authenticator/fake-windows';
import { keysOne, keysUnavailable } from '../enrollment/support/fixtures';
import { openStation, stopStation, type Station } from '../enrollment/support/station';
import { chooseProvisionPort } from '../../main/station/provision-dll-port';
import type { ProvisionPort } from '../../main/enrollment/provision';
import type { IdentifyFailureCode } from '../../main/keys/identify';
import { Role } from '../emulator/model';

type Provisioning = Extract<SessionSnapshot, { screen: 'provisioning' }>;
const MEGAN = upn('megan.bowen');
const MEGAN_ID = '00000000-0000-4000-8000-000000000010';
const PIN = '73914628';

const env = useEmulator();
let station: Station | null = null;
let windows: FakeWindowsWebAuthn | null = null;
afterEach(async () => {
  if (station) {
    await stopStation(station);
    await station.journal.close();
  }
  await windows?.close();
  station = null;
  windows = null;
});

async function windowsDesk(o: { platform?: NodeJS.Platform; loads?: boolean; dialog?: () => DialogAnswer; operator?: string; mayReadPolicies?: boolean } = {}) {
  windows = await FakeWindowsWebAuthn.open({}, { dialog: o.dialog ?? (() => ({ pin: PIN })) });
  station = await openStation(env.emu, {
    operator: o.operator ?? upn('alex.wilber'),
    keys: keysUnavailable,
    windows: { platform: o.platform ?? 'win32', authenticator: o.loads === false ? null : windows },
    ...(o.mayReadPolicies ? { operatorOverrides: { mayReadPolicies: true } } : {}),
  });
  return station;
}

const provisionOption = async (st: Station) => (await st.toPreflight(MEGAN, MEGAN_ID)).modes?.options.find((o) => o.mode === 'provision');
const passkeys = () => env.emu.ctx.state.fido2Of(MEGAN_ID);
const provisioning = (st: Station) => st.snapshots.filter((s): s is Provisioning => s.screen === 'provisioning');

describe('"Set up the key here" through Windows’ dialog (win32, HID access denied)', () => {
  it('offered on the mode choice; no PIN pad, Windows asks twice, registered and proven without any submitPin', async () => {
    const st = await windowsDesk();
    const send = vi.spyOn(st.session, 'send');
    expect(await provisionOption(st)).toEqual({ mode: 'provision', available: true, reason: null });
    st.send({ type: 'chooseMode', mode: 'provision' });
    const done = await st.until('done', 'failed');
    expect(done.screen).toBe('done');
    // The model from the AAGUID Windows' attestation carried (the station read nothing from the key itself).
    expect(done).toMatchObject({ proven: true, cleanup: { tap: 'none' }, registered: { stationKey: true, model: 'TOKEN2 FIDO2 Security Key' } });
    expect(send.mock.calls.map(([c]) => (c as { type: string }).type)).not.toContain('submitPin');
    expect(windows!.dialogs).toEqual(['create', 'get']);
    const seen = provisioning(st);
    expect(seen.every((s) => s.pinPad === null)).toBe(true);
    expect(seen.map((s) => s.phase)).toEqual(expect.arrayContaining(['reading-key', 'windows-dialog', 'registering', 'windows-proof']));
    expect(seen.map((s) => s.phase)).not.toContain('set-pin');
    expect(seen.filter((s) => s.phase !== 'reading-key').every((s) => s.pinBy === 'windows')).toBe(true);
    expect(passkeys()).toHaveLength(1);
    expect(env.newTaps()).toEqual([]);
    expect(st.journal.events()).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'key.provisioned', proven: true })]));
  });

  it('the person cancels Windows’ dialog: stopped with the code, nothing registered; Check again opens the dialog anew', async () => {
    let answer: DialogAnswer = 'cancel';
    const st = await windowsDesk({ dialog: () => answer });
    await provisionOption(st);
    st.send({ type: 'chooseMode', mode: 'provision' });
    const failed = (await st.waitFor((s) => s.screen === 'provisioning' && s.phase === 'failed')) as Provisioning;
    expect(failed).toMatchObject({ pinPad: null, pinBy: 'windows', error: { code: 'key.dialog-cancelled' } });
    expect(passkeys()).toEqual([]);
    answer = { pin: PIN };
    st.send({ type: 'recheck' });
    expect(await st.until('done', 'failed')).toMatchObject({ screen: 'done', proven: true });
    expect(passkeys()).toHaveLength(1);
  });

  it('a key model the policy blocks: refused after Windows made it, nothing registered, the screen knows it was Windows', async () => {
    // Alex (Authentication Administrator) may also read the passkey policy here (as with Global Reader in a tenant).
    env.emu.ctx.state.findUser(upn('alex.wilber'))!.roles.push(Role.AuthenticationPolicyAdministrator);
    const st = await windowsDesk({ mayReadPolicies: true });
    const aaguid = windows!.key.core.profile.aaguid!;
    env.emu.ctx.state.fido2Policy.keyRestrictions = { isEnforced: true, enforcementType: 'block', aaGuids: [aaguid] };
    await provisionOption(st);
    st.send({ type: 'chooseMode', mode: 'provision' });
    const failed = (await st.waitFor((s) => s.screen === 'provisioning' && s.phase === 'failed')) as Provisioning;
    expect(failed).toMatchObject({ pinBy: 'windows', error: { code: 'policy.aaguid-blocked', params: { aaguid } } });
    expect(windows!.dialogs).toEqual(['create']);
    expect(passkeys()).toEqual([]);
  });

  it('webauthn.dll does not load: the mode choice still says the key is unreadable', async () => {
    const st = await windowsDesk({ loads: false });
    expect(await provisionOption(st)).toEqual({ mode: 'provision', available: false, reason: 'mode.key-unreadable' });
  });

  it('not Windows (the same refusal on Linux: udev rules): unreadable, and the DLL path is never tried', async () => {
    const st = await windowsDesk({ platform: 'linux' });
    expect(await provisionOption(st)).toEqual({ mode: 'provision', available: false, reason: 'mode.key-unreadable' });
    expect(windows!.dialogs).toEqual([]);
  });
});

describe('the station’s choice of port per key', () => {
  const port = (name: string): ProvisionPort & { calls: string[] } => {
    const calls: string[] = [];
    return {
      calls,
      readKey: async (keyId) => {
        calls.push(`${name}:${keyId}`);
        return { ok: false, error: { code: 'key.unplugged', params: {} } };
      },
      provision: async () => ({ ok: false, error: { code: 'key.unplugged', params: {} } }),
    };
  };
  const choice = (platform: NodeJS.Platform, failure: IdentifyFailureCode | null, loads = true) => {
    const hid = port('hid');
    const dll = port('dll');
    const load = vi.fn(() => (loads ? dll : null));
    const chosen = chooseProvisionPort({ platform, hid, dll: load, hidFailureOf: () => failure });
    return { chosen, hid, dll, load };
  };

  it.each([
    ['win32', 'access-denied', 'dll'],
    ['win32', null, 'hid'],
    ['win32', 'timeout', 'hid'],
    ['linux', 'access-denied', 'hid'],
    ['darwin', 'access-denied', 'hid'],
  ] as const)('%s with HID %s → %s', async (platform, failure, expected) => {
    const { chosen, hid, dll } = choice(platform, failure);
    await chosen.readKey('key-1');
    expect([...hid.calls, ...dll.calls]).toEqual([`${expected}:key-1`]);
  });

  it('loads the DLL once, on win32 only; says whether Windows’ dialog is there for the mode choice', () => {
    const win = choice('win32', 'access-denied');
    expect(win.chosen.windowsDialog).toBe(true);
    expect(win.chosen.windowsDialog).toBe(true);
    expect(win.load).toHaveBeenCalledTimes(1);
    const linux = choice('linux', 'access-denied');
    expect(linux.chosen.windowsDialog).toBe(false);
    expect(linux.load).not.toHaveBeenCalled();
    expect(choice('win32', 'access-denied', false).chosen.windowsDialog).toBe(false);
  });

  it('the key reader’s state at pre-flight: an identified key on win32 still goes over HID', async () => {
    const { chosen, hid } = choice('win32', null);
    expect(keysOne().keys[0]!.identity.status).toBe('identified');
    await chosen.provision({
      enrollmentId: 'e',
      operator: { id: 'o', upn: 'o' },
      user: { id: 'u', upn: 'u' },
      keyId: 'key-1',
      pin: new Uint8Array(0),
      policy: null,
      onStep: () => undefined,
    });
    await chosen.readKey('key-1');
    expect(hid.calls).toEqual(['hid:key-1']);
  });
});
