// The identity provider, as a client sees it over HTTPS (entra-graph.md 7): discovery and keys, /authorize and
// its sign-in page, /token for authorization codes with PKCE and refresh tokens, and revocation.
import { createHash, randomBytes } from 'node:crypto';
import https from 'node:https';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../index';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

const ALEX = { upn: 'alex.wilber@tapkioskdemo.onmicrosoft.com', password: 'Operator-AA-1!' };
const HENRIETTA = { upn: 'henrietta.mueller@tapkioskdemo.onmicrosoft.com', password: 'Operator-Group-5!' };
const REDIRECT = 'http://localhost:51234/callback';
const GRAPH_SCOPES = ['https://graph.microsoft.com/User.Read', 'https://graph.microsoft.com/UserAuthenticationMethod.ReadWrite.All'];
const ALL_SCOPES = [...GRAPH_SCOPES, 'openid', 'profile', 'offline_access'];

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function request(
  method: 'GET' | 'POST',
  url: string,
  options: { form?: Record<string, string>; headers?: Record<string, string>; cookie?: string } = {},
): Promise<Res> {
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (body !== undefined) headers['Content-Type'] ??= 'application/x-www-form-urlencoded;charset=utf-8';
  if (options.cookie) headers.Cookie = options.cookie;
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, ca: emu.caPem, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = (r: Res) => JSON.parse(r.body) as Record<string, unknown>;
const tokenUrl = () => `${emu.urls.authority}oauth2/v2.0/token`;

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(params: Record<string, string | undefined>, tenant = emu.tenantId): string {
  const url = new URL(`${emu.urls.origin}/${tenant}/oauth2/v2.0/authorize`);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

function authorizeParams(overrides: Record<string, string | undefined> = {}, challenge = pkce().challenge) {
  return {
    client_id: emu.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    response_mode: 'query',
    scope: ALL_SCOPES.join(' '),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'state-123',
    nonce: 'nonce-456',
    'client-request-id': 'c0ffee00-0000-4000-8000-000000000042',
    'x-client-SKU': 'msal.js.node',
    client_info: '1',
    ...overrides,
  };
}

const flowTokenOf = (html: string) => /name="flowToken" value="([^"]+)"/.exec(html)?.[1] ?? '';
const cookieOf = (r: Res) => String([r.headers['set-cookie']].flat()[0] ?? '').split(';')[0] ?? '';

/** Through the sign-in page as a browser would: GET /authorize, post the form, follow nothing. */
async function signIn(user: { upn: string; password: string }, params: Record<string, string | undefined> = {}) {
  const { verifier, challenge } = pkce();
  const page = await request('GET', authorizeUrl(authorizeParams(params, challenge)));
  expect(page.status).toBe(200);
  const posted = await request('POST', `${emu.urls.authority}oauth2/v2.0/authorize`, {
    form: { flowToken: flowTokenOf(page.body), username: user.upn, password: user.password },
  });
  const location = posted.headers.location ? new URL(String(posted.headers.location)) : undefined;
  return { page, posted, location, verifier, cookie: cookieOf(posted), code: location?.searchParams.get('code') ?? '' };
}

function redeem(code: string, verifier: string, extra: Record<string, string> = {}) {
  return request('POST', tokenUrl(), {
    form: {
      client_id: emu.clientId,
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      scope: ALL_SCOPES.join(' '),
      ...extra,
    },
  });
}

function refresh(refreshToken: string, scope = ALL_SCOPES.join(' ')) {
  return request('POST', tokenUrl(), { form: { client_id: emu.clientId, grant_type: 'refresh_token', refresh_token: refreshToken, scope } });
}

async function signedInTokens(user = ALEX, params: Record<string, string | undefined> = {}) {
  const s = await signIn(user, params);
  const r = await redeem(s.code, s.verifier);
  expect(r.status).toBe(200);
  return { ...s, tokens: json(r) as Record<string, string> };
}

