// Bad input and faults, each against the emulator with the real session: timeouts, cancel at every stage,
// hostile search text, 429 storms, 503s and slow answers, a dropped connection after the TAP was created,
// DELETE failing for a while, Graph down at start, a revoked operator token, the key unplugged, the process
// killed and restarted. After every test: no new TAP at the emulator, no pass in any file of the data folder.
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal, verify } from '../../main/audit';
import type { SessionSnapshot } from '../../common/session';
import { useEmulator } from '../support/emulator';
import { upn } from '../directory/support';
import { keysNone, keysOne } from './support/fixtures';
import { STATION, tempJournal, type TempJournal } from './support/journal';
import { DeskUser, openStation, stopStation, type Station } from './support/station';
import { advanceUntil } from './support/manual-time';

const ADELE = upn('adele.vance');

// The short one-time "kiosk" TAP policy preset: these tests are about 10-minute one-time passes.
const env = useEmulator({ tapPolicy: 'kiosk', leakScan: true });
const newTaps = env.newTaps;

let stations: Station[] = [];
const graphPosts = () => env.emu.requestLog().filter((r) => r.method === 'POST' && /temporaryAccessPassMethods$/.test(r.path));

afterEach(async () => {
  const all = stations;
  stations = [];
  const passes = all.flatMap((s) => s.snapshots.flatMap((snap) => (snap.screen === 'handover' ? [snap.pass] : [])));
  for (const s of all) await stopStation(s);
  expect(newTaps()).toEqual([]);
  for (const s of all) {
    const disk = s.journal.everything();
    for (const pass of passes) expect(disk.includes(pass)).toBe(false);
  }
  const folders = new Set(all.map((s) => s.journal));
  for (const j of folders) {
    expect((await verify(j.folder)).ok).toBe(true);
    await j.close();
  }
});

async function station(options: Parameters<typeof openStation>[1] = {}): Promise<Station> {
  const s = await openStation(env.emu, options);
  stations.push(s);
  return s;
}

describe('timeouts', () => {
  it('the 10-minute registration window runs out: the TAP is deleted and the screen says so', async () => {
    const st = await station();
    const h = await st.toHandover(ADELE);
    st.send({ type: 'handedOver' });
    await new DeskUser(env.emu, st.view, ADELE).signIn(h.pass);
    const reg = await st.until('registering');
    const window = reg.countdowns[0]!.endsAt - st.time.now();
    env.emu.advanceClock(9);
    await st.time.advance(window - 1_000);
    expect(st.current().screen).toBe('registering');
    env.emu.advanceClock(2);
    await st.time.advance(1_000);
    const t = await st.until('timed-out');
    expect(t.which).toBe('registration-window');
    expect(t.cleanup).toEqual({ tap: 'deleted', viewWiped: true });
    expect(newTaps()).toEqual([]);
    const events = st.journal.events();
    expect(events.find((e) => e.type === 'tap.deleted')).toMatchObject({ reason: 'window-expired' });
    expect(events.at(-1)).toMatchObject({ type: 'session.wiped', reason: 'timed-out' });
    st.send({ type: 'dismiss' });
    await st.until('ready');
  });

  it('the TAP lifetime runs out before the person signs in', async () => {
    const st = await station();
    await st.toHandover(ADELE);
    st.send({ type: 'handedOver' });
    await st.time.advance(10 * 60_000);
    const t = await st.until('timed-out');
    expect(t.which).toBe('tap-lifetime');
    expect(st.journal.events().find((e) => e.type === 'tap.deleted')).toMatchObject({ reason: 'lifetime-expired' });
  });

  it('idle lock: the operator is signed out after the idle minutes, and must sign in again', async () => {
    const st = await station();
    await st.toPreflight(ADELE);
    await st.time.advance(5 * 60_000);
    await st.until('locked');
    expect(st.operator.token).toBeNull();
    expect(st.journal.events().some((e) => e.type === 'operator.locked' && e.reason === 'idle')).toBe(true);
    st.send({ type: 'unlock' });
    await st.until('ready');
  });
});

