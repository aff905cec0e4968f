// temporaryAccessPassMethods against the running emulator: create/list/get/delete, the validation order of
// entra-graph.md 8.3 with the exact texts, replace semantics, usability over time and use (8.4), role and target
// rules (1.4), bad input, and the "dropped after commit" fault the kiosk must reconcile.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../index';
import { TAP_ALPHABET } from '../graph/methods';
import { Role } from '../model';
import { call, tapPath, token, U, userPath } from './graph-http';

let emu: Emulator;
beforeAll(async () => {
  // The short one-time "kiosk" TAP policy preset: these tests are about 10-minute one-time passes.
  emu = await startEmulator({ tapPolicy: 'kiosk' });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

const CONVERGED = 'Converged UserCredentialPolicy does not allow creating or updating this authentication method. AuthMethodType [TemporaryAccessPass].';
const EXTERNAL = 'Temporary Access Pass cannot be added to an external guest user.';
const lifetimeMessage = (min: number, max: number) => `Invalid LifetimeInMinutes specified. The valid range between ${min} and ${max}.`;

async function create(operator: string, target: string, body: unknown = {}, scopes?: readonly string[]) {
  return call(emu, 'POST', tapPath(target), { token: await token(emu, operator, scopes), body });
}

function expectError(res: { status: number; body: any }, status: number, code: string, message?: string) {
  expect(res.status).toBe(status);
  expect(res.body.error.code).toBe(code);
  if (message !== undefined) expect(res.body.error.message).toBe(message);
}

describe('POST temporaryAccessPassMethods: the pass', () => {
  it('creates a pass with the policy defaults and returns it once, with 201 and the @odata.type', async () => {
    const before = Date.now();
    const res = await create(U.alex, U.megan);
    expect(res.status).toBe(201);
    expect(res.body['@odata.type']).toBe('#microsoft.graph.temporaryAccessPassAuthenticationMethod');
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    // kiosk preset: length 12, default lifetime 10, one-time forced.
    expect(res.body.temporaryAccessPass).toHaveLength(12);
    expect(res.body.lifetimeInMinutes).toBe(10);
    expect(res.body.isUsableOnce).toBe(true);
    expect(res.body.isUsable).toBe(true);
    expect(res.body.methodUsabilityReason).toBe('EnabledByPolicy');
    expect(Date.parse(res.body.createdDateTime)).toBeGreaterThanOrEqual(before - 1000);
    expect(res.body.startDateTime).toBe(res.body.createdDateTime);
  });

  it('draws every character from the documented alphabet, and two passes differ', async () => {
    const a = (await create(U.alex, U.megan)).body.temporaryAccessPass as string;
    const b = (await create(U.alex, U.megan)).body.temporaryAccessPass as string;
    for (const ch of a + b) expect(TAP_ALPHABET).toContain(ch);
    expect(a).not.toBe(b);
  });

  it('uses the policy defaultLength and defaultLifetimeInMinutes of the microsoft-defaults preset', async () => {
    emu.reset('microsoft-defaults');
    const res = await create(U.alex, U.megan);
    expect(res.status).toBe(201);
    expect(res.body.temporaryAccessPass).toHaveLength(8);
    expect(res.body.lifetimeInMinutes).toBe(60);
    expect(res.body.isUsableOnce).toBe(false);
  });

  it('follows a policy change of defaultLength (8..48)', async () => {
    emu.ctx.state.tapPolicy.defaultLength = 48;
    expect((await create(U.alex, U.megan)).body.temporaryAccessPass).toHaveLength(48);
  });

  it('never returns the pass again: list and get show temporaryAccessPass null; list items carry no @odata.type', async () => {
    const created = (await create(U.alex, U.megan)).body;
    const t = await token(emu, U.alex);
    const list = await call(emu, 'GET', tapPath(U.megan), { token: t });
    expect(list.status).toBe(200);
    expect(list.body['@odata.context']).toMatch(/\$metadata#users\('00000000-0000-4000-8000-000000000010'\)\/authentication\/temporaryAccessPassMethods$/);
    expect(list.body.value).toHaveLength(1);
    expect(list.body.value[0]).not.toHaveProperty('@odata.type');
    expect(list.body.value[0].id).toBe(created.id);
    expect(list.body.value[0].temporaryAccessPass).toBeNull();
    const get = await call(emu, 'GET', tapPath(U.megan, created.id), { token: t });
    expect(get.status).toBe(200);
    expect(get.body['@odata.type']).toBe('#microsoft.graph.temporaryAccessPassAuthenticationMethod');
    expect(get.body.temporaryAccessPass).toBeNull();
    expect(JSON.stringify([list.body, get.body])).not.toContain(created.temporaryAccessPass);
  });

  it('replaces an existing pass: a second create is not an error, gets a new id, and the old one is gone', async () => {
    const t = await token(emu, U.alex);
    const existing = (await call(emu, 'GET', tapPath(U.johanna), { token: t })).body.value;
    expect(existing.map((x: { id: string }) => x.id)).toEqual([U.johannaTapId]);
    const res = await create(U.alex, U.johanna);
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe(U.johannaTapId);
    const list = await call(emu, 'GET', tapPath(U.johanna), { token: t });
    expect(list.body.value.map((x: { id: string }) => x.id)).toEqual([res.body.id]);
    expectError(await call(emu, 'GET', tapPath(U.johanna, U.johannaTapId), { token: t }), 404, 'Request_ResourceNotFound');
  });

  it('honours startDateTime: NotYetValid until then, and echoes it', async () => {
    const start = new Date(emu.ctx.clock.nowMs() + 30 * 60_000).toISOString();
    const res = await create(U.alex, U.megan, { startDateTime: start });
    expect(res.status).toBe(201);
    expect(Date.parse(res.body.startDateTime)).toBe(Date.parse(start));
    expect(res.body.isUsable).toBe(false);
    expect(res.body.methodUsabilityReason).toBe('NotYetValid');
  });

  it('accepts the doc example body under the Microsoft defaults (multi-use, 60 minutes, a later start)', async () => {
    emu.reset('microsoft-defaults');
    const res = await create(U.alex, U.megan, { startDateTime: '2099-06-05T00:00:00.000Z', lifetimeInMinutes: 60, isUsableOnce: false });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ lifetimeInMinutes: 60, isUsableOnce: false, isUsable: false, methodUsabilityReason: 'NotYetValid' });
    expect(res.body.startDateTime).toBe('2099-06-05T00:00:00.000Z');
  });

  it('treats an empty JSON body as "all defaults"', async () => {
    const res = await call(emu, 'POST', tapPath(U.megan), { token: await token(emu, U.alex), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(201);
    expect(res.body.lifetimeInMinutes).toBe(10);
  });
});

describe('POST temporaryAccessPassMethods: validation in the order of 8.3', () => {
  it('1. an unknown user is 404 Request_ResourceNotFound, even for a caller without the scope', async () => {
    const res = await create(U.nestor, 'nobody@tapkioskdemo.onmicrosoft.com', {}, ['User.Read']);
    expectError(
      res,
      404,
      'Request_ResourceNotFound',
      "Resource 'nobody@tapkioskdemo.onmicrosoft.com' does not exist or one of its queried reference-property objects are not present.",
    );
  });

  it('2. a read scope is not enough to create: 403 accessDenied', async () => {
    for (const scopes of [['UserAuthenticationMethod.Read.All'], ['UserAuthMethod-TAP.Read.All'], ['User.Read.All']]) {
      expectError(await create(U.alex, U.megan, {}, scopes), 403, 'accessDenied', 'Request Authorization failed.');
    }
  });

  it('2. either ReadWrite.All scope is enough: UserAuthenticationMethod or UserAuthMethod-TAP', async () => {
    expect((await create(U.alex, U.megan, {}, ['UserAuthMethod-TAP.ReadWrite.All'])).status).toBe(201);
    expect((await create(U.alex, U.megan, {}, ['UserAuthenticationMethod.ReadWrite.All'])).status).toBe(201);
  });

  it('3. operators without Authentication Administrator or Privileged Authentication Administrator get 403', async () => {
    expectError(await create(U.nestor, U.megan), 403, 'accessDenied');
    // An Authentication Policy Administrator edits the policy, not users' methods.
    expectError(await create(U.lidia, U.megan), 403, 'accessDenied');
  });

  it('3. a Global Reader reads passes but cannot create or delete them', async () => {
    emu.ctx.state.users.get('00000000-0000-4000-8000-000000000004')!.roles = [Role.GlobalReader];
    const t = await token(emu, U.nestor);
    expect((await call(emu, 'GET', tapPath(U.johanna), { token: t })).status).toBe(200);
    expectError(await create(U.nestor, U.megan), 403, 'accessDenied');
    expectError(await call(emu, 'DELETE', tapPath(U.johanna, U.johannaTapId), { token: t }), 403, 'accessDenied');
  });

  it('3. nobody creates a pass for themselves, whatever their role, by id or through /me', async () => {
    expectError(await create(U.alex, U.alex), 403, 'accessDenied');
    expectError(await create(U.patti, U.patti), 403, 'accessDenied');
    const me = await call(emu, 'POST', '/v1.0/me/authentication/temporaryAccessPassMethods', { token: await token(emu, U.patti), body: {} });
    expectError(me, 403, 'accessDenied');
  });

  it('3. an Authentication Administrator may not target a Global Administrator, another admin role, or a role-assignable group member', async () => {
    for (const target of [U.adele, U.pradeep, U.grady, U.patti]) {
      expectError(await create(U.alex, target), 403, 'accessDenied');
    }
  });

  it('3. an Authentication Administrator may target members and other Authentication Administrators', async () => {
    expect((await create(U.alex, U.obrien)).status).toBe(201);
    expect((await create(U.alex, U.henrietta)).status).toBe(403); // Henrietta is in a role-assignable group
    expect((await create(U.henrietta, U.alex)).status).toBe(201);
  });

  it('3. the Authentication Administrator role through a role-assignable group counts like a direct one', async () => {
    expect((await create(U.henrietta, U.megan)).status).toBe(201);
    expectError(await create(U.henrietta, U.adele), 403, 'accessDenied');
  });

  it('3. a Privileged Authentication Administrator may target a Global Administrator and a role-assignable group member', async () => {
    expect((await create(U.patti, U.adele)).status).toBe(201);
    expect((await create(U.patti, U.grady)).status).toBe(201);
  });

  it('4. an external guest cannot have a pass: 400 with the documented text', async () => {
    expectError(await create(U.alex, U.chris), 400, 'badRequest', EXTERNAL);
    expectError(await create(U.alex, U.chrisId), 400, 'badRequest', EXTERNAL);
  });

  it('4. an internal guest can', async () => {
    expect((await create(U.alex, U.lynne)).status).toBe(201);
  });

  it('4. a disabled account can get a pass (creating is allowed; signing in with it is what fails)', async () => {
    const res = await create(U.alex, U.diego);
    expect(res.status).toBe(201);
    expect(res.body.isUsable).toBe(true);
  });

  it('4 after 3: a caller without a role gets 403 for an external guest, not 400', async () => {
    expectError(await create(U.nestor, U.chris), 403, 'accessDenied');
  });

  it('5. a user the policy excludes gets 400 Converged UserCredentialPolicy', async () => {
    expectError(await create(U.alex, U.isaiah), 400, 'badRequest', CONVERGED);
  });

  it('5. a disabled policy refuses everyone with the same text', async () => {
    emu.ctx.state.tapPolicy.state = 'disabled';
    expectError(await create(U.alex, U.megan), 400, 'badRequest', CONVERGED);
  });

  it('5. a policy that includes only one user refuses the others', async () => {
    emu.ctx.state.tapPolicy.includeTargets = [{ targetType: 'user', id: U.meganId, isRegistrationRequired: false }];
    expect((await create(U.alex, U.megan)).status).toBe(201);
    expectError(await create(U.alex, U.obrien), 400, 'badRequest', CONVERGED);
  });

  it('5 before 6: an excluded user with a bad lifetime hears about the policy', async () => {
    expectError(await create(U.alex, U.isaiah, { lifetimeInMinutes: 5 }), 400, 'badRequest', CONVERGED);
  });

  it('6. a lifetime outside the policy range is 400 badRequest naming the policy bounds, also in innerError.message', async () => {
    for (const lifetimeInMinutes of [9, 61, 5, 43201, 0, -1]) {
      const res = await create(U.alex, U.megan, { lifetimeInMinutes });
      expectError(res, 400, 'badRequest', lifetimeMessage(10, 60));
      expect(res.body.error.innerError.message).toBe(lifetimeMessage(10, 60));
      expect(res.body.error.innerError['request-id']).toBe(res.headers['request-id']);
    }
  });

  it('6. the bounds themselves are accepted', async () => {
    expect((await create(U.alex, U.megan, { lifetimeInMinutes: 10 })).body.lifetimeInMinutes).toBe(10);
    expect((await create(U.alex, U.megan, { lifetimeInMinutes: 60 })).body.lifetimeInMinutes).toBe(60);
  });

  it('6. under the Microsoft defaults the range is 60..480', async () => {
    emu.reset('microsoft-defaults');
    expectError(await create(U.alex, U.megan, { lifetimeInMinutes: 10 }), 400, 'badRequest', lifetimeMessage(60, 480));
    expectError(await create(U.alex, U.megan, { lifetimeInMinutes: 481 }), 400, 'badRequest', lifetimeMessage(60, 480));
    expect((await create(U.alex, U.megan, { lifetimeInMinutes: 480 })).status).toBe(201);
  });

  it('6 before 7: a bad lifetime and a refused multi-use pass report the lifetime', async () => {
    expectError(await create(U.alex, U.megan, { lifetimeInMinutes: 61, isUsableOnce: false }), 400, 'badRequest', lifetimeMessage(10, 60));
  });

  it('7. a multi-use pass is refused when the policy forces one-time use', async () => {
    const res = await create(U.alex, U.megan, { isUsableOnce: false });
    expectError(res, 400, 'badRequest');
    expect(emu.ctx.state.taps.has(U.meganId)).toBe(false);
  });

  it('7. an explicit one-time pass under a multi-use policy is honoured', async () => {
    emu.reset('microsoft-defaults');
    expect((await create(U.alex, U.megan, { isUsableOnce: true })).body.isUsableOnce).toBe(true);
  });

  it('a refused create leaves an existing pass untouched', async () => {
    await create(U.alex, U.johanna, { lifetimeInMinutes: 999 });
    expect(emu.ctx.state.taps.get(U.johannaId)?.id).toBe(U.johannaTapId);
  });
});

describe('isUsable / methodUsabilityReason change with time, use and policy (8.4)', () => {
  const read = async (tapId: string) => (await call(emu, 'GET', tapPath(U.megan, tapId), { token: await token(emu, U.alex) })).body;

  it('NotYetValid → EnabledByPolicy → OneTimeUsed as the clock moves and the pass is used', async () => {
    const start = new Date(emu.ctx.clock.nowMs() + 5 * 60_000).toISOString();
    const { id } = (await create(U.alex, U.megan, { startDateTime: start })).body;
    expect(await read(id)).toMatchObject({ isUsable: false, methodUsabilityReason: 'NotYetValid' });
    emu.advanceClock(6);
    expect(await read(id)).toMatchObject({ isUsable: true, methodUsabilityReason: 'EnabledByPolicy' });
    emu.ctx.state.taps.get(U.meganId)!.usedDateTime = emu.ctx.clock.now(); // what My Security Info does at sign-in
    expect(await read(id)).toMatchObject({ isUsable: false, methodUsabilityReason: 'OneTimeUsed' });
  });

  it('EnabledByPolicy → Expired once start + lifetime has passed', async () => {
    const { id } = (await create(U.alex, U.megan, { lifetimeInMinutes: 10 })).body;
    emu.advanceClock(9);
    expect(await read(id)).toMatchObject({ isUsable: true, methodUsabilityReason: 'EnabledByPolicy' });
    emu.advanceClock(2);
    expect(await read(id)).toMatchObject({ isUsable: false, methodUsabilityReason: 'Expired' });
  });

  it('a multi-use pass stays usable after a sign-in', async () => {
    emu.reset('microsoft-defaults');
    const { id } = (await create(U.alex, U.megan)).body;
    emu.ctx.state.taps.get(U.meganId)!.usedDateTime = emu.ctx.clock.now();
    expect(await read(id)).toMatchObject({ isUsable: true, methodUsabilityReason: 'EnabledByPolicy' });
  });

  it('DisabledByPolicy after the policy is disabled through the admin API, and back when re-enabled', async () => {
    const { id } = (await create(U.alex, U.megan)).body;
    const patch = (state: string) => call(emu, 'PATCH', '/_admin/policies/temporaryAccessPass', { body: { state } });
    expect((await patch('disabled')).status).toBe(200);
    expect(await read(id)).toMatchObject({ isUsable: false, methodUsabilityReason: 'DisabledByPolicy' });
    await patch('enabled');
    expect(await read(id)).toMatchObject({ isUsable: true, methodUsabilityReason: 'EnabledByPolicy' });
  });

  it('DisabledByPolicy when the user falls out of the policy targets', async () => {
    const { id } = (await create(U.alex, U.megan)).body;
    const res = await call(emu, 'PATCH', '/_admin/policies/temporaryAccessPass', { body: { excludeTargets: [{ targetType: 'user', id: U.meganId }] } });
    expect(res.status).toBe(200);
    expect(await read(id)).toMatchObject({ isUsable: false, methodUsabilityReason: 'DisabledByPolicy' });
  });

  it('DisabledByPolicy for a multi-use pass once the policy forces one-time use (sign-in refuses it too)', async () => {
    await call(emu, 'POST', '/_admin/reset', { body: { tapPolicy: 'microsoft-defaults' } });
    const { id } = (await create(U.alex, U.megan, { isUsableOnce: false })).body;
    expect(await read(id)).toMatchObject({ isUsable: true, methodUsabilityReason: 'EnabledByPolicy' });
    await call(emu, 'PATCH', '/_admin/policies/temporaryAccessPass', { body: { isUsableOnce: true } });
    expect(await read(id)).toMatchObject({ isUsable: false, methodUsabilityReason: 'DisabledByPolicy' });
  });

  it('the list shows the same usability as get', async () => {
    await create(U.alex, U.megan);
    emu.advanceClock(11);
    const list = await call(emu, 'GET', tapPath(U.megan), { token: await token(emu, U.alex) });
    expect(list.body.value[0]).toMatchObject({ isUsable: false, methodUsabilityReason: 'Expired' });
  });
});

describe('GET and DELETE temporaryAccessPassMethods', () => {
  it('lists an empty collection for a user without a pass', async () => {
    const res = await call(emu, 'GET', tapPath(U.megan), { token: await token(emu, U.alex) });
    expect(res.status).toBe(200);
    expect(res.body.value).toEqual([]);
  });

  it('reads the seeded pass of a user who has one', async () => {
    const res = await call(emu, 'GET', tapPath(U.johanna, U.johannaTapId), { token: await token(emu, U.alex) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: U.johannaTapId, lifetimeInMinutes: 60, isUsableOnce: true, temporaryAccessPass: null, isUsable: true });
  });

  it('deletes with 204 and no body; the pass is gone from the list', async () => {
    const t = await token(emu, U.alex);
    const res = await call(emu, 'DELETE', tapPath(U.johanna, U.johannaTapId), { token: t });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await call(emu, 'GET', tapPath(U.johanna), { token: t })).body.value).toEqual([]);
  });

  it('a get or delete of an unknown pass id is 404', async () => {
    const t = await token(emu, U.alex);
    const other = '11111111-2222-4333-8444-555555555555';
    expectError(await call(emu, 'GET', tapPath(U.johanna, other), { token: t }), 404, 'Request_ResourceNotFound');
    expectError(await call(emu, 'DELETE', tapPath(U.johanna, other), { token: t }), 404, 'Request_ResourceNotFound');
    expectError(await call(emu, 'DELETE', tapPath(U.megan, U.johannaTapId), { token: t }), 404, 'Request_ResourceNotFound');
  });

  it('delete follows the same role and target rules as create', async () => {
    const created = (await create(U.patti, U.adele)).body;
    expectError(await call(emu, 'DELETE', tapPath(U.adele, created.id), { token: await token(emu, U.alex) }), 403, 'accessDenied');
    expectError(
      await call(emu, 'DELETE', tapPath(U.johanna, U.johannaTapId), { token: await token(emu, U.alex, ['UserAuthenticationMethod.Read.All']) }),
      403,
      'accessDenied',
    );
    expect((await call(emu, 'DELETE', tapPath(U.adele, created.id), { token: await token(emu, U.patti) })).status).toBe(204);
  });

  it('nobody deletes their own pass', async () => {
    const t = await token(emu, U.johanna, ['UserAuthenticationMethod.ReadWrite', 'UserAuthMethod-TAP.ReadWrite']);
    expectError(await call(emu, 'DELETE', `/v1.0/me/authentication/temporaryAccessPassMethods/${U.johannaTapId}`, { token: t }), 403, 'accessDenied');
  });

  it('a user reads their own pass through /me with a self scope; never the pass itself', async () => {
    const t = await token(emu, U.johanna, ['UserAuthMethod-TAP.Read']);
    const res = await call(emu, 'GET', '/v1.0/me/authentication/temporaryAccessPassMethods', { token: t });
    expect(res.status).toBe(200);
    expect(res.body.value).toHaveLength(1);
    expect(res.body.value[0].temporaryAccessPass).toBeNull();
  });

  it("reading another user's pass needs an .All read scope and a reading role", async () => {
    expectError(await call(emu, 'GET', tapPath(U.johanna), { token: await token(emu, U.alex, ['UserAuthenticationMethod.Read']) }), 403, 'accessDenied');
    expectError(await call(emu, 'GET', tapPath(U.johanna), { token: await token(emu, U.nestor) }), 403, 'accessDenied');
    expect((await call(emu, 'GET', tapPath(U.johanna), { token: await token(emu, U.alex, ['UserAuthMethod-TAP.Read.All']) })).status).toBe(200);
  });

  it('answers the same under /beta', async () => {
    const res = await call(emu, 'GET', `/beta/users/${U.johannaId}/authentication/temporaryAccessPassMethods`, { token: await token(emu, U.alex) });
    expect(res.status).toBe(200);
    expect(res.body['@odata.context']).toContain('/beta/$metadata#');
  });
});

describe('bad input on the TAP routes', () => {
  it('malformed JSON is 400 BadRequest, and the emulator keeps serving', async () => {
    const t = await token(emu, U.alex);
    const res = await call(emu, 'POST', tapPath(U.megan), { token: t, body: '{"lifetimeInMinutes": 10,', headers: { 'content-type': 'application/json' } });
    expectError(res, 400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
    expect((await create(U.alex, U.megan)).status).toBe(201);
  });

  it('a non-JSON content type is 415, with or without a body', async () => {
    const t = await token(emu, U.alex);
    expectError(
      await call(emu, 'POST', tapPath(U.megan), { token: t, body: 'lifetimeInMinutes=10', headers: { 'content-type': 'text/plain' } }),
      415,
      'UnsupportedMediaType',
    );
    expectError(
      await call(emu, 'POST', tapPath(U.megan), { token: t, body: 'lifetimeInMinutes=10', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      415,
      'UnsupportedMediaType',
    );
    expectError(
      await call(emu, 'POST', tapPath(U.megan), { token: t, body: '<a/>', headers: { 'content-type': 'application/xml' } }),
      415,
      'UnsupportedMediaType',
    );
    expectError(await call(emu, 'POST', tapPath(U.megan), { token: t }), 415, 'UnsupportedMediaType');
    expect(emu.ctx.state.taps.has(U.meganId)).toBe(false);
  });

  it('wrongly typed properties are refused the way OData binds them', async () => {
    const t = await token(emu, U.alex);
    const post = (body: unknown) => call(emu, 'POST', tapPath(U.megan), { token: t, body });
    expectError(await post({ lifetimeInMinutes: '10' }), 400, 'BadRequest', "Cannot convert the literal '10' to the expected type 'Edm.Int32'.");
    expectError(await post({ lifetimeInMinutes: 10.5 }), 400, 'BadRequest', "Cannot convert the literal '10.5' to the expected type 'Edm.Int32'.");
    expectError(await post({ isUsableOnce: 'yes' }), 400, 'BadRequest', "Cannot convert the literal 'yes' to the expected type 'Edm.Boolean'.");
    expectError(
      await post({ startDateTime: 'tomorrow' }),
      400,
      'BadRequest',
      "Cannot convert the literal 'tomorrow' to the expected type 'Edm.DateTimeOffset'.",
    );
    expectError(await post([1, 2]), 400, 'BadRequest');
    expectError(
      await post({ lifetime: 10 }),
      400,
      'BadRequest',
      "The property 'lifetime' does not exist on type 'microsoft.graph.temporaryAccessPassAuthenticationMethod'. Make sure to only use property names that are defined by the type or mark the type as open type.",
    );
    expect(emu.ctx.state.taps.has(U.meganId)).toBe(false);
  });

  it('an @odata.type annotation and echoed read-only properties are accepted (the pass is still generated)', async () => {
    const res = await create(U.alex, U.megan, {
      '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethod',
      temporaryAccessPass: 'chosen!',
      lifetimeInMinutes: 15,
    });
    expect(res.status).toBe(201);
    expect(res.body.temporaryAccessPass).not.toBe('chosen!');
  });

  it('hostile ids in the path are 404 in Graph shape, never a crash or a match', async () => {
    const t = await token(emu, U.alex);
    const hostile = ["' or 1 eq 1 or '", '../../_admin/reset', '%00', '*', 'x'.repeat(900), '<script>alert(1)</script>', 'ALEX.WILBER@', '🙂'];
    for (const id of hostile) {
      const res = await call(emu, 'POST', tapPath(id), { token: t, body: {} });
      expectError(res, 404, 'Request_ResourceNotFound');
      expect(res.body.error.message).toBe(`Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
    }
    const pass = await call(emu, 'GET', tapPath(U.johanna, "'; DROP TABLE taps;--"), { token: t });
    expectError(pass, 404, 'Request_ResourceNotFound');
    expect(emu.ctx.state.taps.size).toBe(1);
    expect((await create(U.alex, U.megan)).status).toBe(201);
  });

  it('an id longer than the router accepts, or a broken %-escape, is refused in Graph shape with request ids', async () => {
    const res = await call(emu, 'POST', tapPath('y'.repeat(1500)), { token: await token(emu, U.alex), body: {} });
    expect(res.status).toBe(414);
    expect(res.body.error.code).toBe('BadRequest');
    expect(res.body.error.innerError['request-id']).toBe(res.headers['request-id']);
    const badEscape = await call(emu, 'GET', '/v1.0/users/%E0%A4%A/authentication/temporaryAccessPassMethods', { token: await token(emu, U.alex) });
    expect(badEscape.status).toBe(400);
    expect(badEscape.body.error.code).toBe('BadRequest');
    expect((await create(U.alex, U.megan)).status).toBe(201);
  });

  it('resolves users by id or UPN case-insensitively, including apostrophes and non-ASCII UPN neighbours', async () => {
    expect((await create(U.alex, U.obrien.toUpperCase())).status).toBe(201);
    expect((await create(U.alex, U.zoe)).status).toBe(201);
    expect(
      (
        await call(emu, 'GET', userPath('00000000-0000-4000-8000-000000000018', '/authentication/temporaryAccessPassMethods'), {
          token: await token(emu, U.alex),
        })
      ).body.value,
    ).toHaveLength(1);
  });
});

describe('body size limit', () => {
  let small: Emulator;
  beforeAll(async () => {
    small = await startEmulator({ bodyLimit: 256 });
  });
  afterAll(async () => small.close());

  it('a body over the limit is 413 Request_EntityTooLarge, and the next request is served', async () => {
    const t = await token(small, U.alex);
    const big = { lifetimeInMinutes: 10, padding: 'x'.repeat(1000) };
    const res = await call(small, 'POST', tapPath(U.megan), { token: t, body: big });
    expectError(res, 413, 'Request_EntityTooLarge');
    expect(small.ctx.state.taps.has(U.meganId)).toBe(false);
    expect((await call(small, 'POST', tapPath(U.megan), { token: t, body: {} })).status).toBe(201);
  });
});

describe('faults and throttling on the TAP routes', () => {
  it('a connection dropped after the commit: the client sees a network error, yet the pass exists', async () => {
    emu.injectFault({ method: 'POST', path: '/temporaryAccessPassMethods$', drop: 'after' });
    await expect(create(U.alex, U.megan)).rejects.toThrow(/socket hang up|ECONNRESET/);
    const list = await call(emu, 'GET', tapPath(U.megan), { token: await token(emu, U.alex) });
    expect(list.body.value).toHaveLength(1);
    expect(list.body.value[0].temporaryAccessPass).toBeNull();
    expect(emu.requestLog().find((r) => r.method === 'POST')?.fault).toBe('drop-after');
  });

  it('a small throttle bucket yields 429 TooManyRequests with Retry-After and the throttle headers', async () => {
    emu.ctx.throttle.configure({ resourceUnits: 2, windowSeconds: 60, retryAfterSeconds: 7 });
    const t = await token(emu, U.alex);
    const first = await call(emu, 'GET', tapPath(U.megan), { token: t });
    expect(first.status).toBe(200);
    expect(first.headers['x-ms-resource-unit']).toBe('1');
    await create(U.alex, U.megan);
    const res = await call(emu, 'GET', tapPath(U.megan), { token: t });
    expect(res.status).toBe(429);
    // At least the configured 7 s, and as long as the 60-second bucket needs to hold one unit again.
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(7);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(res.headers['x-ms-throttle-information']).toBe('ResourceUnitLimitExceeded');
    expect(res.body.error).toMatchObject({ code: 'TooManyRequests', message: 'Please retry again later.' });
    expect(res.body.error.innerError.message).toBe('Please retry after');
  });

  it('the write bucket throttles writes with WriteLimitExceeded, configured through PUT /_admin/throttle', async () => {
    const put = await call(emu, 'PUT', '/_admin/throttle', { body: { writes: 1, writeWindowSeconds: 60, retryAfterSeconds: null } });
    expect(put.status).toBe(200);
    expect((await create(U.alex, U.megan)).status).toBe(201);
    const res = await create(U.alex, U.megan);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(res.headers['x-ms-throttle-information']).toBe('WriteLimitExceeded');
    expect(res.body.error.code).toBe('TooManyRequests');
    emu.reset();
    expect((await create(U.alex, U.megan)).status).toBe(201);
  });
});

describe('POST temporaryAccessPassMethods: an account created minutes ago (issue 10, 3o)', () => {
  it('is refused with 404 Request_ResourceNotFound until the configured time after createdDateTime has passed', async () => {
    const megan = emu.ctx.state.users.get(U.meganId)!;
    megan.createdDateTime = new Date(emu.ctx.clock.nowMs() - 30_000).toISOString();
    const early = await create(U.alex, U.megan, { lifetimeInMinutes: 60 });
    expectError(
      early,
      404,
      'Request_ResourceNotFound',
      `Resource '${U.meganId}' does not exist or one of its queried reference-property objects are not present.`,
    );
    expect(emu.ctx.state.taps.get(U.meganId)).toBeUndefined();
    emu.advanceClock(2); // minutes: past the default two minutes after creation
    expect((await create(U.alex, U.megan, { lifetimeInMinutes: 60 })).status).toBe(201);
  });

  it('the delay is configurable, and an account created long ago is never affected', async () => {
    const megan = emu.ctx.state.users.get(U.meganId)!;
    megan.createdDateTime = new Date(emu.ctx.clock.nowMs() - 30_000).toISOString();
    emu.ctx.state.newAccountMethodDelayMs = 20_000;
    expect((await create(U.alex, U.megan, { lifetimeInMinutes: 60 })).status).toBe(201);
    emu.ctx.state.newAccountMethodDelayMs = 10 * 60_000;
    megan.createdDateTime = undefined; // seeded long ago
    expect((await create(U.alex, U.megan, { lifetimeInMinutes: 60 })).status).toBe(201);
  });
});
