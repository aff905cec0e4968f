// Groups for event mode: members listed with paging, added and removed by reference with the documented
// answers, JSON $batch with per-request status and throttling — every body checked against Microsoft's CSDL.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../index';
import { EVENT_CLAIM_GROUP, EVENT_ROSTER_GROUP, eventSeed, newHireId } from '../seed/event';
import { KIOSK_SCOPES } from '../support/tokens';
import { call, token, U } from './graph-http';
import { graphModel, validateCollection, validateErrorBody, validateInstance } from './csdl';

const model = graphModel();
const EVENT_SCOPES = [...KIOSK_SCOPES, 'GroupMember.ReadWrite.All'];
const ref = (emu: Emulator, id: string) => ({ '@odata.id': `${emu.urls.graph}/directoryObjects/${id}` });

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: eventSeed({ rosterSize: 230, owners: [U.alex] }) });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

describe('groups and their members', () => {
  it('a group conforms to microsoft.graph.group', async () => {
    const res = await call(emu, 'GET', `/v1.0/groups/${EVENT_CLAIM_GROUP}`, { token: await token(emu, U.alex, EVENT_SCOPES) });
    expect(res.status, res.text).toBe(200);
    expect(validateInstance(model, 'group', res.body)).toEqual([]);
  });

  it('members come in pages of 100 (or $top) with @odata.nextLink until the last, each a user', async () => {
    const t = await token(emu, U.alex, EVENT_SCOPES);
    const seen: string[] = [];
    let url: string | undefined = `/v1.0/groups/${EVENT_ROSTER_GROUP}/members?$select=id,displayName,userPrincipalName`;
    let pages = 0;
    while (url) {
      const res = await call(emu, 'GET', url, { token: t });
      expect(res.status, res.text).toBe(200);
      expect(validateCollection(model, 'directoryObject', res.body)).toEqual([]);
      for (const m of res.body.value) {
        expect(m['@odata.type']).toBe('#microsoft.graph.user');
        seen.push(m.id);
      }
      url = res.body['@odata.nextLink'];
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(230);
    const top = await call(emu, 'GET', `/v1.0/groups/${EVENT_ROSTER_GROUP}/members?$top=999`, { token: t });
    expect(top.body.value).toHaveLength(230);
    expect(top.body['@odata.nextLink']).toBeUndefined();
  });

  it('reading members needs a group read permission; an unknown group is 404', async () => {
    const denied = await call(emu, 'GET', `/v1.0/groups/${EVENT_ROSTER_GROUP}/members`, { token: await token(emu, U.alex) });
    expect(denied.status).toBe(403);
    expect(validateErrorBody(denied.body)).toEqual([]);
    const missing = await call(emu, 'GET', '/v1.0/groups/e7e70000-0009-4a00-8000-000000000009/members', { token: await token(emu, U.alex, EVENT_SCOPES) });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('Request_ResourceNotFound');
  });
});

describe('adding and removing a member by reference', () => {
  it('adds (204), refuses the same member again with the documented 400, removes (204), and 404s a second removal', async () => {
    const t = await token(emu, U.alex, EVENT_SCOPES);
    const hire = newHireId(7);
    const add = await call(emu, 'POST', `/v1.0/groups/${EVENT_CLAIM_GROUP}/members/$ref`, { token: t, body: ref(emu, hire) });
    expect(add.status, add.text).toBe(204);
    expect(add.text).toBe('');
    const again = await call(emu, 'POST', `/v1.0/groups/${EVENT_CLAIM_GROUP}/members/$ref`, { token: t, body: ref(emu, hire) });
    expect(again.status).toBe(400);
    expect(validateErrorBody(again.body)).toEqual([]);
    expect(again.body.error).toMatchObject({
      code: 'Request_BadRequest',
      message: "One or more added object references already exist for the following modified properties: 'members'.",
    });
    const members = await call(emu, 'GET', `/v1.0/groups/${EVENT_CLAIM_GROUP}/members`, { token: t });
    expect(members.body.value.map((m: { id: string }) => m.id)).toEqual([hire]);
    const del = await call(emu, 'DELETE', `/v1.0/groups/${EVENT_CLAIM_GROUP}/members/${hire}/$ref`, { token: t });
    expect(del.status).toBe(204);
    const delAgain = await call(emu, 'DELETE', `/v1.0/groups/${EVENT_CLAIM_GROUP}/members/${hire}/$ref`, { token: t });
    expect(delAgain.status).toBe(404);
    expect(validateErrorBody(delAgain.body)).toEqual([]);
  });

  it('an object that does not exist is 404; a malformed reference 400', async () => {
    const t = await token(emu, U.alex, EVENT_SCOPES);
    const missing = await call(emu, 'POST', `/v1.0/groups/${EVENT_CLAIM_GROUP}/members/$ref`, {
      token: t,
      body: ref(emu, '00000000-0000-4e00-8000-999999999999'),
    });
    expect(missing.status).toBe(404);
    const bad = await call(emu, 'POST', `/v1.0/groups/${EVENT_CLAIM_GROUP}/members/$ref`, { token: t, body: { id: newHireId(1) } });
    expect(bad.status).toBe(400);
    expect(validateErrorBody(bad.body)).toEqual([]);
  });

  it('needs GroupMember.ReadWrite.All and ownership (or a group-managing role); a role-assignable group is refused', async () => {
    const body = ref(emu, newHireId(2));
    const withoutScope = await call(emu, 'POST', `/v1.0/groups/${EVENT_CLAIM_GROUP}/members/$ref`, { token: await token(emu, U.alex), body });
    expect(withoutScope.status).toBe(403);
    // Patti is a Privileged Authentication Administrator but does not own the group and manages no groups.
    const notOwner = await call(emu, 'POST', `/v1.0/groups/${EVENT_CLAIM_GROUP}/members/$ref`, { token: await token(emu, U.patti, EVENT_SCOPES), body });
    expect(notOwner.status).toBe(403);
    expect(notOwner.body.error.code).toBe('Authorization_RequestDenied');
    // The Global Administrator may.
    const admin = await call(emu, 'POST', `/v1.0/groups/${EVENT_CLAIM_GROUP}/members/$ref`, { token: await token(emu, U.adele, EVENT_SCOPES), body });
    expect(admin.status).toBe(204);
    const roleGroup = await call(emu, 'POST', '/v1.0/groups/a1b2c3d4-0003-4a00-8000-000000000003/members/$ref', {
      token: await token(emu, U.adele, EVENT_SCOPES),
      body,
    });
    expect(roleGroup.status).toBe(403);
  });
});

describe('JSON $batch', () => {
  it('answers each request with its own status and body, in CSDL shape', async () => {
    const t = await token(emu, U.alex, EVENT_SCOPES);
    const res = await call(emu, 'POST', '/v1.0/$batch', {
      token: t,
      body: {
        requests: [
          { id: '1', method: 'GET', url: `/users/${newHireId(0)}/authentication/fido2Methods` },
          { id: '2', method: 'GET', url: `/users/${newHireId(1)}/authentication/temporaryAccessPassMethods` },
          {
            id: '3',
            method: 'POST',
            url: `/groups/${EVENT_CLAIM_GROUP}/members/$ref`,
            headers: { 'Content-Type': 'application/json' },
            body: ref(emu, newHireId(3)),
          },
          {
            id: '4',
            method: 'POST',
            url: `/groups/${EVENT_CLAIM_GROUP}/members/$ref`,
            headers: { 'Content-Type': 'application/json' },
            body: ref(emu, newHireId(3)),
            dependsOn: ['3'],
          },
          { id: '5', method: 'GET', url: '/users/00000000-0000-4e00-8000-999999999999' },
        ],
      },
    });
    expect(res.status, res.text).toBe(200);
    const byId = new Map(res.body.responses.map((r: { id: string }) => [r.id, r]));
    const r = (id: string) => byId.get(id) as { status: number; body: unknown; headers: Record<string, string> };
    expect(r('1').status).toBe(200);
    expect(validateCollection(model, 'fido2AuthenticationMethod', r('1').body)).toEqual([]);
    expect(validateCollection(model, 'temporaryAccessPassAuthenticationMethod', r('2').body)).toEqual([]);
    expect(r('3').status).toBe(204);
    expect(r('4').status).toBe(400);
    expect(validateErrorBody(r('4').body)).toEqual([]);
    expect(r('5').status).toBe(404);
    expect(validateErrorBody(r('5').body)).toEqual([]);
  });

  it('a request whose dependency failed is 424', async () => {
    const t = await token(emu, U.alex, EVENT_SCOPES);
    const res = await call(emu, 'POST', '/v1.0/$batch', {
      token: t,
      body: {
        requests: [
          { id: 'a', method: 'GET', url: '/users/00000000-0000-4e00-8000-999999999999' },
          { id: 'b', method: 'GET', url: `/users/${newHireId(0)}`, dependsOn: ['a'] },
        ],
      },
    });
    expect(res.body.responses.find((x: { id: string }) => x.id === 'b').status).toBe(424);
  });

  it('refuses more than 20 requests, duplicate ids, absolute urls and a body without Content-Type', async () => {
    const t = await token(emu, U.alex, EVENT_SCOPES);
    const get = (id: string) => ({ id, method: 'GET', url: `/users/${newHireId(0)}` });
    const bodies = [
      { requests: Array.from({ length: 21 }, (_, i) => get(String(i))) },
      { requests: [get('1'), get('1')] },
      { requests: [{ id: '1', method: 'GET', url: `${emu.urls.graph}/users/${newHireId(0)}` }] },
      { requests: [{ id: '1', method: 'POST', url: `/groups/${EVENT_CLAIM_GROUP}/members/$ref`, body: ref(emu, newHireId(0)) }] },
      { nothing: [] },
    ];
    for (const body of bodies) {
      const res = await call(emu, 'POST', '/v1.0/$batch', { token: t, body });
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(validateErrorBody(res.body)).toEqual([]);
    }
    const twenty = await call(emu, 'POST', '/v1.0/$batch', { token: t, body: { requests: Array.from({ length: 20 }, (_, i) => get(String(i))) } });
    expect(twenty.status).toBe(200);
    expect(twenty.body.responses).toHaveLength(20);
  });

  it('throttles each inner request on its own: 429 with Retry-After inside the batch, the rest answered', async () => {
    emu.ctx.throttle.configure({ resourceUnits: 5, windowSeconds: 60, retryAfterSeconds: 7 });
    const t = await token(emu, U.alex, EVENT_SCOPES);
    const res = await call(emu, 'POST', '/v1.0/$batch', {
      token: t,
      body: { requests: Array.from({ length: 10 }, (_, i) => ({ id: String(i), method: 'GET', url: `/users/${newHireId(i)}/authentication/fido2Methods` })) },
    });
    expect(res.status).toBe(200);
    const statuses = res.body.responses.map((r: { status: number }) => r.status);
    expect(statuses.filter((s: number) => s === 200)).toHaveLength(5);
    const throttled = res.body.responses.filter((r: { status: number }) => r.status === 429);
    expect(throttled).toHaveLength(5);
    for (const r of throttled) {
      expect(Number(r.headers['Retry-After'])).toBeGreaterThanOrEqual(7);
      expect(validateErrorBody(r.body)).toEqual([]);
    }
    // Each inner request is in the request log, marked as such; the envelope once.
    const log = emu.requestLog();
    expect(log.filter((e) => e.inBatch)).toHaveLength(10);
    expect(log.filter((e) => e.path === '/v1.0/$batch')).toHaveLength(1);
  });

  it('an injected 429 storm reaches the inner requests it matches', async () => {
    emu.injectFault({ path: '/fido2Methods$', status: 429, headers: { 'Retry-After': '3' }, count: 2 });
    const t = await token(emu, U.alex, EVENT_SCOPES);
    const res = await call(emu, 'POST', '/v1.0/$batch', {
      token: t,
      body: { requests: Array.from({ length: 3 }, (_, i) => ({ id: String(i), method: 'GET', url: `/users/${newHireId(i)}/authentication/fido2Methods` })) },
    });
    const statuses = res.body.responses.map((r: { status: number }) => r.status).sort();
    expect(statuses).toEqual([200, 429, 429]);
  });
});
