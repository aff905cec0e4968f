// The handler table behind common/contract.ts: every request validated (refused, never thrown), commands to the
// session, the journal queries, one merged state stream, and the pass in no reply but the handover snapshot.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TODAY_COLUMNS, type KioskState, type StationStatus } from '../../common/contract';
import { localDay } from '../../main/audit';
import type { OperatorView, SessionSnapshot } from '../../common/session';
import { createKioskHandlers, type SessionPort, type StationStatusSource } from '../../main/ipc';
import { StationStatusStore } from '../../main/station';
import { appendAll, enrollment, open, STATION, steppingClock, tempFolder } from '../audit/helpers';

const PASS = 'Zq7+kW2m';
const noKey: SessionSnapshot['key'] = {
  presence: 'none',
  keyId: null,
  model: null,
  vendor: null,
  aaguid: null,
  pin: 'unknown',
  verdict: null,
  readiness: null,
  canWink: false,
};
const signedOut: SessionSnapshot = { screen: 'signed-out', error: null, operator: null, key: noKey, pendingDeletions: 0 };
const ready: SessionSnapshot = { screen: 'ready', query: '', error: null, operator: null, key: noKey, pendingDeletions: 0 };
const patti: OperatorView = {
  id: 'op-1',
  upn: 'patti@contoso.com',
  displayName: 'Patti Fernandez',
  roleNames: ['Authentication Administrator'],
  capability: 'members-only',
};
/** An operator at work: signed in, the station unlocked. */
const working: SessionSnapshot = { ...ready, operator: patti } as SessionSnapshot;

