// fido2Methods and the methods list against the running emulator (entra-graph.md 4.1, 5.1): the documented
// properties (never publicKeyCredential), the password method's fixed id, the @odata.type values, and the same
// permission, role and target rules as for passes.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../index';
import { PASSWORD_METHOD_ID, Role } from '../model';
import { call, tapPath, token, U, userPath } from './graph-http';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

const keysPath = (user: string, keyId?: string) => userPath(user, `/authentication/fido2Methods${keyId ? `/${keyId}` : ''}`);
const methodsPath = (user: string, methodId?: string) => userPath(user, `/authentication/methods${methodId ? `/${methodId}` : ''}`);

/** Gives a user a security key straight in the tenant state, as if registered elsewhere. */
function giveKey(userId: string, id = 'f1d0c0de-0011-4a00-8000-00000000a011') {
  emu.ctx.state.fido2.set(id, {
    id,
    userId,
    displayName: 'Admin key',
    createdDateTime: new Date('2025-01-01T00:00:00Z'),
    aaGuid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8',
    model: 'YubiKey 5 Series',
    attestationLevel: 'attested',
    attestationCertificates: [],
    passkeyType: 'deviceBound',
    credentialId: 'AAEC',
  });
  return id;
}

describe('GET fido2Methods', () => {
  it('lists a registered key with exactly the documented properties', async () => {
    const res = await call(emu, 'GET', keysPath(U.lee), { token: await token(emu, U.alex) });
    expect(res.status).toBe(200);
    expect(res.body['@odata.context']).toMatch(/#users\('00000000-0000-4000-8000-000000000017'\)\/authentication\/fido2Methods$/);
    expect(res.body.value).toEqual([
      {
        '@odata.type': '#microsoft.graph.fido2AuthenticationMethod',
        id: U.leeKeyId,
        displayName: 'YubiKey (lost)',
        createdDateTime: '2025-03-02T09:14:07.000Z',
        aaGuid: '2fc0579f-8113-47ea-b116-bb5a8db9202a',
        model: 'YubiKey 5 Series with NFC',
        attestationCertificates: [],
        attestationLevel: 'attested',
        passkeyType: 'deviceBound',
      },
    ]);
  });

  it('never returns publicKeyCredential or the credential id, even for a key registered with one', async () => {
    giveKey(U.meganId);
    const res = await call(emu, 'GET', keysPath(U.megan), { token: await token(emu, U.alex) });
    expect(res.body.value).toHaveLength(1);
    expect(res.text).not.toContain('publicKeyCredential');
    expect(res.text).not.toContain('credentialId');
    expect(res.text).not.toContain('AAEC');
  });

  it('gets one key by id; an unknown id, or another user’s key, is 404', async () => {
    const t = await token(emu, U.alex);
    const one = await call(emu, 'GET', keysPath(U.lee, U.leeKeyId), { token: t });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      '@odata.type': '#microsoft.graph.fido2AuthenticationMethod',
      id: U.leeKeyId,
      aaGuid: '2fc0579f-8113-47ea-b116-bb5a8db9202a',
    });
    expect((await call(emu, 'GET', keysPath(U.lee, 'nope'), { token: t })).body.error.code).toBe('Request_ResourceNotFound');
    expect((await call(emu, 'GET', keysPath(U.megan, U.leeKeyId), { token: t })).status).toBe(404);
  });

  it('an empty collection for a user without keys', async () => {
    const res = await call(emu, 'GET', keysPath(U.megan), { token: await token(emu, U.alex) });
    expect(res.body.value).toEqual([]);
  });

  it('accepts the passkey-specific read scope; refuses without a reading role or an .All scope', async () => {
    expect((await call(emu, 'GET', keysPath(U.lee), { token: await token(emu, U.alex, ['UserAuthMethod-Passkey.Read.All']) })).status).toBe(200);
    expect((await call(emu, 'GET', keysPath(U.lee), { token: await token(emu, U.alex, ['UserAuthMethod-TAP.Read.All']) })).status).toBe(403);
    const noRole = await call(emu, 'GET', keysPath(U.lee), { token: await token(emu, U.nestor) });
    expect(noRole.status).toBe(403);
    expect(noRole.body.error).toMatchObject({ code: 'accessDenied', message: 'Request Authorization failed.' });
    expect((await call(emu, 'GET', keysPath(U.lee), { token: await token(emu, U.lidia) })).status).toBe(403);
  });

  it('a user reads their own keys through /me with UserAuthenticationMethod.Read', async () => {
    const res = await call(emu, 'GET', '/v1.0/me/authentication/fido2Methods', { token: await token(emu, U.lee, ['UserAuthenticationMethod.Read']) });
    expect(res.status).toBe(200);
    expect(res.body.value.map((k: { id: string }) => k.id)).toEqual([U.leeKeyId]);
  });
});

