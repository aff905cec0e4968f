// `verify --tenant`: the journal's pass creations and deletions against the emulator's directory audit log, both
// directions of mismatch, through the CLI an administrator runs.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditEvents as e, type Journal } from '../../main/audit';
import { main } from '../../main/audit/cli';
import { crossCheck, tapEntry, type StationTapHistory } from '../../main/audit/tenant';
import { startEmulator, type Emulator } from '../emulator';
import { call, tapPath, token, U } from '../emulator/conformance/graph-http';
import { open, tempFolder } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => emu.close());

let folder: string;
let cleanup: () => void;
beforeEach(() => {
  emu.reset();
  ({ folder, cleanup } = tempFolder());
});
afterEach(() => cleanup());

const alexId = () => emu.ctx.state.findUser(U.alex)?.id ?? '';
const megan = () => ({ id: U.meganId, upn: U.megan });
const operator = () => ({ id: alexId(), upn: U.alex });

/** The emulator over HTTPS with its CA, as `fetch` (the CLI's only way out). */
const emulatorFetch: typeof fetch = async (input, init) => {
  const headers = Object.fromEntries(new Headers(init?.headers).entries());
  const res = await call(emu, 'GET', String(input), { headers });
  return new Response(res.text, { status: res.status, headers: { 'content-type': 'application/json' } });
};