describe('cancel at each stage', () => {
  type Stage = (st: Station) => Promise<void>;
  const stages: [string, Stage, 'none' | 'deleted'][] = [
    [
      'search results',
      async (st) => {
        st.send({ type: 'signIn' });
        await st.until('ready');
        st.send({ type: 'search', query: 'L' });
        const r = await st.until('search-results');
        expect(r.results.length).toBeGreaterThan(1);
      },
      'none',
    ],
    [
      'identity (one hit opens it)',
      async (st) => {
        st.send({ type: 'signIn' });
        await st.until('ready');
        st.send({ type: 'search', query: ADELE });
        await st.until('identity');
      },
      'none',
    ],
    [
      'identity (chosen from several)',
      async (st) => {
        st.send({ type: 'signIn' });
        await st.until('ready');
        st.send({ type: 'search', query: 'L' });
        const r = await st.until('search-results');
        st.send({ type: 'selectUser', id: r.results[1]!.id });
        await st.until('identity');
      },
      'none',
    ],
    [
      'pre-flight',
      async (st) => {
        await st.toPreflight(ADELE);
      },
      'none',
    ],
    [
      'lost key',
      async (st) => {
        await st.toPreflight(ADELE);
        st.send({ type: 'lostKey' });
        await st.waitFor((s) => s.screen === 'lost-key' && s.step === 'choosing');
      },
      'none',
    ],
    [
      'confirm replace',
      async (st) => {
        await st.toPreflight(upn('johanna.lorenz'));
        st.send({ type: 'issue' });
        await st.until('confirm-replace');
      },
      'none',
    ],
    [
      'issuing (waits for the answer, then deletes)',
      async (st) => {
        env.emu.injectFault({ method: 'POST', path: 'temporaryAccessPassMethods$', delayMs: 300 });
        await st.toPreflight(ADELE);
        st.send({ type: 'issue' });
        await st.until('issuing');
      },
      'deleted',
    ],
    [
      'handover',
      async (st) => {
        await st.toHandover(ADELE);
      },
      'deleted',
    ],
    [
      'waiting for sign-in',
      async (st) => {
        await st.toHandover(ADELE);
        st.send({ type: 'handedOver' });
        await st.until('waiting-for-sign-in');
      },
      'deleted',
    ],
    [
      'registering',
      async (st) => {
        const h = await st.toHandover(ADELE);
        st.send({ type: 'handedOver' });
        await new DeskUser(env.emu, st.view, ADELE).signIn(h.pass);
        await st.until('registering');
      },
      'deleted',
    ],
  ];
  it.each(stages)('cancel at %s: back to ready, nothing left', async (_name, reach, tap) => {
    const st = await station();
    await reach(st);
    st.send({ type: 'cancel' });
    const s = await st.until('cancelled', 'ready');
    if (s.screen === 'cancelled') expect(s.cleanup.tap).toBe(tap);
    else expect(tap).toBe('none');
    expect(newTaps()).toEqual([]);
    await st.time.advance(5_000);
    await st.until('ready');
    if (tap === 'deleted') {
      expect(st.view.wipes).toBeGreaterThanOrEqual(1);
      expect(st.journal.events().find((e) => e.type === 'tap.deleted')).toMatchObject({ reason: 'cancelled' });
    }
  });
});