describe('discovery', () => {
  it('serves the tenant openid-configuration with every endpoint on the emulator (7.3)', async () => {
    const r = await request('GET', `${emu.urls.authority}v2.0/.well-known/openid-configuration`);
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('max-age=86400, private');
    const d = json(r);
    const base = `${emu.urls.origin}/${emu.tenantId}`;
    expect(d).toMatchObject({
      issuer: `${base}/v2.0`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      token_endpoint: `${base}/oauth2/v2.0/token`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      subject_types_supported: ['pairwise'],
      request_uri_parameter_supported: false,
      msgraph_host: 'graph.microsoft.com',
    });
    expect(d.issuer).toBe(emu.urls.issuer);
  });

  it("accepts the tenant's domain name and 'organizations' as the tenant segment", async () => {
    const byDomain = json(await request('GET', `${emu.urls.origin}/TapKioskDemo.onmicrosoft.com/v2.0/.well-known/openid-configuration`));
    expect(byDomain.issuer).toBe(emu.urls.issuer);
    expect(byDomain.token_endpoint).toBe(`${emu.urls.origin}/${emu.tenantId}/oauth2/v2.0/token`);
    const orgs = json(await request('GET', `${emu.urls.origin}/organizations/v2.0/.well-known/openid-configuration`));
    expect(orgs.issuer).toBe(`${emu.urls.origin}/{tenantid}/v2.0`);
    expect(orgs.authorization_endpoint).toBe(`${emu.urls.origin}/organizations/oauth2/v2.0/authorize`);
  });

  it('answers an unknown tenant with invalid_tenant (AADSTS90002)', async () => {
    const r = await request('GET', `${emu.urls.origin}/contoso.example/v2.0/.well-known/openid-configuration`);
    expect(r.status).toBe(400);
    expect(json(r)).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
  });

  it('publishes the signing key: the JWKS verifies the access token and the id_token', async () => {
    const jwks = json(await request('GET', `${emu.urls.authority}discovery/v2.0/keys`)) as unknown as JSONWebKeySet;
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256' });
    const { tokens } = await signedInTokens();
    const keys = createLocalJWKSet(jwks);
    const at = await jwtVerify(tokens.access_token!, keys, {
      issuer: emu.urls.issuer,
      audience: 'https://graph.microsoft.com',
      currentDate: emu.ctx.clock.now(),
    });
    const id = await jwtVerify(tokens.id_token!, keys, { issuer: emu.urls.issuer, audience: emu.clientId, currentDate: emu.ctx.clock.now() });
    expect(at.protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: jwks.keys[0]!.kid });
    expect(id.payload.oid).toBe(at.payload.oid);
  });
});