async function verifyTenant(now = new Date(Date.now() + 60 * 60_000)): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const reader = await token(emu, U.adele, ['AuditLog.Read.All', 'Directory.Read.All']);
  const code = await main(
    ['verify', '--tenant', '--folder', folder, '--graph', `${emu.urls.origin}/v1.0`],
    (t) => out.push(t),
    (t) => err.push(t),
    {
      env: { TAP_KIOSK_GRAPH_TOKEN: reader },
      fetch: emulatorFetch,
      now: () => now,
    },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** What the station's TAP lifecycle does: intent, Graph's create, the record of it; then the delete and its record. */
async function issueThroughGraph(journal: Journal, options: { remove?: boolean } = {}): Promise<string> {
  const alex = await token(emu, U.alex);
  const enrollmentId = randomUUID();
  const intentId = randomUUID();
  await journal.append(e.tapIntent({ enrollmentId, intentId, operator: operator(), user: megan(), lifetimeMinutes: 60, oneTime: true }));
  const created = await call(emu, 'POST', tapPath(U.megan), { token: alex, body: { isUsableOnce: true } });
  expect(created.status).toBe(201);
  const method = created.body as { id: string; lifetimeInMinutes: number; isUsableOnce: boolean };
  await journal.append(e.tapIssued({ enrollmentId, intentId, user: megan(), method, requestId: String(created.headers['request-id']) }));
  if (options.remove !== false) {
    expect((await call(emu, 'DELETE', tapPath(U.megan, method.id), { token: alex })).status).toBe(204);
    await journal.append(e.tapDeleted({ enrollmentId, intentId, user: megan(), tapMethodId: method.id, reason: 'completed' }));
  }
  return method.id;
}

describe('verify --tenant', () => {
  it('passes when every pass the station made and removed is in the tenant log, and the reverse', async () => {
    const journal = await open(folder);
    await journal.append(e.operatorSignedIn({ operator: operator(), roles: [] }));
    await issueThroughGraph(journal);
    await issueThroughGraph(journal);
    await journal.close();
    const { code, out, err } = await verifyTenant();
    expect(err).toBe('');
    expect(out).toMatch(/matches the tenant's audit log \(4 pass creations and deletions/);
    expect(code).toBe(0);
  });

  it('reports a pass an operator of this station created in Entra with no record in the journal', async () => {
    const journal = await open(folder);
    await journal.append(e.operatorSignedIn({ operator: operator(), roles: [] }));
    await issueThroughGraph(journal);
    // The same operator, the same minutes, but no record: made elsewhere, or its records were removed.
    expect((await call(emu, 'POST', tapPath(U.lee), { token: await token(emu, U.alex), body: {} })).status).toBe(201);
    await journal.append(e.operatorLocked({ operator: operator(), reason: 'manual' }));
    await journal.close();
    const { code, err } = await verifyTenant();
    expect(code).toBe(1);
    expect(err).toMatch(/DISAGREES with the tenant \(created-without-record\).*lee\.gu@tapkioskdemo\.onmicrosoft\.com by alex\.wilber/);
  });

  it('reports a creation record the tenant never saw (planted, or Graph never answered 201)', async () => {
    const journal = await open(folder);
    await journal.append(e.operatorSignedIn({ operator: operator(), roles: [] }));
    const intentId = randomUUID();
    const enrollmentId = randomUUID();
    await journal.append(e.tapIntent({ enrollmentId, intentId, operator: operator(), user: megan(), lifetimeMinutes: 60, oneTime: true }));
    await journal.append(e.tapIssued({ enrollmentId, intentId, user: megan(), method: { id: randomUUID(), lifetimeInMinutes: 60, isUsableOnce: true } }));
    await journal.close();
    const { code, err } = await verifyTenant();
    expect(code).toBe(1);
    expect(err).toMatch(/\(record-not-in-tenant\).*seq 3 .*megan\.bowen.*no such creation/);
    // Within the log's delivery delay the same record is only a note.
    const recent = await verifyTenant(new Date());
    expect(recent.code).toBe(0);
    expect(recent.out).toMatch(/note: .*has not logged yet/);
  });

  it('reports a deletion in Entra by a station operator that the journal does not have', async () => {
    const journal = await open(folder);
    await journal.append(e.operatorSignedIn({ operator: operator(), roles: [] }));
    const id = await issueThroughGraph(journal, { remove: false });
    expect((await call(emu, 'DELETE', tapPath(U.megan, id), { token: await token(emu, U.alex) })).status).toBe(204);
    await journal.close();
    const { code, err } = await verifyTenant();
    expect(code).toBe(1);
    expect(err).toMatch(/\(deleted-without-record\).*megan\.bowen/);
  });

  it('ignores what other administrators did in the tenant, and says what permission it lacks', async () => {
    const journal = await open(folder);
    await journal.append(e.operatorSignedIn({ operator: operator(), roles: [] }));
    await issueThroughGraph(journal);
    // Patti is not an operator of this station.
    expect((await call(emu, 'POST', tapPath(U.lee), { token: await token(emu, U.patti), body: {} })).status).toBe(201);
    await journal.close();
    expect((await verifyTenant()).code).toBe(0);

    const err: string[] = [];
    const code = await main(
      ['verify', '--tenant', '--folder', folder, '--graph', `${emu.urls.origin}/v1.0`],
      () => undefined,
      (t) => err.push(t),
      {
        env: { TAP_KIOSK_GRAPH_TOKEN: await token(emu, U.alex) },
        fetch: emulatorFetch,
      },
    );
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/AuditLog\.Read\.All/);
    const noToken = await main(
      ['verify', '--tenant', '--folder', folder],
      () => undefined,
      (t) => err.push(t),
      { env: {} },
    );
    expect(noToken).toBe(2);
  });
});

describe('the matcher', () => {
  const history = (events: StationTapHistory['events']): StationTapHistory => ({ events, operators: new Set(['op']), first: undefined, last: undefined });
  const entry = (kind: 'create' | 'delete', at: string, extra: Record<string, unknown> = {}) =>
    tapEntry({
      id: randomUUID(),
      activityDateTime: at,
      activityDisplayName: kind === 'create' ? 'Admin registered security info' : 'Admin deleted security info',
      resultReason: `Admin ${kind === 'create' ? 'registered' : 'deleted'} temporary access pass method for user`,
      initiatedBy: { user: { id: 'op', userPrincipalName: 'op@contoso.com' } },
      targetResources: [{ id: 'u1', type: 'User', userPrincipalName: 'u1@contoso.com' }],
      ...extra,
    });

  it('reads only TAP entries: a FIDO2 key removal under the same activity is not a pass', () => {
    expect(entry('delete', '2026-03-02T09:00:00Z')).toMatchObject({ kind: 'delete', userId: 'u1', operatorId: 'op' });
    expect(entry('delete', '2026-03-02T09:00:00Z', { resultReason: 'Admin deleted Fido2 security key for user' })).toBeUndefined();
    expect(entry('create', '2026-03-02T09:00:00Z', { result: 'failure' })).toBeUndefined();
    expect(tapEntry({ id: 'x' })).toBeUndefined();
  });

  it('matches one to one within the tolerance, not further', () => {
    const local = (at: string) => ({
      kind: 'create' as const,
      at: new Date(at),
      userId: 'u1',
      userUpn: 'u1@contoso.com',
      seq: 1,
      tapMethodId: 'm',
      requestId: null,
    });
    const tenant = [entry('create', '2026-03-02T09:01:00Z')].flatMap((x) => (x ? [x] : []));
    expect(crossCheck(history([local('2026-03-02T09:00:00Z')]), tenant)).toMatchObject({ ok: true, matched: 1 });
    const twice = crossCheck(history([local('2026-03-02T09:00:00Z'), local('2026-03-02T09:00:30Z')]), tenant);
    expect(twice.mismatches.map((m) => m.kind)).toEqual(['record-not-in-tenant']);
    const far = crossCheck(history([local('2026-03-02T10:00:00Z')]), tenant);
    expect(far.mismatches.map((m) => m.kind).sort()).toEqual(['created-without-record', 'record-not-in-tenant']);
  });
});