describe('bad input', () => {
  const hostile = [
    "' or 1 eq 1 or '",
    "adele') or startswith(displayName,'",
    '*',
    '%27%20or%20true',
    'a'.repeat(300),
    '\u0000\u001b[2J',
    '$filter=id ne null',
    '"><script>alert(1)</script>',
    '../../users',
    '',
  ];
  it.each(hostile.map((h) => [JSON.stringify(h).slice(0, 40), h]))('hostile search %s: refused or harmless, never a failure screen', async (_label, query) => {
    const st = await station();
    st.send({ type: 'signIn' });
    await st.until('ready');
    const r = st.session.send({ type: 'search', query });
    if (!r.ok) {
      expect(query.length).toBeGreaterThan(256);
      expect(st.current().screen).toBe('ready');
      return;
    }
    const s = await st.until('search-results', 'identity', 'ready');
    if (s.screen === 'ready') expect(s.error?.code).toBe('graph.bad-input');
    else if (s.screen === 'identity') expect(typeof s.user.id).toBe('string');
    else expect(s.results.every((u) => typeof u.id === 'string')).toBe(true);
  });

  it('commands the schema refuses change nothing', async () => {
    const st = await station();
    for (const bad of [
      null,
      'signIn',
      { type: 'nope' },
      { type: 'search' },
      { type: 'selectUser', id: 7 },
      { type: 'chooseLifetime', minutes: 5 },
      { type: 'signIn', extra: 1 },
    ]) {
      expect(st.session.send(bad).ok).toBe(false);
    }
    expect(st.current().screen).toBe('signed-out');
  });
});