describe('DELETE fido2Methods', () => {
  it('an Authentication Administrator removes a member’s lost key: 204, then it is gone', async () => {
    const t = await token(emu, U.alex);
    const res = await call(emu, 'DELETE', keysPath(U.lee, U.leeKeyId), { token: t });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await call(emu, 'GET', keysPath(U.lee), { token: t })).body.value).toEqual([]);
    expect((await call(emu, 'DELETE', keysPath(U.lee, U.leeKeyId), { token: t })).status).toBe(404);
  });

  it('an Authentication Administrator may not remove a Global Administrator’s or a role-assignable group member’s key; a PAA may', async () => {
    const adeleKey = giveKey('00000000-0000-4000-8000-000000000011');
    const gradyKey = giveKey('00000000-0000-4000-8000-000000000012', 'f1d0c0de-0012-4a00-8000-00000000a012');
    for (const [user, key] of [
      [U.adele, adeleKey],
      [U.grady, gradyKey],
    ] as const) {
      const denied = await call(emu, 'DELETE', keysPath(user, key), { token: await token(emu, U.alex) });
      expect(denied.status).toBe(403);
      expect(denied.body.error.code).toBe('accessDenied');
      expect((await call(emu, 'DELETE', keysPath(user, key), { token: await token(emu, U.patti) })).status).toBe(204);
    }
  });

  it('read scopes cannot delete; the passkey ReadWrite.All scope can', async () => {
    expect((await call(emu, 'DELETE', keysPath(U.lee, U.leeKeyId), { token: await token(emu, U.alex, ['UserAuthenticationMethod.Read.All']) })).status).toBe(
      403,
    );
    expect((await call(emu, 'DELETE', keysPath(U.lee, U.leeKeyId), { token: await token(emu, U.alex, ['UserAuthMethod-Passkey.ReadWrite.All']) })).status).toBe(
      204,
    );
  });

  it('hostile key ids are 404 and delete nothing', async () => {
    const t = await token(emu, U.alex);
    for (const id of ["' or 1 eq 1 or '", '..%2F..%2F_admin%2Freset', '*', 'k'.repeat(900)]) {
      const res = await call(emu, 'DELETE', keysPath(U.lee, encodeURIComponent(id)), { token: t });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('Request_ResourceNotFound');
    }
    expect(emu.ctx.state.fido2.has(U.leeKeyId)).toBe(true);
  });

  it('a Global Reader and a role-less operator cannot delete', async () => {
    expect((await call(emu, 'DELETE', keysPath(U.lee, U.leeKeyId), { token: await token(emu, U.nestor) })).status).toBe(403);
    emu.ctx.state.users.get('00000000-0000-4000-8000-000000000004')!.roles = [Role.GlobalReader];
    const t = await token(emu, U.nestor);
    expect((await call(emu, 'GET', keysPath(U.lee), { token: t })).status).toBe(200);
    expect((await call(emu, 'DELETE', keysPath(U.lee, U.leeKeyId), { token: t })).status).toBe(403);
    expect(emu.ctx.state.fido2.has(U.leeKeyId)).toBe(true);
  });

  it('a user may delete their own key through /me with a self ReadWrite scope (the doc lists /me for delete), not with a read scope', async () => {
    const read = await call(emu, 'DELETE', `/v1.0/me/authentication/fido2Methods/${U.leeKeyId}`, {
      token: await token(emu, U.lee, ['UserAuthenticationMethod.Read']),
    });
    expect(read.status).toBe(403);
    const own = await call(emu, 'DELETE', `/v1.0/me/authentication/fido2Methods/${U.leeKeyId}`, {
      token: await token(emu, U.lee, ['UserAuthenticationMethod.ReadWrite']),
    });
    expect(own.status).toBe(204);
  });
});

