// POST /users/{id | upn}/revokeSignInSessions (entra-graph.md 5.4): 200 with the Edm.Boolean body, the user's
// signInSessionsValidFromDateTime moved to now, the permission and role rules, and, end to end, the identity
// provider refusing a refresh token issued before the revocation.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../index';
import { call, token, U, userPath } from './graph-http';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

const revoke = async (operator: string, target: string, scopes?: readonly string[]) =>
  call(emu, 'POST', userPath(target, '/revokeSignInSessions'), { token: await token(emu, operator, scopes), headers: { 'content-type': 'application/json' } });

const validFrom = (upn: string) => emu.ctx.state.findUser(upn)!.signInSessionsValidFromDateTime.getTime();

describe('revokeSignInSessions', () => {
  it('answers 200 {"@odata.context": …#Edm.Boolean, "value": true} and moves signInSessionsValidFromDateTime to the emulator’s now', async () => {
    emu.advanceClock(90); // the emulator clock, not the wall clock, is what counts
    const res = await revoke(U.alex, U.megan);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ '@odata.context': `${emu.urls.origin}/v1.0/$metadata#Edm.Boolean`, value: true });
    expect(Math.abs(validFrom(U.megan) - emu.ctx.clock.nowMs())).toBeLessThan(5_000);
    expect(validFrom(U.megan)).toBeGreaterThan(Date.now() + 80 * 60_000);
  });

  it('accepts a POST without a body (the Graph client sends Content-Type: application/json with none) or with {}', async () => {
    expect((await revoke(U.alex, U.megan)).status).toBe(200);
    const withBody = await call(emu, 'POST', userPath(U.megan, '/revokeSignInSessions'), { token: await token(emu, U.alex), body: {} });
    expect(withBody.status).toBe(200);
  });

  it('needs User.RevokeSessions.All, User.ReadWrite.All or Directory.ReadWrite.All: otherwise 403 Authorization_RequestDenied', async () => {
    const denied = await revoke(U.alex, U.megan, ['User.Read.All', 'UserAuthenticationMethod.ReadWrite.All']);
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' });
    expect(validFrom(U.megan)).toBe(0);
    for (const scope of ['User.RevokeSessions.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All']) {
      expect((await revoke(U.alex, U.megan, [scope])).status).toBe(200);
    }
  });

  it('follows the Authentication Administrator target limits: not a Global Administrator or a role-assignable group member; a PAA may', async () => {
    for (const target of [U.adele, U.grady]) {
      expect((await revoke(U.alex, target)).status).toBe(403);
      expect(validFrom(target)).toBe(0);
      expect((await revoke(U.patti, target)).status).toBe(200);
    }
  });

  it('an operator without a suitable role cannot revoke others', async () => {
    expect((await revoke(U.nestor, U.megan)).status).toBe(403);
    expect((await revoke(U.lidia, U.megan)).status).toBe(403);
  });

  it('anyone may end their own sessions through /me', async () => {
    const res = await call(emu, 'POST', '/v1.0/me/revokeSignInSessions', { token: await token(emu, U.nestor, ['User.RevokeSessions.All']) });
    expect(res.status).toBe(200);
    expect(validFrom(U.nestor)).toBeGreaterThan(0);
  });

  it('bad input: malformed JSON is 400, a form body 415, and nothing is revoked; the next call is served', async () => {
    const t = await token(emu, U.alex);
    const path = userPath(U.megan, '/revokeSignInSessions');
    const malformed = await call(emu, 'POST', path, { token: t, body: '{"x":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('BadRequest');
    const form = await call(emu, 'POST', path, { token: t, body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    expect(validFrom(U.megan)).toBe(0);
    expect((await revoke(U.alex, U.megan)).status).toBe(200);
  });

  it('an unknown user is 404', async () => {
    const res = await revoke(U.alex, 'ghost@tapkioskdemo.onmicrosoft.com');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('Request_ResourceNotFound');
  });

  it('end to end: a refresh token issued before the revocation is refused by the identity provider with bad_token', async () => {
    const nestor = emu.operators.find((o) => o.upn === U.nestor)!;
    const redirect = 'http://localhost:51234/callback';
    const scope = 'https://graph.microsoft.com/User.Read openid profile offline_access';
    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL(`${emu.urls.authority}oauth2/v2.0/authorize`);
    for (const [k, v] of Object.entries({
      client_id: emu.clientId,
      redirect_uri: redirect,
      response_type: 'code',
      response_mode: 'query',
      scope,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    })) {
      authorize.searchParams.set(k, v);
    }
    const page = await call(emu, 'GET', authorize.toString());
    const flowToken = /name="flowToken" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const form = (fields: Record<string, string>) => ({
      body: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const posted = await call(emu, 'POST', `${emu.urls.authority}oauth2/v2.0/authorize`, form({ flowToken, username: nestor.upn, password: nestor.password }));
    const code = new URL(String(posted.headers.location)).searchParams.get('code') ?? '';
    const tokenUrl = `${emu.urls.authority}oauth2/v2.0/token`;
    const issued = await call(
      emu,
      'POST',
      tokenUrl,
      form({ client_id: emu.clientId, grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: verifier, scope }),
    );
    expect(issued.status).toBe(200);
    const refreshToken = issued.body.refresh_token as string;

    emu.advanceClock(1);
    expect((await revoke(U.alex, U.nestor)).status).toBe(200);
    const refused = await call(emu, 'POST', tokenUrl, form({ client_id: emu.clientId, grant_type: 'refresh_token', refresh_token: refreshToken, scope }));
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid_grant', suberror: 'bad_token' });
  });
});