describe('Graph faults', () => {
  it('a 429 storm on search and on the TAP creation is ridden out: exactly one TAP', async () => {
    const st = await station();
    env.emu.injectFault({ method: 'GET', path: '^/v1.0/users$', status: 429, count: 2, headers: { 'Retry-After': '0' } });
    env.emu.injectFault({ method: 'POST', path: 'temporaryAccessPassMethods$', status: 429, count: 2, headers: { 'Retry-After': '0' } });
    await st.toHandover(ADELE);
    expect(newTaps()).toHaveLength(1);
    st.send({ type: 'cancel' });
    await st.until('cancelled');
  });

  const routes: [string, string, string][] = [
    // The user's details come with the search (directory/users.ts): the card reads the user itself only for a
    // stale row or a second look (test/directory/gateway.test.ts), so that read is not on this path.
    ['search', 'GET', '^/v1.0/users$'],
    ["the user's methods", 'GET', '/authentication/(methods|fido2Methods|temporaryAccessPassMethods)$'],
    [
      'the TAP policy',
      'GET',
      'authenticationMethodConfigurations/(?i:temporaryAccessPass)$'.replace('(?i:temporaryAccessPass)', '[Tt]emporary[Aa]ccess[Pp]ass'),
    ],
    ['the passkey policy', 'GET', 'authenticationMethodConfigurations/[Ff]ido2$'],
    ['the TAP creation', 'POST', 'temporaryAccessPassMethods$'],
  ];
  // The policy reads happen only for an operator whose roles may read policies (the seed has none that may also
  // issue passes), so the station is told so here.
  it.each(routes)('503 on %s outliving the retries: a failure screen with the request id, nothing left', async (_name, method, path) => {
    const st = await station({ operatorOverrides: { mayReadPolicies: true } });
    env.emu.injectFault({ method, path, status: 503, count: 50 });
    const reached = await st.toHandover(ADELE).catch((e: Error) => e);
    const s = st.current();
    if (!(reached instanceof Error)) {
      // A policy read that fails is not fatal only if it says so; here the route must have failed something.
      throw new Error(`expected a failure, reached ${s.screen}`);
    }
    const f = s.screen === 'ready' ? s : await st.until('failed');
    expect(f.error).toMatchObject({ code: expect.stringMatching(/^graph\.unavailable$|^tap\.(unresolved|answer-lost|refused)$/) });
    expect(newTaps()).toEqual([]);
    if (s.screen === 'failed') {
      const failure = st.journal.events().find((e) => e.type === 'failure');
      expect(failure).toBeDefined();
    }
  });

  it.each(routes.slice(0, 4))('a slow answer on %s: timed out, said so, nothing left', async (_name, method, path) => {
    const st = await station({ gatewayTimeoutMs: 400, operatorOverrides: { mayReadPolicies: true } });
    env.emu.injectFault({ method, path, delayMs: 1_500, count: 5 });
    const reached = await st.toPreflight(ADELE).catch((e: Error) => e);
    expect(reached).toBeInstanceOf(Error);
    const s = st.current();
    const error = s.screen === 'ready' || s.screen === 'failed' ? s.error : null;
    expect(error?.code).toBe('graph.timeout');
  });

  it('503 on the completion polls: the station keeps waiting and completes when Graph recovers', async () => {
    // No client retries here: each poll is one request, so the test moves only the station's own clock.
    const st = await station({ graphRetries: 0 });
    const h = await st.toHandover(ADELE);
    st.send({ type: 'handedOver' });
    env.emu.injectFault({ method: 'GET', path: '/fido2Methods$', status: 503, count: 2 });
    const user = new DeskUser(env.emu, st.view, ADELE);
    await user.signIn(h.pass);
    await st.until('registering');
    user.registerKey();
    // Inside the 10-minute window, the failed polls are retried (backing off) until Graph answers.
    await advanceUntil(st.time, () => !(st.current().screen === 'registering'), { stepMs: 60_000, maxSteps: 9 });
    const done = await st.until('done');
    expect(done.cleanup.tap).toBe('deleted');
  });

  it('the connection dropped after the TAP was created: no duplicate, no orphan, the operator told to issue again', async () => {
    const st = await station();
    env.emu.injectFault({ method: 'POST', path: 'temporaryAccessPassMethods$', drop: 'after' });
    await st.toPreflight(ADELE);
    st.send({ type: 'issue' });
    const f = await st.until('failed');
    expect(f.error.code).toBe('tap.answer-lost');
    expect(graphPosts()).toHaveLength(1);
    expect(newTaps()).toEqual([]);
    st.send({ type: 'dismiss' });
    await st.until('ready');
    // And the next attempt works.
    await st.toHandover(ADELE);
    expect(newTaps()).toHaveLength(1);
    st.send({ type: 'cancel' });
    await st.until('cancelled');
  });

  it('DELETE failing for a while: the station moves on, the deletion stays pending and is retried until it succeeds', async () => {
    const st = await station();
    await st.toHandover(ADELE);
    env.emu.injectFault({ method: 'DELETE', path: 'temporaryAccessPassMethods/', status: 503, count: 8 });
    st.send({ type: 'cancel' });
    const c = await st.until('cancelled');
    expect(c.cleanup.tap).toBe('pending');
    expect(newTaps()).toHaveLength(1);
    expect(st.session.pendingDeletions()).toBe(1);
    await advanceUntil(st.time, () => !(newTaps().length > 0), { stepMs: 60_000, maxSteps: 6 });
    expect(newTaps()).toEqual([]);
    expect(st.session.pendingDeletions()).toBe(0);
    const events = st.journal.events();
    expect(events.filter((e) => e.type === 'tap.delete-failed').length).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === 'tap.deleted')).toHaveLength(1);
  });

  it('Graph unreachable at start: the station starts and says the directory cannot be reached', async () => {
    const journal = await tempJournal();
    const st = await station({ journal, graphOrigin: 'https://127.0.0.1:9' });
    st.send({ type: 'signIn' });
    await st.until('ready');
    st.send({ type: 'search', query: ADELE });
    const s = await st.waitFor((x) => x.screen === 'ready' && x.error !== null);
    expect(s.screen === 'ready' && s.error?.code).toBe('graph.network');
    expect(newTaps()).toEqual([]);
  });
});