describe('userinfo', () => {
  it("answers the discovery document's userinfo_endpoint for a valid access token, 401 without one", async () => {
    const d = json(await request('GET', `${emu.urls.authority}v2.0/.well-known/openid-configuration`));
    const { tokens } = await signedInTokens();
    const ok = await request('GET', String(d.userinfo_endpoint), { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect(ok.status).toBe(200);
    expect(json(ok)).toMatchObject({ name: 'Alex Wilber', given_name: 'Alex', family_name: 'Wilber', email: ALEX.upn });
    const none = await request('GET', String(d.userinfo_endpoint), { headers: { Authorization: 'Bearer forged.token.here' } });
    expect(none.status).toBe(401);
  });
});

describe('/authorize', () => {
  it('shows an accessible sign-in page: labelled username and password, a submit button, login_hint prefilled', async () => {
    const r = await request('GET', authorizeUrl(authorizeParams({ login_hint: ALEX.upn })));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.body).toMatch(/<html lang="en">/);
    expect(r.body).toMatch(/<label for="username">Email or username<\/label>/);
    expect(r.body).toMatch(/<input id="username" name="username"[^>]*value="alex\.wilber@tapkioskdemo\.onmicrosoft\.com"/);
    expect(r.body).toMatch(/<label for="password">Password<\/label>\s*<input id="password" name="password" type="password"/);
    expect(r.body).toMatch(/<button type="submit">Sign in<\/button>/);
  });

  it('signs a seeded operator in and redirects with code, client_info, state and session_state', async () => {
    const { posted, location } = await signIn(ALEX);
    expect(posted.status).toBe(302);
    expect(location?.origin + location!.pathname).toBe(REDIRECT);
    const p = location!.searchParams;
    expect(p.get('code')).toBeTruthy();
    expect(p.get('state')).toBe('state-123');
    expect(p.get('session_state')).toMatch(/^[0-9a-f-]{36}$/);
    const alex = emu.ctx.state.findUser(ALEX.upn)!;
    expect(JSON.parse(Buffer.from(p.get('client_info')!, 'base64url').toString())).toEqual({ uid: alex.id, utid: emu.tenantId });
  });

  it('re-shows the page with an error on a wrong password or an unknown user, and issues nothing', async () => {
    const wrong = await signIn({ upn: ALEX.upn, password: 'not-it' });
    expect(wrong.posted.status).toBe(200);
    expect(wrong.location).toBeUndefined();
    expect(wrong.posted.body).toContain('<p id="signin-error" role="alert">Your account or password is incorrect.');
    expect(wrong.posted.body).toContain('aria-invalid="true"');
    const unknown = await signIn({ upn: 'nobody@tapkioskdemo.onmicrosoft.com', password: 'x' });
    expect(unknown.posted.body).toContain('This username may be incorrect.');
    // A seeded user without a demo password (not an operator) cannot sign in either.
    const member = await signIn({ upn: 'megan.bowen@tapkioskdemo.onmicrosoft.com', password: 'anything' });
    expect(member.location).toBeUndefined();
  });

  it('refuses a disabled account even with the right password', async () => {
    emu.ctx.state.findUser(ALEX.upn)!.accountEnabled = false;
    const s = await signIn(ALEX);
    expect(s.location).toBeUndefined();
    expect(s.posted.body).toContain('role="alert">Your account has been disabled.');
  });

  it('refuses a non-loopback or https redirect URI with an error page, never a redirect (AADSTS50011)', async () => {
    for (const bad of ['https://evil.example/callback', 'http://example.com/callback', 'https://localhost:51234/callback', 'msal://auth']) {
      const r = await request('GET', authorizeUrl(authorizeParams({ redirect_uri: bad })));
      expect(r.status, bad).toBe(400);
      expect(r.headers.location).toBeUndefined();
      expect(r.body).toContain('AADSTS50011');
    }
    const ok = await request('GET', authorizeUrl(authorizeParams({ redirect_uri: 'http://127.0.0.1:9/any/path' })));
    expect(ok.status).toBe(200);
  });

  it('refuses an unknown client_id with an error page (AADSTS700016)', async () => {
    const r = await request('GET', authorizeUrl(authorizeParams({ client_id: '11111111-2222-4333-8444-555555555555' })));
    expect(r.status).toBe(400);
    expect(r.headers.location).toBeUndefined();
    expect(r.body).toContain('AADSTS700016');
  });

  it('requires PKCE with S256: plain or missing is sent back to the app as invalid_request', async () => {
    const plain = await request('GET', authorizeUrl(authorizeParams({ code_challenge_method: 'plain', code_challenge: 'a'.repeat(43) })));
    expect(plain.status).toBe(302);
    const p = new URL(String(plain.headers.location)).searchParams;
    expect(p.get('error')).toBe('invalid_request');
    expect(p.get('error_description')).toMatch(/^AADSTS50149: Invalid Code_Challenge_method parameter\./);
    expect(p.get('state')).toBe('state-123');
    const none = new URL(
      String((await request('GET', authorizeUrl(authorizeParams({ code_challenge: undefined, code_challenge_method: undefined })))).headers.location),
    );
    expect(none.searchParams.get('error')).toBe('invalid_request');
  });

  it('refuses response_type other than code, and scopes of another resource', async () => {
    const token = new URL(String((await request('GET', authorizeUrl(authorizeParams({ response_type: 'token' })))).headers.location));
    expect(token.searchParams.get('error')).toBe('unsupported_response_type');
    const other = new URL(String((await request('GET', authorizeUrl(authorizeParams({ scope: 'api://other/Read openid' })))).headers.location));
    expect(other.searchParams.get('error')).toBe('invalid_resource');
    expect(other.searchParams.get('error_description')).toMatch(/^AADSTS500011:/);
  });

  it('keeps a browser session: signs in silently next time, prompt=login asks again, prompt=none without one is login_required', async () => {
    const first = await signIn(ALEX);
    const again = await request('GET', authorizeUrl(authorizeParams()), { cookie: first.cookie });
    expect(again.status).toBe(302);
    expect(new URL(String(again.headers.location)).searchParams.get('code')).toBeTruthy();
    const forced = await request('GET', authorizeUrl(authorizeParams({ prompt: 'login' })), { cookie: first.cookie });
    expect(forced.status).toBe(200);
    expect(forced.body).toContain('name="password"');
    const otherUser = await request('GET', authorizeUrl(authorizeParams({ login_hint: HENRIETTA.upn })), { cookie: first.cookie });
    expect(otherUser.status).toBe(200);
    const silent = await request('GET', authorizeUrl(authorizeParams({ prompt: 'none' })));
    const p = new URL(String(silent.headers.location)).searchParams;
    expect(p.get('error')).toBe('login_required');
    expect(p.get('error_description')).toMatch(/^AADSTS50058:/);
  });

  it('answers with form_post when asked: an auto-submitting form to the redirect URI', async () => {
    const s = await signIn(ALEX, { response_mode: 'form_post' });
    expect(s.posted.status).toBe(200);
    expect(s.posted.body).toContain(`<form method="post" action="${REDIRECT}"`);
    expect(s.posted.body).toMatch(/<input type="hidden" name="code" value="[^"]+">/);
    expect(s.posted.body).toContain('<input type="hidden" name="state" value="state-123">');
  });

  it('signs out: the session ends and the next authorize shows the sign-in page', async () => {
    const first = await signIn(ALEX);
    const out = await request('GET', `${emu.urls.authority}oauth2/v2.0/logout?post_logout_redirect_uri=${encodeURIComponent(REDIRECT)}`, {
      cookie: first.cookie,
    });
    expect(out.status).toBe(302);
    expect(String(out.headers.location)).toBe(REDIRECT);
    const again = await request('GET', authorizeUrl(authorizeParams()), { cookie: first.cookie });
    expect(again.status).toBe(200);
  });
});

describe('/token: authorization_code', () => {
  it('returns the documented response with no-store caching (7.5)', async () => {
    const s = await signIn(ALEX);
    const r = await redeem(s.code, s.verifier);
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store, no-cache');
    expect(r.headers.pragma).toBe('no-cache');
    const t = json(r);
    expect(t).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
    expect(String(t.scope).split(' ')).toEqual(expect.arrayContaining(GRAPH_SCOPES));
    for (const k of ['access_token', 'refresh_token', 'id_token', 'client_info']) expect(typeof t[k], k).toBe('string');
    expect(t.client_info).toBe(s.location!.searchParams.get('client_info'));
  });

  it('puts the documented claims in the access token: oid, tid, scp ∩ consented, wids with group roles, upn, name, appid', async () => {
    const { tokens } = await signedInTokens(HENRIETTA, { scope: `${ALL_SCOPES.join(' ')} https://graph.microsoft.com/Mail.Read` });
    const claims = await emu.ctx.tokens.verifyAccessToken(tokens.access_token!);
    const h = emu.ctx.state.findUser(HENRIETTA.upn)!;
    expect(claims).toMatchObject({
      aud: 'https://graph.microsoft.com',
      iss: emu.urls.issuer,
      oid: h.id,
      tid: emu.tenantId,
      upn: HENRIETTA.upn,
      preferred_username: HENRIETTA.upn,
      name: h.displayName,
      appid: emu.clientId,
    });
    expect(claims.scp.split(' ').sort()).toEqual(['User.Read', 'UserAuthenticationMethod.ReadWrite.All']); // Mail.Read is not consented
    expect(claims.wids).toEqual(['c4e39bd9-1100-46d3-8c65-fb160da0071f']); // Authentication Administrator through "Kiosk Operators"
  });

  it('puts the documented claims in the id_token: oid, tid, sub, preferred_username, name, ver, iss, aud, iat/nbf/exp, nonce', async () => {
    const { tokens } = await signedInTokens();
    const c = decodeJwt(tokens.id_token!);
    const alex = emu.ctx.state.findUser(ALEX.upn)!;
    expect(c).toMatchObject({
      oid: alex.id,
      tid: emu.tenantId,
      preferred_username: ALEX.upn,
      name: 'Alex Wilber',
      ver: '2.0',
      iss: emu.urls.issuer,
      aud: emu.clientId,
      nonce: 'nonce-456',
    });
    expect(typeof c.sub).toBe('string');
    expect(c.sub).not.toBe(alex.id); // pairwise per app
    expect(c.nbf).toBe(c.iat);
    expect((c.exp ?? 0) - (c.iat ?? 0)).toBe(3600);
  });

  it('issues a refresh token only for offline_access and an id_token only for openid', async () => {
    const { tokens } = await signedInTokens(ALEX, { scope: GRAPH_SCOPES.join(' ') });
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.id_token).toBeUndefined();
  });

  it('verifies PKCE S256: a wrong code_verifier is invalid_grant AADSTS501481', async () => {
    const s = await signIn(ALEX);
    const r = await redeem(s.code, pkce().verifier);
    expect(r.status).toBe(400);
    expect(json(r)).toMatchObject({ error: 'invalid_grant', error_codes: [501481] });
    expect(String(json(r).error_description)).toMatch(
      /^AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request\.\r\nTrace ID: /,
    );
  });

  it('requires the code_verifier (invalid_request AADSTS900144)', async () => {
    const s = await signIn(ALEX);
    const r = await request('POST', tokenUrl(), { form: { client_id: emu.clientId, grant_type: 'authorization_code', code: s.code, redirect_uri: REDIRECT } });
    expect(json(r)).toMatchObject({ error: 'invalid_request', error_codes: [900144] });
    expect(String(json(r).error_description)).toContain("'code_verifier'");
  });

  it('redeems a code once: the second time is AADSTS54005, and the tokens it bought are revoked', async () => {
    const s = await signIn(ALEX);
    const first = json(await redeem(s.code, s.verifier));
    const second = await redeem(s.code, s.verifier);
    expect(second.status).toBe(400);
    expect(json(second)).toMatchObject({ error: 'invalid_grant', error_codes: [54005] });
    expect(json(await refresh(String(first.refresh_token)))).toMatchObject({ error: 'invalid_grant' });
  });

  it('expires a code after 10 minutes on the emulator clock (AADSTS70008)', async () => {
    const early = await signIn(ALEX);
    emu.advanceClock(9);
    expect((await redeem(early.code, early.verifier)).status).toBe(200);
    const late = await signIn(ALEX);
    emu.advanceClock(10);
    const r = await redeem(late.code, late.verifier);
    expect(r.status).toBe(400);
    expect(json(r)).toMatchObject({ error: 'invalid_grant', error_codes: [70008] });
  });

  it('refuses a redirect_uri other than the one the code was issued for', async () => {
    const s = await signIn(ALEX);
    const r = await redeem(s.code, s.verifier, { redirect_uri: 'http://localhost:51234/other' });
    expect(json(r)).toMatchObject({ error: 'invalid_grant', error_codes: [50011] });
  });

  it('ignores the unknown form fields MSAL sends', async () => {
    const s = await signIn(ALEX);
    const r = await redeem(s.code, s.verifier, {
      client_info: '1',
      'x-client-SKU': 'msal.js.node',
      'x-client-VER': '7.2.1',
      'x-client-OS': 'linux',
      'x-client-CPU': 'x64',
      'x-ms-lib-capability': 'retry-after, h429',
      'x-client-current-telemetry': '5|862,0,,,|,',
      'x-client-last-telemetry': '5|0|||0,0',
      'client-request-id': 'c0ffee00-0000-4000-8000-000000000043',
      X_AnchorMailbox: 'Oid:x@y',
      something_new: 'from a future MSAL',
    });
    expect(r.status).toBe(200);
  });

  it('refuses an unknown client, an unknown grant type, a garbage code and a non-form body', async () => {
    const s = await signIn(ALEX);
    expect(json(await redeem(s.code, s.verifier, { client_id: '11111111-2222-4333-8444-555555555555' }))).toMatchObject({
      error: 'unauthorized_client',
      error_codes: [700016],
    });
    expect(json(await request('POST', tokenUrl(), { form: { client_id: emu.clientId, grant_type: 'password' } }))).toMatchObject({
      error: 'unsupported_grant_type',
    });
    expect(json(await redeem('not-a-code', s.verifier))).toMatchObject({ error: 'invalid_grant', error_codes: [9002313] });
    const asJson = await request('POST', tokenUrl(), { headers: { 'Content-Type': 'application/json' }, form: {} });
    expect(asJson.status).toBe(400);
    expect(json(asJson)).toMatchObject({ error: 'invalid_request' });
  });
});