class FakeSession implements SessionPort {
  sent: unknown[] = [];
  running = true;
  #last: SessionSnapshot | null = signedOut;
  #listeners = new Set<(s: SessionSnapshot) => void>();
  send(command: unknown) {
    if (!this.running) return { ok: false as const, error: 'the session is not running' };
    this.sent.push(command);
    return { ok: true as const };
  }
  subscribe(listener: (s: SessionSnapshot) => void) {
    this.#listeners.add(listener);
    if (this.#last) listener(this.#last);
    return () => void this.#listeners.delete(listener);
  }
  snapshot() {
    return this.#last;
  }
  push(s: SessionSnapshot) {
    this.#last = s;
    for (const l of [...this.#listeners]) l(s);
  }
}

const statusStore = () => new StationStatusStore({ stationId: STATION, demo: true, language: 'en', config: { ok: true, file: '/etc/tap-kiosk/config.json' } });

let folder: string;
let cleanup: () => void;
beforeEach(() => ({ folder, cleanup } = tempFolder()));
afterEach(() => cleanup());

function setup(o: { session?: FakeSession | null; station?: StationStatusSource; now?: () => number } = {}) {
  const session = o.session === undefined ? new FakeSession() : o.session;
  const station = o.station ?? statusStore();
  const handlers = createKioskHandlers({ session, station, audit: { folder, stationId: STATION }, ...(o.now ? { now: o.now } : {}) });
  return { session, station, handlers };
}

describe('validation', () => {
  const bad: unknown[] = [
    undefined,
    null,
    42,
    'state',
    [],
    {},
    { kind: 'query' },
    { kind: 'query', query: { type: 'nope' } },
    { kind: 'query', query: { type: 'today', day: '2026-3-2' } },
    { kind: 'query', query: { type: 'state' }, extra: 1 },
    { kind: 'command', command: { type: 'issue', pass: PASS } },
    { kind: 'command', command: { type: 'search', query: 'x'.repeat(257) } },
    { kind: 'command', command: { type: 'deleteKeys', ids: [] } },
    { kind: 'command', command: { type: 'confirmIdentity', document: PASS } },
    { kind: 'command', command: { type: 'chooseLifetime', minutes: 9 } },
    { kind: 'admin', command: { type: 'issue' } },
    { kind: 'command', command: { type: '__proto__' } },
  ];
  it.each(bad.map((b) => [JSON.stringify(b) ?? String(b), b]))('refuses %s without throwing, without echoing values', async (_label, raw) => {
    const { handlers, session } = setup();
    const reply = await handlers.handle(raw);
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(JSON.stringify(reply)).not.toContain(PASS);
    expect(session?.sent).toEqual([]);
  });

  it('a valid command reaches the session, parsed (no extra keys)', async () => {
    const { handlers, session } = setup();
    expect(await handlers.handle({ kind: 'command', command: { type: 'search', query: 'adele' } })).toEqual({ ok: true, kind: 'command' });
    expect(session?.sent).toEqual([{ type: 'search', query: 'adele' }]);
  });

  it('a command the session cannot take now is answered not-now', async () => {
    const session = new FakeSession();
    session.running = false;
    const { handlers } = setup({ session });
    expect(await handlers.handle({ kind: 'command', command: { type: 'signIn' } })).toMatchObject({ ok: false, error: { code: 'not-now' } });
  });

  it('without a session (no configuration) commands are not-now, the state still answers', async () => {
    const { handlers } = setup({ session: null });
    expect(await handlers.handle({ kind: 'command', command: { type: 'signIn' } })).toMatchObject({ ok: false, error: { code: 'not-now' } });
    const reply = await handlers.handle({ kind: 'query', query: { type: 'state' } });
    expect(reply).toMatchObject({ ok: true, kind: 'state', state: { session: null, station: { stationId: STATION } } });
  });
});

describe('queries', () => {
  it('state: the session snapshot and the station status', async () => {
    const { handlers } = setup();
    const reply = await handlers.handle({ kind: 'query', query: { type: 'state' } });
    expect(reply).toEqual({ ok: true, kind: 'state', state: { session: signedOut, station: expect.objectContaining({ stationId: STATION, demo: true }) } });
  });

  it('today and exportCsv: this station, the given day, from the journal; the pass nowhere', async () => {
    const clock = steppingClock();
    const journal = await open(folder, { now: clock.now });
    const done = enrollment({ pass: PASS });
    const cancelled = enrollment({ pass: PASS + 'x', outcome: 'cancelled' });
    await appendAll(journal, [...done.events, ...cancelled.events]);
    await journal.close();
    const other = await open(folder, { stationId: 'OTHER-02', now: steppingClock().now });
    await appendAll(other, enrollment().events);
    await other.close();

    const { handlers, session } = setup();
    session!.push(working);
    const today = await handlers.handle({ kind: 'query', query: { type: 'today', day: '2026-03-02' } });
    if (!today.ok || today.kind !== 'today') throw new Error(JSON.stringify(today));
    expect(today.day).toBe('2026-03-02');
    expect(today.rows.map((r) => r.enrollment)).toEqual([done.enrollmentId, cancelled.enrollmentId]);
    expect(today.rows[0]).toMatchObject({
      operator: 'operator@contoso.com',
      user: 'anna.muster@contoso.com',
      id_document: 'passport',
      key_model: 'YubiKey 5 NFC',
    });
    // The screen's columns of the audit CSV (common/contract.ts), nothing else from the journal.
    expect(Object.keys(today.rows[0]!).sort()).toEqual([...TODAY_COLUMNS].sort());
    expect(today.rows[0]!.outcome).not.toBe('');

    const csv = await handlers.handle({ kind: 'query', query: { type: 'exportCsv', day: '2026-03-02' } });
    if (!csv.ok || csv.kind !== 'exportCsv') throw new Error(JSON.stringify(csv));
    expect(csv.fileName).toBe(`tap-kiosk-${STATION}-2026-03-02.csv`);
    expect(csv.csv.split('\r\n')[0]).toMatch(/^station,enrollment,/);
    expect(csv.csv).toContain(done.enrollmentId);
    expect(csv.csv).not.toContain('OTHER-02');
    for (const reply of [today, csv]) expect(JSON.stringify(reply)).not.toContain(PASS);
  });

  it('the day defaults to the local day of the clock; an empty day is an empty list', async () => {
    const at = new Date(2026, 10, 23, 23, 30).getTime();
    const { handlers, session } = setup({ now: () => at });
    session!.push(working);
    expect(await handlers.handle({ kind: 'query', query: { type: 'today' } })).toEqual({ ok: true, kind: 'today', day: localDay(new Date(at)), rows: [] });
    const csv = await handlers.handle({ kind: 'query', query: { type: 'exportCsv' } });
    expect(csv).toMatchObject({ ok: true, day: '2026-11-23', fileName: `tap-kiosk-${STATION}-2026-11-23.csv` });
  });

  it('today and exportCsv: refused unless an operator is signed in and the station unlocked, the journal unread', async () => {
    const journal = await open(folder, { now: steppingClock().now });
    const done = enrollment({ pass: PASS });
    await appendAll(journal, done.events);
    await journal.close();
    const { handlers, session } = setup();
    const asks = [
      { kind: 'query', query: { type: 'today', day: '2026-03-02' } },
      { kind: 'query', query: { type: 'exportCsv', day: '2026-03-02' } },
    ] as const;
    const nobodyAtWork: SessionSnapshot[] = [
      signedOut,
      { screen: 'signing-in', reason: 'start', error: null, operator: null, key: noKey, pendingDeletions: 0 },
      { screen: 'signing-in', reason: 'unlock', error: null, operator: patti, key: noKey, pendingDeletions: 0 },
      { screen: 'locked', lockedBy: null, operator: patti, key: noKey, pendingDeletions: 0 },
      { screen: 'cleaning-up', enrollmentId: null, why: 'locked', operator: patti, key: noKey, pendingDeletions: 0 },
      { screen: 'cleaning-up', enrollmentId: null, why: 'signed-out', operator: patti, key: noKey, pendingDeletions: 0 },
      { screen: 'stopped', operator: patti, key: noKey, pendingDeletions: 0 },
      ready, // a screen that is not locked, but nobody signed in
    ];
    for (const snapshot of nobodyAtWork) {
      session!.push(snapshot);
      for (const ask of asks) {
        const reply = await handlers.handle(ask);
        expect(reply, `${snapshot.screen} ${ask.query.type}`).toMatchObject({ ok: false, error: { code: 'operator-required' } });
        expect(JSON.stringify(reply)).not.toMatch(/anna\.muster|operator@contoso|passport|YubiKey/);
      }
    }
    // Signed in and unlocked: the same questions are answered; locking again refuses again.
    session!.push(working);
    for (const ask of asks) expect(await handlers.handle(ask)).toMatchObject({ ok: true, kind: ask.query.type });
    session!.push({ screen: 'locked', lockedBy: null, operator: patti, key: noKey, pendingDeletions: 0 });
    expect(await handlers.handle(asks[0])).toMatchObject({ ok: false, error: { code: 'operator-required' } });
    // Without a session at all (no configuration) nothing is answered either.
    const bare = createKioskHandlers({ session: null, station: statusStore(), audit: { folder, stationId: STATION } });
    expect(await bare.handle(asks[1])).toMatchObject({ ok: false, error: { code: 'operator-required' } });
  });

  it('checkJournal probes the journal (no operator needed, nothing personal); not-now without a journal', async () => {
    const journal = await open(folder);
    const handlers = createKioskHandlers({ session: new FakeSession(), station: statusStore(), audit: { folder, stationId: STATION }, journal });
    expect(await handlers.handle({ kind: 'query', query: { type: 'checkJournal' } })).toEqual({ ok: true, kind: 'checkJournal', journal: 'ok' });
    await journal.close();
    // A closed journal cannot be written: the probe says so rather than pretending.
    expect(await handlers.handle({ kind: 'query', query: { type: 'checkJournal' } })).toEqual({ ok: true, kind: 'checkJournal', journal: 'unwritable' });
    const bare = createKioskHandlers({ session: null, station: statusStore(), audit: null });
    expect(await bare.handle({ kind: 'query', query: { type: 'checkJournal' } })).toMatchObject({ ok: false, error: { code: 'not-now' } });
  });

  it('without an audit folder the journal queries are not-now', async () => {
    const handlers = createKioskHandlers({ session: null, station: statusStore(), audit: null });
    expect(await handlers.handle({ kind: 'query', query: { type: 'today' } })).toMatchObject({ ok: false, error: { code: 'not-now' } });
  });
});

describe('the state stream', () => {
  it('merges session snapshots and station status changes; emits on each', async () => {
    const { handlers, session, station } = setup();
    const seen: KioskState[] = [];
    const off = handlers.subscribe((s) => seen.push(s));
    session!.push(ready);
    (station as StationStatusStore).setKeyReader({ status: 'ok' });
    (station as StationStatusStore).setTenant({ status: 'reachable', note: null, checkedAt: 1 });
    (station as StationStatusStore).setKeyReader({ status: 'ok' }); // no change: no state
    (station as StationStatusStore).setKeyReader({ status: 'unavailable', message: 'key reader not working: hidraw' });
    expect(seen.map((s) => [s.session?.screen, s.station.keyReader.status, s.station.tenant.status])).toEqual([
      ['ready', 'starting', 'unknown'],
      ['ready', 'ok', 'unknown'],
      ['ready', 'ok', 'reachable'],
      ['ready', 'unavailable', 'reachable'],
    ]);
    expect(seen.at(-1)!.station.keyReader.note).toEqual({ code: 'key-reader.failed', params: { detail: 'key reader not working: hidraw' } });
    expect(handlers.state()).toBe(seen.at(-1));
    off();
    session!.push(signedOut);
    expect(seen).toHaveLength(4);
    const reply = await handlers.handle({ kind: 'query', query: { type: 'state' } });
    expect(reply).toMatchObject({ state: { session: { screen: 'signed-out' } } });
  });

  it('a listener that throws does not stop the others', () => {
    const { handlers, session } = setup();
    const seen: string[] = [];
    handlers.subscribe(() => {
      throw new Error('boom');
    });
    handlers.subscribe((s) => seen.push(s.session?.screen ?? ''));
    const err = console.error;
    console.error = () => undefined;
    try {
      session!.push(ready);
    } finally {
      console.error = err;
    }
    expect(seen).toEqual(['ready']);
  });

  it('the pass: in the handover snapshot only; gone from the state once the screen moves on', async () => {
    const { handlers, session } = setup();
    const replies: unknown[] = [];
    const card = { id: 'u1', displayName: 'Adele Vance' } as unknown as Extract<SessionSnapshot, { screen: 'handover' }>['user'];
    session!.push({
      screen: 'handover',
      pass: PASS,
      countdowns: [],
      notices: [],
      guide: 'take-pass',
      oneTime: true,
      lifetimeMinutes: 60,
      enrollmentId: 'e1',
      user: card,
      operator: null,
      key: noKey,
      pendingDeletions: 0,
    });
    const state = await handlers.handle({ kind: 'query', query: { type: 'state' } });
    expect(state).toMatchObject({ state: { session: { screen: 'handover', pass: PASS } } });
    replies.push(await handlers.handle({ kind: 'command', command: { type: 'handedOver' } }));
    replies.push(await handlers.handle({ kind: 'query', query: { type: 'today' } }));
    replies.push(await handlers.handle({ kind: 'query', query: { type: 'exportCsv' } }));
    replies.push(await handlers.handle({ kind: 'command', command: { type: 'handedOver', pass: PASS } }));
    replies.push(await handlers.handle({ kind: 'nope', pass: PASS }));
    replies.push(await handlers.handle(PASS));
    session!.push({
      screen: 'waiting-for-sign-in',
      countdowns: [],
      guide: 'sign-in',
      keyWarning: null,
      pass: null,
      passPromptPassed: true,
      signInPage: false,
      enrollmentId: 'e1',
      user: card,
      operator: null,
      key: noKey,
      pendingDeletions: 0,
    });
    replies.push(await handlers.handle({ kind: 'query', query: { type: 'state' } }));
    for (const r of replies) expect(JSON.stringify(r)).not.toContain(PASS);
    expect(JSON.stringify(handlers.state())).not.toContain(PASS);
  });
});

describe('station status', () => {
  it('the tenant check: reachable on 2xx, unreachable with the reason otherwise', async () => {
    const s = statusStore();
    const urls: string[] = [];
    const ok = { sendGetRequestAsync: async <T>(url: string) => (urls.push(url), { status: 200, body: {} as T }) };
    expect(await s.checkTenant(ok, 'https://login.microsoftonline.com/contoso.com')).toMatchObject({ status: 'reachable', note: null });
    expect(urls).toEqual(['https://login.microsoftonline.com/contoso.com/v2.0/.well-known/openid-configuration']);
    const notFound = { sendGetRequestAsync: async <T>() => ({ status: 404, body: {} as T }) };
    expect(await s.checkTenant(notFound, 'https://x/y')).toMatchObject({
      status: 'unreachable',
      note: { code: 'tenant.http-status', params: { status: 404 } },
    });
    const down = {
      sendGetRequestAsync: async (): Promise<never> => {
        throw new Error('Network request failed: getaddrinfo ENOTFOUND\nTrace ID: 1');
      },
    };
    const t = await s.checkTenant(down, 'https://x/y');
    expect(t).toMatchObject({ status: 'unreachable', note: { code: 'tenant.no-answer', params: { detail: 'Network request failed: getaddrinfo ENOTFOUND' } } });
    expect(s.current().tenant).toEqual(t satisfies StationStatus['tenant']);
  });
});