describe('GET authentication/methods', () => {
  it('lists the password (fixed id, password null), the security key and the pass, each with its @odata.type', async () => {
    await call(emu, 'POST', tapPath(U.lee), { token: await token(emu, U.alex), body: {} });
    const res = await call(emu, 'GET', methodsPath(U.lee), { token: await token(emu, U.alex) });
    expect(res.status).toBe(200);
    const types = res.body.value.map((m: Record<string, unknown>) => m['@odata.type']);
    expect(types).toEqual([
      '#microsoft.graph.passwordAuthenticationMethod',
      '#microsoft.graph.fido2AuthenticationMethod',
      '#microsoft.graph.temporaryAccessPassAuthenticationMethod',
    ]);
    const [password, key, tap] = res.body.value;
    expect(password).toMatchObject({ id: PASSWORD_METHOD_ID, password: null });
    expect(key.id).toBe(U.leeKeyId);
    expect(tap.temporaryAccessPass).toBeNull();
    expect(tap).toHaveProperty('methodUsabilityReason', 'EnabledByPolicy');
  });

  it('the password method has the same id for every user', async () => {
    const t = await token(emu, U.alex);
    for (const user of [U.megan, U.obrien, U.zoe]) {
      const res = await call(emu, 'GET', methodsPath(user), { token: t });
      expect(res.body.value).toEqual([
        { '@odata.type': '#microsoft.graph.passwordAuthenticationMethod', id: PASSWORD_METHOD_ID, password: null, createdDateTime: null },
      ]);
    }
  });

  it('an external guest has no password here', async () => {
    const res = await call(emu, 'GET', methodsPath(U.chris), { token: await token(emu, U.alex) });
    expect(res.status).toBe(200);
    expect(res.body.value).toEqual([]);
  });

  it('gets one method by id, the password included', async () => {
    const res = await call(emu, 'GET', methodsPath(U.megan, PASSWORD_METHOD_ID), { token: await token(emu, U.alex) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ '@odata.type': '#microsoft.graph.passwordAuthenticationMethod', id: PASSWORD_METHOD_ID });
    expect((await call(emu, 'GET', methodsPath(U.megan, 'nope'), { token: await token(emu, U.alex) })).status).toBe(404);
  });

  it('needs UserAuthenticationMethod.Read.All (or ReadWrite.All) for others, UserAuthenticationMethod.Read for oneself', async () => {
    expect((await call(emu, 'GET', methodsPath(U.megan), { token: await token(emu, U.alex, ['UserAuthenticationMethod.Read.All']) })).status).toBe(200);
    expect((await call(emu, 'GET', methodsPath(U.megan), { token: await token(emu, U.alex, ['UserAuthenticationMethod.Read']) })).status).toBe(403);
    // The TAP-only scope does not open the full list.
    expect((await call(emu, 'GET', methodsPath(U.megan), { token: await token(emu, U.alex, ['UserAuthMethod-TAP.Read.All']) })).status).toBe(403);
    const me = await call(emu, 'GET', '/v1.0/me/authentication/methods', { token: await token(emu, U.megan, ['UserAuthenticationMethod.Read']) });
    expect(me.status).toBe(200);
    expect(me.body.value[0].id).toBe(PASSWORD_METHOD_ID);
  });

  it('Global Reader, Authentication Administrator (direct or through a group) and PAA read anyone; others get 403', async () => {
    for (const op of [U.alex, U.henrietta, U.patti]) {
      expect((await call(emu, 'GET', methodsPath(U.adele), { token: await token(emu, op) })).status).toBe(200);
    }
    for (const op of [U.nestor, U.lidia]) {
      expect((await call(emu, 'GET', methodsPath(U.adele), { token: await token(emu, op) })).status).toBe(403);
    }
  });

  it('an unknown user is 404; without a token 401', async () => {
    const res = await call(emu, 'GET', methodsPath('ghost@tapkioskdemo.onmicrosoft.com'), { token: await token(emu, U.alex) });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('Request_ResourceNotFound');
    expect((await call(emu, 'GET', methodsPath(U.megan))).body.error.code).toBe('InvalidAuthenticationToken');
  });
});
