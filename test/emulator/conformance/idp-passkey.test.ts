// The operator's passkey sign-in at the HTTP level (idp/passkey.ts), on Microsoft's host names: which host serves
// which step, where the assertion may go back to, and what the verification refuses (another flow's challenge, the
// wrong origin, no user verification, another user's key). The assertions are made here with a software key whose
// public key is put in the store, so each rule can be broken on purpose.
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import https from 'node:https';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpsAgent } from '../../../main/net/https-agent';
import { startEmulator, type Emulator } from '../index';

const ALEX = 'alex.wilber@tapkioskdemo.onmicrosoft.com';
const PATTI = 'patti.fernandez@tapkioskdemo.onmicrosoft.com';
const REDIRECT = 'http://localhost:51234/callback';
const FIDO_GET = 'https://login.microsoft.com/common/fido/get?uiflavor=Web';
const POSTBACK = 'https://login.microsoftonline.com/common/login';

let emu: Emulator;
let agent: https.Agent;
beforeAll(async () => {
  emu = await startEmulator({ hosts: 'microsoft' });
  agent = createHttpsAgent({ caPem: emu.caPem, hostMap: emu.hostMap });
});
afterAll(async () => {
  agent?.destroy();
  await emu?.close();
});

interface Res {
  status: number;
  location: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function request(method: 'GET' | 'POST', url: string, form?: Record<string, string>): Promise<Res> {
  const body = form ? new URLSearchParams(form).toString() : undefined;
  const headers = body !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded' } : undefined;
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, agent, ...(headers ? { headers } : {}) }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1]?.replace(/&quot;/g, '"');

/** The sign-in page of a fresh /authorize request, and its passkey form's fields. */
async function signInPage(loginHint?: string): Promise<{ fields: Record<string, string>; html: string }> {
  const url = new URL(`https://login.microsoftonline.com/${emu.tenantId}/oauth2/v2.0/authorize`);
  const verifier = randomBytes(32).toString('base64url');
  const params = {
    client_id: emu.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid profile https://graph.microsoft.com/User.Read',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(loginHint ? { login_hint: loginHint } : {}),
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const page = await request('GET', url.toString());
  expect(page.status).toBe(200);
  const fields: Record<string, string> = {};
  for (const name of ['ctx', 'ServerChallenge', 'postBackUrl', 'cancelUrl', 'username', 'credentialsJson']) fields[name] = hidden(page.body, name) ?? '';
  return { fields, html: page.body };
}

/** A software passkey for `upn`, its public key in the store as a registration would have kept it. */
function softKey(upn: string): { id: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const cose = isoCBOR.encode(
    new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url'))],
      [-3, new Uint8Array(Buffer.from(jwk.y ?? '', 'base64url'))],
    ]),
  );
  const user = emu.ctx.state.findUser(upn)!;
  const id = randomBytes(16).toString('base64url');
  const recordId = randomUUID();
  emu.ctx.state.fido2.set(recordId, {
    id: recordId,
    userId: user.id,
    displayName: 'Software passkey',
    createdDateTime: emu.ctx.clock.now(),
    aaGuid: '00000000-0000-0000-0000-000000000000',
    model: 'FIDO2 security key',
    attestationLevel: 'notAttested',
    attestationCertificates: [],
    passkeyType: 'deviceBound',
    credentialId: id,
    publicKey: Buffer.from(cose).toString('base64url'),
    signCount: 0,
  });
  return { id, privateKey };
}

/** What a browser posts back after navigator.credentials.get, with each input open to being got wrong. */
function assertion(
  key: { id: string; privateKey: KeyObject },
  challenge: string,
  o: { origin?: string; rpId?: string; flags?: number; counter?: number } = {},
) {
  const clientData = Buffer.from(
    JSON.stringify({
      type: 'webauthn.get',
      challenge: Buffer.from(challenge, 'ascii').toString('base64url'),
      origin: o.origin ?? 'https://login.microsoft.com',
      crossOrigin: false,
    }),
  );
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(o.counter ?? 1);
  const authData = Buffer.concat([
    createHash('sha256')
      .update(o.rpId ?? 'login.microsoft.com')
      .digest(),
    Buffer.from([o.flags ?? 0x05]),
    counter,
  ]);
  const signature = sign('sha256', Buffer.concat([authData, createHash('sha256').update(clientData).digest()]), key.privateKey);
  return JSON.stringify({
    id: key.id,
    clientDataJSON: clientData.toString('base64url'),
    authenticatorData: authData.toString('base64url'),
    signature: signature.toString('base64url'),
  });
}