describe('operator and key', () => {
  it('operator token revoked before the TAP: sign in again, then a clean failure, no TAP', async () => {
    const st = await station();
    await st.toPreflight(ADELE);
    st.operator.revoke();
    st.send({ type: 'issue' });
    const s = await st.until('signing-in');
    expect(s.screen === 'signing-in' && s.reason).toBe('token-revoked');
    st.send({ type: 'signIn' });
    const f = await st.until('failed');
    expect(f.error.code).toBe('operator.token-revoked');
    expect(newTaps()).toEqual([]);
    const types = st.journal.events().map((e) => e.type);
    expect(types.filter((t) => t === 'operator.signed-in')).toHaveLength(2);
    expect(types).toContain('operator.signed-out');
  });

  it('operator token revoked while waiting for the sign-in: the next poll says so, the operator signs in again, the TAP is deleted', async () => {
    const st = await station();
    await st.toHandover(ADELE);
    st.send({ type: 'handedOver' });
    await st.until('waiting-for-sign-in');
    st.operator.revoke();
    await advanceUntil(st.time, () => !(st.current().screen === 'waiting-for-sign-in'), { stepMs: 30_000, maxSteps: 4 });
    const s = await st.until('signing-in');
    expect(s.screen === 'signing-in' && s.reason).toBe('token-revoked');
    expect(newTaps()).toHaveLength(1);
    st.send({ type: 'signIn' });
    const f = await st.until('failed');
    expect(f.error.code).toBe('operator.token-revoked');
    expect(f.cleanup).toEqual({ tap: 'deleted', viewWiped: true });
    expect(newTaps()).toEqual([]);
  });

  it('operator token revoked while the person signs in: the pending deletion survives and completes after the operator signs in again', async () => {
    const st = await station();
    await st.toHandover(ADELE);
    st.send({ type: 'handedOver' });
    await st.until('waiting-for-sign-in');
    st.operator.revoke();
    st.send({ type: 'cancel' });
    const c = await st.until('cancelled');
    expect(c.cleanup.tap).toBe('pending');
    expect(newTaps()).toHaveLength(1);
    st.send({ type: 'lock' });
    await st.until('locked');
    st.send({ type: 'unlock' });
    await st.until('ready');
    await advanceUntil(st.time, () => !(newTaps().length > 0), { stepMs: 30_000, maxSteps: 4 });
    expect(newTaps()).toEqual([]);
  });

  it('key unplugged after pre-flight: Issue is refused until it is back; unplugged after the pass: a warning, the flow goes on', async () => {
    const st = await station();
    const p = await st.toPreflight(ADELE);
    expect(p.verdict).toBe('go');
    st.keys.set(keysNone);
    const refused = st.current();
    expect(refused.screen === 'preflight' && refused.checks.find((c) => c.code === 'key-ready')?.status).toBe('fail');
    st.send({ type: 'issue' });
    expect(st.current().screen).toBe('preflight');
    expect(graphPosts()).toHaveLength(0);
    st.keys.set(keysOne());
    st.send({ type: 'issue' });
    const h = await st.until('handover');
    st.send({ type: 'handedOver' });
    await st.until('waiting-for-sign-in');
    st.keys.set(keysNone);
    const w = st.current();
    expect(w.screen === 'waiting-for-sign-in' && w.keyWarning).toBe('unplugged');
    st.keys.set(keysOne());
    const back = st.current();
    expect(back.screen === 'waiting-for-sign-in' && back.keyWarning).toBeNull();
    const user = new DeskUser(env.emu, st.view, ADELE);
    await user.signIn(h.pass);
    await st.until('registering');
    user.registerKey();
    await st.until('done');
  });
});