describe('/token: refresh_token', () => {
  it('refreshes with rotation: a new access and refresh token each time; the old refresh token stays valid', async () => {
    const { tokens } = await signedInTokens();
    const r = await refresh(tokens.refresh_token!);
    expect(r.status).toBe(200);
    const next = json(r) as Record<string, string>;
    expect(next.refresh_token).toBeTruthy();
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect(next.access_token).not.toBe(tokens.access_token);
    expect((await emu.ctx.tokens.verifyAccessToken(next.access_token!)).oid).toBe(emu.ctx.state.findUser(ALEX.upn)!.id);
    expect(decodeJwt(next.id_token!).aud).toBe(emu.clientId);
    expect((await refresh(tokens.refresh_token!)).status).toBe(200);
  });

  it('after revokeSignInSessions: invalid_grant, suberror bad_token, AADSTS50173; the browser session is gone too', async () => {
    const { tokens, cookie } = await signedInTokens();
    emu.advanceClock(1);
    emu.ctx.state.findUser(ALEX.upn)!.signInSessionsValidFromDateTime = emu.ctx.clock.now();
    const r = await refresh(tokens.refresh_token!);
    expect(r.status).toBe(400);
    expect(json(r)).toMatchObject({ error: 'invalid_grant', suberror: 'bad_token', error_codes: [50173] });
    const again = await request('GET', authorizeUrl(authorizeParams()), { cookie });
    expect(again.status).toBe(200); // the sign-in page, not a silent code
    // A fresh sign-in after the revocation works.
    expect((await signedInTokens()).tokens.refresh_token).toBeTruthy();
  });

  it('refuses refresh for a disabled account with bad_token', async () => {
    const { tokens } = await signedInTokens();
    emu.ctx.state.findUser(ALEX.upn)!.accountEnabled = false;
    expect(json(await refresh(tokens.refresh_token!))).toMatchObject({ error: 'invalid_grant', suberror: 'bad_token', error_codes: [50057] });
  });

  it('refuses an unknown refresh token, and forgets every token on reset', async () => {
    expect(json(await refresh('1.emu.forged'))).toMatchObject({ error: 'invalid_grant', error_codes: [9002313] });
    const { tokens } = await signedInTokens();
    emu.reset();
    expect(json(await refresh(tokens.refresh_token!))).toMatchObject({ error: 'invalid_grant' });
  });

  it('forgets tokens and browser sessions when reset through the admin API too', async () => {
    const { tokens, cookie } = await signedInTokens();
    const reset = await new Promise<number>((resolve, reject) => {
      const req = https.request(`${emu.urls.admin}/reset`, { method: 'POST', ca: emu.caPem, headers: { 'Content-Type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end('{}');
    });
    expect(reset).toBe(204);
    expect(json(await refresh(tokens.refresh_token!))).toMatchObject({ error: 'invalid_grant' });
    expect((await request('GET', authorizeUrl(authorizeParams()), { cookie })).status).toBe(200);
  });
});

describe('device code (7.6)', () => {
  const deviceCode = async () =>
    json(await request('POST', `${emu.urls.authority}oauth2/v2.0/devicecode`, { form: { client_id: emu.clientId, scope: ALL_SCOPES.join(' ') } })) as Record<
      string,
      string | number
    >;
  const poll = (code: string, grantType = 'urn:ietf:params:oauth:grant-type:device_code') =>
    request('POST', tokenUrl(), { form: { client_id: emu.clientId, grant_type: grantType, device_code: code } });

  it('hands out a device code; polling is authorization_pending until the user signs in, then tokens, once', async () => {
    const d = await deviceCode();
    expect(d).toMatchObject({ expires_in: 900, interval: 5, verification_uri: `${emu.urls.authority}oauth2/v2.0/devicelogin` });
    expect(String(d.user_code)).toMatch(/^[A-Z0-9]{9}$/);
    expect(String(d.message)).toContain(String(d.user_code));
    expect(json(await poll(String(d.device_code)))).toMatchObject({ error: 'authorization_pending', error_codes: [70016] });

    const enter = await request('GET', String(d.verification_uri));
    expect(enter.body).toMatch(/<label for="otc">Code<\/label>/);
    const wrong = await request('POST', String(d.verification_uri), { form: { otc: 'NOPE12345' } });
    expect(wrong.body).toContain('role="alert">That code didn');
    const signInPage = await request('POST', String(d.verification_uri), { form: { otc: String(d.user_code).toLowerCase() } });
    const done = await request('POST', `${emu.urls.authority}oauth2/v2.0/authorize`, {
      form: { flowToken: flowTokenOf(signInPage.body), username: HENRIETTA.upn, password: HENRIETTA.password },
    });
    expect(done.status).toBe(200);
    expect(done.body).toContain('You have signed in to the TAP Kiosk application on your device.');

    const r = await poll(String(d.device_code), 'device_code'); // msal-node's spelling of the grant
    expect(r.status).toBe(200);
    const t = json(r) as Record<string, string>;
    expect((await emu.ctx.tokens.verifyAccessToken(t.access_token!)).upn).toBe(HENRIETTA.upn);
    expect(t.refresh_token).toBeTruthy();
    expect(json(await poll(String(d.device_code)))).toMatchObject({ error: 'bad_verification_code' });
  });

  it('expires a device code after 15 minutes (expired_token)', async () => {
    const d = await deviceCode();
    emu.advanceClock(15);
    expect(json(await poll(String(d.device_code)))).toMatchObject({ error: 'expired_token', error_codes: [70020] });
    const late = await request('POST', String(d.verification_uri), { form: { otc: String(d.user_code) } });
    expect(late.body).toContain('The code you entered has expired.');
  });
});