const postBack = (flowToken: string, a: string) => request('POST', POSTBACK, { type: '23', ps: '23', flowToken, assertion: a });
const alertOf = (html: string) => (/role="alert">([^<]*)</.exec(html)?.[1] ?? '').replace(/&#39;/g, "'");

beforeEach(() => emu.reset());

describe("the operator's passkey sign-in (login.microsoft.com/common/fido/get)", () => {
  it('the sign-in page posts to login.microsoft.com/common/fido/get, which runs on that host only and posts back only to the sign-in host', async () => {
    const { fields, html } = await signInPage();
    expect(html).toContain(`action="${FIDO_GET}"`);
    expect(fields.postBackUrl).toBe(POSTBACK);
    const page = await request('POST', FIDO_GET, fields);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`action="${POSTBACK}"`);
    expect(page.body).toContain('"rpId":"login.microsoft.com"');
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
    expect((await request('POST', FIDO_GET.replace('login.microsoft.com', 'login.microsoftonline.com'), fields)).status).toBe(404);
    expect((await request('POST', FIDO_GET, { ...fields, postBackUrl: 'https://evil.example/common/login' })).status).toBe(400);
    expect((await request('POST', FIDO_GET, { ...fields, postBackUrl: 'https://login.microsoftonline.com/elsewhere' })).status).toBe(400);
    // And the post-back is the sign-in host's, not login.microsoft.com's.
    expect((await request('POST', POSTBACK.replace('login.microsoftonline.com', 'login.microsoft.com'), { type: '23', flowToken: 'x' })).status).toBe(404);
  });

  it('with a login_hint the allow list is that user’s passkeys', async () => {
    const key = softKey(ALEX);
    expect(JSON.parse((await signInPage(ALEX)).fields.credentialsJson ?? '')).toEqual([key.id]);
    expect(JSON.parse((await signInPage()).fields.credentialsJson ?? '')).toEqual([]);
  });

  it('a good assertion ends in the code redirect; the counter moves on; the same assertion on another flow is refused', async () => {
    const key = softKey(ALEX);
    const first = (await signInPage()).fields;
    const good = assertion(key, first.ServerChallenge ?? '');
    const ok = await postBack(first.ctx ?? '', good);
    expect(ok.status).toBe(302);
    expect(ok.location?.startsWith(`${REDIRECT}?code=`)).toBe(true);
    expect([...emu.ctx.state.fido2.values()].find((k) => k.credentialId === key.id)?.signCount).toBe(1);
    // The flow is used up, and a second flow has its own challenge.
    expect((await postBack(first.ctx ?? '', good)).status).toBe(400);
    const second = (await signInPage()).fields;
    const replay = await postBack(second.ctx ?? '', good);
    expect(replay.status).toBe(200);
    expect(alertOf(replay.body)).toMatch(/couldn't verify your passkey/);
  });

  it('refuses the wrong origin, the wrong RP id, no user verification, an unknown key and another user’s key', async () => {
    const key = softKey(ALEX);
    const cases: [string, (c: string) => string, RegExp][] = [
      ['origin', (c) => assertion(key, c, { origin: 'https://login.microsoftonline.com' }), /couldn't verify/],
      ['rp id', (c) => assertion(key, c, { rpId: 'login.microsoftonline.com' }), /couldn't verify/],
      ['no UV', (c) => assertion(key, c, { flags: 0x01 }), /couldn't verify/],
      ['unknown key', (c) => assertion({ ...key, id: randomBytes(16).toString('base64url') }, c), /don't recognize this passkey/],
    ];
    for (const [, make, message] of cases) {
      const { fields } = await signInPage();
      const r = await postBack(fields.ctx ?? '', make(fields.ServerChallenge ?? ''));
      expect(r.status).toBe(200);
      expect(alertOf(r.body)).toMatch(message);
    }
    // Unlocking as Patti (login_hint) with Alex's key.
    const { fields } = await signInPage(PATTI);
    const other = await postBack(fields.ctx ?? '', assertion(key, fields.ServerChallenge ?? ''));
    expect(alertOf(other.body)).toMatch(/different account/);
    // A cancelled ceremony comes back with the browser's error name and the sign-in page says so.
    const cancelled = await request('POST', POSTBACK, { type: '23', flowToken: (await signInPage()).fields.ctx ?? '', error: 'NotAllowedError' });
    expect(alertOf(cancelled.body)).toMatch(/cancelled or timed out/);
  });
});