describe('quit', () => {
  it('quit with a live pass: the enrollment is cancelled, the TAP deleted (reason quit), the view wiped, the operator signed out', async () => {
    const st = await station();
    await st.toHandover(ADELE);
    st.send({ type: 'handedOver' });
    await st.until('waiting-for-sign-in');
    const result = await st.session.stop();
    expect(result.pendingDeletions).toBe(0);
    expect(newTaps()).toEqual([]);
    expect(st.view.wipes).toBe(1);
    expect(st.operator.token).toBeNull();
    const events = st.journal.events();
    expect(events.find((e) => e.type === 'tap.deleted')).toMatchObject({ reason: 'quit' });
    expect(events.at(-1)).toMatchObject({ type: 'operator.signed-out', reason: 'quit' });
  });

  it('quit while the deletion keeps failing: bounded by the drain timeout, the TAP left for crash recovery', async () => {
    const st = await station({ graphRetries: 0 });
    await st.toHandover(ADELE);
    env.emu.injectFault({ method: 'DELETE', path: 'temporaryAccessPassMethods/', status: 503, count: 100 });
    const result = await stopStation(st);
    expect(result.pendingDeletions).toBe(1);
    expect(newTaps()).toHaveLength(1);
    // The next start (after sign-in) deletes it.
    env.emu.ctx.faults.clear();
    const journal = await (async () => {
      await st.journal.journal.close();
      const reopened = await openJournal({ folder: st.journal.folder, stationId: STATION });
      return {
        ...st.journal,
        journal: reopened,
        close: async () => {
          await reopened.close();
          await st.journal.close().catch(() => undefined);
        },
      } as TempJournal;
    })();
    stations = stations.filter((x) => x !== st);
    const next = await station({ journal });
    next.send({ type: 'signIn' });
    await next.until('ready');
    await next.session.whenRecovered();
    await advanceUntil(next.time, () => !(newTaps().length > 0), { stepMs: 5_000, maxSteps: 3 });
    expect(newTaps()).toEqual([]);
  });

  it('wink: the command reaches the key reader', async () => {
    const st = await station();
    st.send({ type: 'winkKey' });
    await Promise.resolve();
    expect(st.keys.winks).toBe(1);
  });
});

describe('killed and restarted', () => {
  type Step = [string, (st: Station) => Promise<void>];
  const steps: Step[] = [
    ['with the pass on screen', async (st) => void (await st.toHandover(ADELE))],
    [
      'while waiting for sign-in',
      async (st) => {
        await st.toHandover(ADELE);
        st.send({ type: 'handedOver' });
        await st.until('waiting-for-sign-in');
      },
    ],
    [
      'after the person signed in',
      async (st) => {
        const h = await st.toHandover(ADELE);
        st.send({ type: 'handedOver' });
        await new DeskUser(env.emu, st.view, ADELE).signIn(h.pass);
        await st.until('registering');
      },
    ],
    [
      'with a deletion pending',
      async (st) => {
        await st.toHandover(ADELE);
        env.emu.injectFault({ method: 'DELETE', path: 'temporaryAccessPassMethods/', status: 503, count: 5 });
        st.send({ type: 'cancel' });
        await st.until('cancelled');
      },
    ],
  ];
  it.each(steps)('killed %s: at restart the journal verifies, the orphaned TAP is found and deleted, the view wiped', async (_name, reach) => {
    const first = await openStation(env.emu);
    await reach(first);
    const passes = first.snapshots.flatMap((s: SessionSnapshot) => (s.screen === 'handover' ? [s.pass] : []));
    expect(newTaps()).toHaveLength(1);
    // The process dies: nothing more runs (time never moves for it again), the journal's handle is gone.
    await first.journal.journal.close();
    expect((await verify(first.journal.folder)).ok).toBe(true);

    const reopened = await openJournal({ folder: first.journal.folder, stationId: STATION });
    const journal: TempJournal = {
      ...first.journal,
      journal: reopened,
      close: async () => {
        await reopened.close();
        await first.journal.close().catch(() => undefined);
      },
    };
    const second = await station({ journal });
    // No operator token yet at start: the view is wiped at once, Graph is asked once someone signs in.
    expect(second.view.wipes).toBe(1);
    expect(second.journal.events().at(-1)).toMatchObject({ type: 'session.wiped', reason: 'crash-recovery' });
    second.send({ type: 'signIn' });
    await second.until('ready');
    await second.session.whenRecovered();
    await advanceUntil(second.time, () => !(newTaps().length > 0), { stepMs: 5_000, maxSteps: 3 });
    expect(newTaps()).toEqual([]);
    const events = second.journal.events();
    expect(events.some((e) => e.type === 'tap.deleted' && e.reason === 'crash-recovery')).toBe(true);
    const disk = second.journal.everything();
    for (const pass of passes) expect(disk.includes(pass)).toBe(false);
  });
});
