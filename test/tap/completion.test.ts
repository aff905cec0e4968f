import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchCompletion, type CompletionEvent, type CompletionWatch, type SignInObserved } from '../../main/tap/completion';
import type { KeysPort, SecurityInfoViewPort } from '../../main/enrollment/ports';
import type { KeyWatcherState, PresentKey } from '../../main/keys/watcher';
import type { TapRecord } from '../emulator/model';
import { useEmulator } from '../support/emulator';
import { issueTap as seedTap, MsiClient } from '../emulator/support/mysignins';
import { emulatorDirectory } from '../enrollment/support/directory';
import { tempJournal, type TempJournal } from '../enrollment/support/journal';
import { ManualTime } from '../enrollment/support/manual-time';

const megan = { id: '00000000-0000-4000-8000-000000000010', upn: 'megan.bowen@tapkioskdemo.onmicrosoft.com' };
const YUBIKEY = { aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8', model: 'YubiKey 5 Series' };
const OTHER = { aaguid: 'ee882879-721c-4913-9775-3dfcce97072a', model: 'YubiKey 5 NFC' };

const env = useEmulator();
let tj: TempJournal;
let time: ManualTime;
let tap: TapRecord;
let watch: CompletionWatch | undefined;
let events: CompletionEvent[];

beforeEach(async () => {
  tj = await tempJournal();
  time = new ManualTime();
  tap = seedTap(env.emu, megan.upn, { pass: 'Kiosk!Pass-42' });
  events = [];
  watch = undefined;
});
afterEach(async () => {
  watch?.stop();
  await tj.close();
});

/** The station's key reader, with one identified key plugged in. */
function stationKeys(aaguid: string | null, model = YUBIKEY.model): KeysPort {
  const keys: PresentKey[] = aaguid
    ? [
        {
          id: 'k1',
          path: '/dev/hidraw0',
          vendorId: 0x1050,
          productId: 0x0407,
          vidPid: '1050:0407',
          seenAt: 0,
          identity: { status: 'identified', key: { identity: { aaguid, model } } } as PresentKey['identity'],
        },
      ]
    : [];
  const state: KeyWatcherState = { reader: { status: 'ok' }, mode: 'hotplug', presence: keys.length ? 'one' : 'none', keys };
  return { state: () => state, onChange: () => () => undefined, wink: async () => false };
}

/**
 * A view the test navigates, like the kiosk's My Security Info view on Microsoft's host names: each emulator page
 * step stands for the URL the real flow is at then (test/emulator/README.md, "My Security Info's hops").
 */
function fakeView() {
  const listeners = new Set<(n: { url: string }) => void>();
  const view: Pick<SecurityInfoViewPort, 'onNavigation'> = {
    onNavigation: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const t = env.emu.tenantId;
  const urlOf: Record<string, string> = {
    'sign-in-username': `https://login.microsoftonline.com/${t}/oauth2/authorize`,
    'sign-in-tap': `https://login.microsoftonline.com/${t}/login`,
    'security-info': 'https://mysignins.microsoft.com/security-info',
    'add-method': 'https://mysignins.microsoft.com/security-info/add',
    'security-key-type': 'https://mysignins.microsoft.com/security-info/add/security-key',
    webauthn: `https://login.microsoft.com/${t}/fido/create`,
    'name-key': 'https://mysignins.microsoft.com/security-info/add/security-key/name',
    done: 'https://mysignins.microsoft.com/security-info/add/security-key/done',
  };
  const go = async (step: string | null, url = urlOf[step ?? ''] ?? '') => {
    for (const listener of [...listeners]) listener({ url });
    await watch?.whenIdle();
    await time.advance(0);
  };
  /** Sign-in with the pass on login.microsoftonline.com, back on Security info. */
  const signIn = async () => {
    await go('sign-in-tap');
    await go('security-info');
  };
  /** The ceremony on login.microsoft.com, back to My Security Info to name the key, then Next and Done. */
  const ceremony = async () => {
    await go('webauthn');
    await go('name-key');
    await go('done');
  };
  return { view, go, signIn, ceremony };
}

function start(options: { keys?: KeysPort; view?: Pick<SecurityInfoViewPort, 'onNavigation'>; stationAaguid?: string; signedIn?: SignInObserved } = {}) {
  watch = watchCompletion(
    {
      enrollmentId: randomUUID(),
      user: megan,
      tap: { id: tap.id, createdDateTime: tap.createdDateTime.toISOString() },
      ...(options.stationAaguid ? { stationAaguid: options.stationAaguid } : {}),
      ...(options.signedIn ? { signedIn: options.signedIn } : {}),
    },
    {
      directory: emulatorDirectory(env.emu),
      audit: tj.journal,
      clock: time,
      timers: time,
      keys: options.keys ?? stationKeys(YUBIKEY.aaguid),
      ...(options.view ? { view: options.view } : {}),
    },
    (event) => events.push(event),
  );
  return watch;
}

/** The user registers a key in My Security Info: Graph now lists it, created `afterMs` after the TAP. */
function registerKey(key: { aaguid: string; model: string }, afterMs = 60_000): string {
  const id = randomUUID();
  env.emu.ctx.state.fido2.set(id, {
    id,
    userId: megan.id,
    displayName: 'My key',
    createdDateTime: new Date(tap.createdDateTime.getTime() + afterMs),
    aaGuid: key.aaguid,
    model: key.model,
    attestationLevel: 'attested',
    attestationCertificates: [],
    passkeyType: 'deviceBound',
    credentialId: null,
  });
  return id;
}

const graphRequests = () => env.emu.requestLog().filter((r) => r.surface === 'graph');
const tapReads = () => graphRequests().filter((r) => r.method === 'GET' && /temporaryAccessPassMethods\//.test(r.path)).length;
const keyReads = () => graphRequests().filter((r) => /fido2Methods$/.test(r.path)).length;

describe('sign-in', () => {
  it('is seen when the TAP turns OneTimeUsed, and recorded', async () => {
    start();
    await time.advance(29_999);
    expect(tapReads()).toBe(0);
    await time.advance(1);
    expect(tapReads()).toBe(1);
    expect(events.filter((e) => e.type === 'signed-in')).toEqual([]);

    tap.usedDateTime = env.emu.ctx.clock.now();
    await time.advance(60_000);
    expect(tapReads()).toBe(2);
    expect(events.find((e) => e.type === 'signed-in')).toMatchObject({ signIn: { via: 'tap-used', at: time.now() } });
    expect(tj.events().map((e) => e.type)).toEqual(['signin.observed']);
    expect(tj.events()[0]).toMatchObject({ user: megan, via: 'tap-used' });
  });

  it('is seen after the user really signs in with the pass in My Security Info', async () => {
    watch = watchCompletion(
      { enrollmentId: randomUUID(), user: megan, tap: { id: tap.id, createdDateTime: tap.createdDateTime.toISOString() } },
      { directory: emulatorDirectory(env.emu), audit: tj.journal, clock: time, timers: time },
    );
    const signedIn = watch.signedIn;
    const page = await new MsiClient(env.emu.urls.mySecurityInfo).signIn(megan.upn, 'Kiosk!Pass-42');
    expect(page.error).toBeNull();
    expect(env.emu.ctx.state.taps.get(megan.id)?.usedDateTime).not.toBeNull();
    await time.advance(30_000);
    await expect(signedIn).resolves.toMatchObject({ via: 'tap-used' });
  });

  it('is seen from the view without asking Graph, and the first of the two signals wins', async () => {
    const { view, go } = fakeView();
    start({ view });
    await go('sign-in-username');
    await go('sign-in-tap');
    expect(events.some((e) => e.type === 'signed-in')).toBe(false);
    await go('security-info');
    expect(events.find((e) => e.type === 'signed-in')).toMatchObject({ signIn: { via: 'view-navigated' } });
    expect(graphRequests()).toHaveLength(0);
    tap.usedDateTime = env.emu.ctx.clock.now();
    await time.advance(10 * 60_000);
    expect(tapReads()).toBe(0); // the TAP is not polled any more once sign-in was seen
    expect(tj.events().filter((e) => e.type === 'signin.observed')).toHaveLength(1);
  });

  it('reads a sign-in from real Microsoft URLs: only a return to My Security Info after the sign-in host counts', async () => {
    const { view, go } = fakeView();
    start({ view });
    await go(null, 'https://mysignins.microsoft.com/security-info');
    expect(events.some((e) => e.type === 'signed-in')).toBe(false);
    await go(null, 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize?client_id=x');
    expect(events.some((e) => e.type === 'signed-in')).toBe(false);
    await go(null, 'https://mysignins.microsoft.com/security-info');
    expect(events.find((e) => e.type === 'signed-in')).toMatchObject({ signIn: { via: 'view-navigated' } });
  });

  it('reports a TAP that is gone before anyone signed in with it, and stops polling it', async () => {
    start();
    env.emu.ctx.state.taps.delete(megan.id);
    await time.advance(30_000);
    expect(events).toContainEqual({ type: 'tap-unusable', reason: 'deleted' });
    await time.advance(10 * 60_000);
    expect(tapReads()).toBe(1);
  });
});

describe('completion', () => {
  it('finds the new key and matches it to the key at this station', async () => {
    const { view, signIn, ceremony } = fakeView();
    start({ view });
    registerKey(OTHER, -60_000); // registered elsewhere before this enrollment: not the new one
    await signIn();
    const methodId = registerKey(YUBIKEY);
    await ceremony();
    const registered = events.find((e) => e.type === 'registered');
    expect(registered).toMatchObject({ type: 'registered', key: { methodId, aaguid: YUBIKEY.aaguid, model: YUBIKEY.model, stationKey: true } });
    expect(keyReads()).toBe(1);
    expect(tj.events().map((e) => e.type)).toEqual(['signin.observed', 'key.registered']);
    expect(tj.events()[1]).toMatchObject({ methodId, aaguid: YUBIKEY.aaguid, model: YUBIKEY.model, stationKey: true, user: megan });
    await time.advance(10 * 60_000);
    expect(graphRequests()).toHaveLength(1); // the watch ended
  });

  it('says when the registered key is not the one at this station', async () => {
    const { view, signIn, ceremony } = fakeView();
    start({ view, keys: stationKeys(YUBIKEY.aaguid) });
    await signIn();
    registerKey(OTHER);
    await ceremony();
    expect(events.find((e) => e.type === 'registered')).toMatchObject({ key: { aaguid: OTHER.aaguid, stationKey: false } });
    expect(tj.events()[1]).toMatchObject({ type: 'key.registered', stationKey: false });
  });

  it('remembers the key pre-flight saw even if it was unplugged before Graph showed the new one', async () => {
    const { view, signIn, ceremony } = fakeView();
    start({ view, keys: stationKeys(null), stationAaguid: YUBIKEY.aaguid });
    await signIn();
    registerKey(YUBIKEY);
    await ceremony();
    expect(events.find((e) => e.type === 'registered')).toMatchObject({ key: { stationKey: true } });
  });

  it('a view hop triggers the confirming read: none while the person is in the ceremony or naming the key, one when the naming page is left', async () => {
    const { view, signIn, go } = fakeView();
    start({ view });
    await signIn();
    await go('webauthn');
    await time.advance(119_999); // in the ceremony: the view will show the return
    await go('name-key');
    await time.advance(14_999); // naming the key
    expect(keyReads()).toBe(0);
    registerKey(YUBIKEY); // named: Next (Microsoft registers it), then Done
    await go('done');
    expect(keyReads()).toBe(1);
    expect(events.some((e) => e.type === 'registered')).toBe(true);
    await time.advance(10 * 60_000);
    expect(keyReads()).toBe(1);
  });

  it('a watch for the key after a sign-in seen in the view knows the view shows the hops: a quiet minute, not 30 s', async () => {
    const { view, go } = fakeView();
    start({ view, signedIn: { via: 'view-navigated', at: time.now() } });
    await time.advance(59_999);
    expect(keyReads()).toBe(0);
    await time.advance(1);
    expect(keyReads()).toBe(1);
    await go('webauthn');
    await go('name-key');
    registerKey(YUBIKEY);
    await go('done');
    expect(keyReads()).toBe(2);
    expect(tapReads()).toBe(0);
  });

  it('looks again 5 s after the confirming read when Graph does not show the key yet', async () => {
    const { view, signIn, ceremony } = fakeView();
    start({ view });
    await signIn();
    await ceremony();
    expect(keyReads()).toBe(1);
    registerKey(YUBIKEY);
    await time.advance(4_999);
    expect(keyReads()).toBe(1);
    await time.advance(1);
    expect(keyReads()).toBe(2);
    expect(events.some((e) => e.type === 'registered')).toBe(true);
  });

  it('with no hop after the naming page, looks 15 s after the return, then 30 s, then every minute', async () => {
    const { view, signIn, go } = fakeView();
    start({ view });
    await signIn();
    await go('webauthn');
    await go('name-key');
    await time.advance(15_000);
    expect(keyReads()).toBe(1);
    await time.advance(30_000);
    expect(keyReads()).toBe(2);
    registerKey(YUBIKEY);
    await time.advance(59_999);
    expect(keyReads()).toBe(2);
    await time.advance(1);
    expect(keyReads()).toBe(3);
    expect(events.some((e) => e.type === 'registered')).toBe(true);
  });

  it('backs off while nothing happens: 30 s, then every 60 s, for the TAP and then the keys', async () => {
    start();
    await time.advance(5 * 60_000);
    // 30, 90, 150, 210, 270 s
    expect(tapReads()).toBe(5);
    expect(keyReads()).toBe(0);
    tap.usedDateTime = env.emu.ctx.clock.now();
    await time.advance(60_000); // the 330 s poll sees the sign-in; keys 30 s later, at 360 s
    expect(tapReads()).toBe(6);
    expect(keyReads()).toBe(1);
    await time.advance(5 * 60_000);
    // then every 60 s: 420, 480, 540, 600, 660 s
    expect(keyReads()).toBe(6);
    expect(tapReads()).toBe(6);
  });

  it('with the view reporting steps, polls only as a safety net: after a quiet minute, then every two', async () => {
    const { view, go } = fakeView();
    start({ view });
    await go('sign-in-username');
    await time.advance(59_999);
    expect(tapReads()).toBe(0);
    await time.advance(1);
    expect(tapReads()).toBe(1);
    await go('security-info');
    await time.advance(60_000);
    expect(keyReads()).toBe(1);
    await go('webauthn');
    // In the ceremony the view will show the return: two quiet minutes, then four.
    await time.advance(119_999);
    expect(keyReads()).toBe(1);
    await time.advance(1);
    expect(keyReads()).toBe(2);
    await time.advance(240_000);
    expect(keyReads()).toBe(3);
  });

  it('honours Retry-After when Graph throttles a poll', async () => {
    start();
    env.emu.injectFault({ method: 'GET', path: 'temporaryAccessPassMethods/', status: 429, headers: { 'Retry-After': '120' } });
    await time.advance(30_000);
    expect(tapReads()).toBe(1);
    expect(events.find((e) => e.type === 'poll-failed')).toMatchObject({ failure: { kind: 'throttled', status: 429 }, retryInMs: 120_000 });
    await time.advance(119_999);
    expect(tapReads()).toBe(1);
    await time.advance(1);
    expect(tapReads()).toBe(2);
  });

  it('keeps polling through 503s, backing off', async () => {
    start();
    env.emu.injectFault({ method: 'GET', path: 'temporaryAccessPassMethods/', status: 503, count: 2 });
    await time.advance(30_000 + 60_000);
    expect(events.filter((e) => e.type === 'poll-failed')).toHaveLength(2);
    tap.usedDateTime = env.emu.ctx.clock.now();
    await time.advance(60_000);
    expect(events.find((e) => e.type === 'signed-in')).toMatchObject({ signIn: { via: 'tap-used' } });
    expect(tapReads()).toBe(3);
  });

  it('stops on cancel: no poll after stop()', async () => {
    const w = start();
    await time.advance(30_000);
    w.stop();
    await time.advance(30 * 60_000);
    expect(graphRequests()).toHaveLength(1);
    expect(time.waiting).toEqual([]);
  });
});

describe('the Graph request budget (user takes 3 minutes)', () => {
  /** Pass shown at 0 s; signed in at 50 s; key registered and named at 180 s. */
  it('with the view: at most 2 requests, and the key is found once it is named', async () => {
    const { view, go } = fakeView();
    start({ view });
    const at = async (second: number, step: string) => {
      await time.advance(second * 1000 - time.now() + t0);
      await go(step);
    };
    const t0 = time.now();
    await at(0, 'sign-in-username');
    await at(20, 'sign-in-tap');
    await at(50, 'security-info');
    await at(65, 'add-method');
    await at(75, 'security-key-type');
    await at(85, 'webauthn');
    await at(150, 'name-key'); // a slow PIN entry; back on My Security Info to name the key
    await time.advance(170_000 - (time.now() - t0));
    registerKey(YUBIKEY); // a slow name too: Next at 170 s, Done at 175 s
    await at(175, 'done');
    await time.advance(180_000 - (time.now() - t0));
    expect(events.some((e) => e.type === 'registered')).toBe(true);
    // Sign-in from the view; no read in the ceremony; keys 15 s into the naming (165 s), and when it is left.
    expect(graphRequests().map((r) => r.path.split('/').pop())).toEqual(['fido2Methods', 'fido2Methods']);
  });

  it('without the view: at most 5 requests', async () => {
    start();
    await time.advance(50_000);
    tap.usedDateTime = env.emu.ctx.clock.now();
    await time.advance(130_000);
    registerKey(YUBIKEY);
    await time.advance(5 * 60_000);
    expect(events.some((e) => e.type === 'registered')).toBe(true);
    // getTap at 30 and 90 s (sees the sign-in), keys at 120, 180 and 240 s (finds it).
    expect(graphRequests().length).toBeLessThanOrEqual(5);
  });
});
