// Passkey provisioning (entra-graph.md 4.2, 4.3): creationOptions and POST fido2Methods against the running
// emulator, with attestations made here by a minimal software authenticator (P-256, `none` or packed self
// attestation) for the relying party the options name (login.microsoft.com, as the real service: see
// PROVISIONING_RP_ID), every body checked against Microsoft's CSDL.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { encode as encodeCbor } from 'cborg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../index';
import { Role } from '../model';
import { call, token, U, userPath } from './graph-http';
import { graphModel, validateErrorBody, validateInstance } from './csdl';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

/**
 * Plain CTAP2 canonical CBOR, as authenticators send it (cborg's `encode`): shortest integers and lengths (strict
 * decoders refuse longer ones), map keys in canonical order, no tags (a Map is a plain CBOR map).
 */
const encode = (v: unknown): Uint8Array => encodeCbor(v);

const YUBIKEY_5_NFC = '2fc0579f-8113-47ea-b116-bb5a8db9202a';
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest();
const keysPath = (user: string, suffix = '') => userPath(user, `/authentication/fido2Methods${suffix}`);

interface MakeOptions {
  challenge: string;
  rpId?: string;
  origin?: string;
  type?: string;
  aaguid?: string;
  fmt?: 'none' | 'packed';
  /** UP | UV | AT by default. */
  flags?: number;
}

/** What an authenticator and a CTAP client produce for navigator.credentials.create, base64url without padding. */
function makeCredential(o: MakeOptions) {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const cose = encode(
    new Map<number, unknown>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]),
  );
  const credId = randomBytes(32);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(credId.length);
  const authData = Buffer.concat([
    sha256(o.rpId ?? 'login.microsoft.com'),
    Buffer.from([o.flags ?? 0x45]),
    Buffer.alloc(4),
    Buffer.from((o.aaguid ?? YUBIKEY_5_NFC).replace(/-/g, ''), 'hex'),
    len,
    credId,
    cose,
  ]);
  const clientDataJSON = Buffer.from(
    JSON.stringify({ type: o.type ?? 'webauthn.create', challenge: o.challenge, origin: o.origin ?? 'https://login.microsoft.com', crossOrigin: false }),
  );
  const fmt = o.fmt ?? 'none';
  const attStmt = fmt === 'packed' ? { alg: -7, sig: sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), privateKey) } : {};
  return {
    id: credId.toString('base64url'),
    response: {
      clientDataJSON: clientDataJSON.toString('base64url'),
      attestationObject: Buffer.from(encode({ fmt, attStmt, authData })).toString('base64url'),
    },
  };
}

async function options(operator: string, target: string, suffix = '/creationOptions', base = '') {
  const path = base ? `${base}/users/${encodeURIComponent(target)}/authentication/fido2Methods${suffix}` : keysPath(target, suffix);
  return call(emu, 'GET', path, { token: await token(emu, operator) });
}

async function provision(operator: string, target: string, credential: unknown, displayName?: string) {
  return call(emu, 'POST', keysPath(target), {
    token: await token(emu, operator),
    body: { '@odata.type': '#microsoft.graph.fido2AuthenticationMethod', ...(displayName ? { displayName } : {}), publicKeyCredential: credential },
  });
}

const model = graphModel();
const allowUnattested = () => (emu.ctx.state.fido2Policy.isAttestationEnforced = false);

describe('GET fido2Methods/creationOptions', () => {
  it('v1.0: unwrapped options for login.microsoft.com, a base64url challenge valid for 5 minutes, CSDL-valid', async () => {
    const res = await options(U.alex, U.megan);
    expect(res.status).toBe(200);
    const o = res.body;
    expect(o['@odata.type']).toBe('#microsoft.graph.webauthnCredentialCreationOptions');
    const minutes = (Date.parse(o.challengeTimeoutDateTime) - emu.ctx.clock.nowMs()) / 60_000;
    expect(minutes).toBeGreaterThan(4.9);
    expect(minutes).toBeLessThanOrEqual(5);
    expect(o.publicKey.rp).toMatchObject({ id: 'login.microsoft.com', name: 'Microsoft' });
    expect(validateInstance(model, 'webauthnCredentialCreationOptions', o)).toEqual([]);
    expect(o.publicKey.user).toMatchObject({ id: Buffer.from(U.megan).toString('base64url'), name: U.megan, displayName: 'Megan Bowen' });
    expect(o.publicKey.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(o.publicKey.pubKeyCredParams.map((p: { alg: number }) => p.alg)).toContain(-7);
    expect(o.publicKey.authenticatorSelection).toMatchObject({ requireResidentKey: true, userVerification: 'required' });
    expect(o.publicKey.attestation).toBe('direct');
    expect(o.publicKey.excludeCredentials).toEqual([]);
  });

  it('beta: wrapped in value, with challengeTimeoutInMinutes as a function parameter or a query option', async () => {
    const call1 = await options(U.alex, U.megan, '/creationOptions(challengeTimeoutInMinutes=10)', '/beta');
    expect(call1.status).toBe(200);
    expect(Math.round((Date.parse(call1.body.value.challengeTimeoutDateTime) - emu.ctx.clock.nowMs()) / 60_000)).toBe(10);
    const query = await options(U.alex, U.megan, '/creationOptions?challengeTimeoutInMinutes=15', '/beta');
    expect(Math.round((Date.parse(query.body.value.challengeTimeoutDateTime) - emu.ctx.clock.nowMs()) / 60_000)).toBe(15);
    for (const bad of ['4', '43201']) {
      const res = await options(U.alex, U.megan, `/creationOptions(challengeTimeoutInMinutes=${bad})`, '/beta');
      expect(res.status).toBe(400);
    }
  });

  it('v1.0 takes no parameters: a function call is refused, a query option ignored', async () => {
    expect((await options(U.alex, U.megan, '/creationOptions(challengeTimeoutInMinutes=10)')).status).toBe(400);
    const ignored = await options(U.alex, U.megan, '/creationOptions?challengeTimeoutInMinutes=15');
    expect(Math.round((Date.parse(ignored.body.challengeTimeoutDateTime) - emu.ctx.clock.nowMs()) / 60_000)).toBe(5);
  });

  it('role, target and self rules: AA for a member yes; AA for a Global Administrator, oneself or no role: 403', async () => {
    expect((await options(U.patti, U.adele)).status).toBe(200);
    for (const [op, target] of [
      [U.alex, U.adele],
      [U.alex, U.alex],
      [U.nestor, U.megan],
      [U.lidia, U.megan],
    ] as const) {
      const res = await options(op, target);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('accessDenied');
    }
    const readOnly = await call(emu, 'GET', keysPath(U.megan, '/creationOptions'), { token: await token(emu, U.alex, ['UserAuthenticationMethod.Read.All']) });
    expect(readOnly.status).toBe(403);
  });

  it('a Global Reader may fetch options but not register', async () => {
    emu.ctx.state.users.get('00000000-0000-4000-8000-000000000004')!.roles = [Role.GlobalReader];
    const res = await options(U.nestor, U.megan);
    expect(res.status).toBe(200);
    const posted = await provision(U.nestor, U.megan, makeCredential({ challenge: res.body.publicKey.challenge }));
    expect(posted.status).toBe(403);
  });

  it('requires self-service setup to be allowed by the Fido2 policy (known issue)', async () => {
    emu.ctx.state.fido2Policy.isSelfServiceRegistrationAllowed = false;
    const res = await options(U.alex, U.megan);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('badRequest');
    expect(validateErrorBody(res.body)).toEqual([]);
  });

  it('refuses guests, internal and external, for options and registration alike (Graph-shaped 400)', async () => {
    allowUnattested();
    const { challenge } = (await options(U.alex, U.megan)).body.publicKey;
    for (const guest of [U.lynne, U.chris]) {
      const res = await options(U.alex, guest);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'badRequest', message: 'Passkey (FIDO2) registration is not supported for guest users.' });
      expect(validateErrorBody(res.body)).toEqual([]);
      expect((await provision(U.alex, guest, makeCredential({ challenge }))).status).toBe(400);
    }
  });

  it('excludeCredentials lists every key the person already has that carries a credential id', async () => {
    allowUnattested();
    const first = makeCredential({ challenge: (await options(U.alex, U.megan)).body.publicKey.challenge });
    expect((await provision(U.alex, U.megan, first)).status).toBe(201);
    const second = makeCredential({ challenge: (await options(U.alex, U.megan)).body.publicKey.challenge });
    expect((await provision(U.alex, U.megan, second)).status).toBe(201);
    const next = (await options(U.alex, U.megan)).body;
    expect(next.publicKey.excludeCredentials.map((c: { id: string; type: string }) => [c.id, c.type])).toEqual([
      [first.id, 'public-key'],
      [second.id, 'public-key'],
    ]);
    expect(validateInstance(model, 'webauthnCredentialCreationOptions', next)).toEqual([]);
  });
});

describe('POST fido2Methods', () => {
  it('registers a verified passkey: 201 with the documented properties, then listed and excluded from the next options', async () => {
    allowUnattested();
    const { challenge } = (await options(U.alex, U.megan)).body.publicKey;
    const credential = makeCredential({ challenge });
    const res = await provision(U.alex, U.megan, credential, 'My security key');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      '@odata.type': '#microsoft.graph.fido2AuthenticationMethod',
      displayName: 'My security key',
      aaGuid: YUBIKEY_5_NFC,
      model: 'YubiKey 5 Series with NFC',
      attestationCertificates: [],
      attestationLevel: 'notAttested',
      passkeyType: 'deviceBound',
    });
    expect(res.body).not.toHaveProperty('publicKeyCredential');
    expect(validateInstance(model, 'fido2AuthenticationMethod', res.body)).toEqual([]);
    const list = await call(emu, 'GET', keysPath(U.megan), { token: await token(emu, U.alex) });
    expect(list.body.value.map((k: { id: string }) => k.id)).toEqual([res.body.id]);
    const next = await options(U.alex, U.megan);
    expect(next.body.publicKey.excludeCredentials.map((c: { id: string }) => c.id)).toEqual([credential.id]);
  });

  it('packed self attestation verifies but is not "attested" (no certificate chain)', async () => {
    allowUnattested();
    const { challenge } = (await options(U.alex, U.megan)).body.publicKey;
    const res = await provision(U.alex, U.megan, makeCredential({ challenge, fmt: 'packed' }));
    expect(res.status).toBe(201);
    expect(res.body.attestationLevel).toBe('notAttested');
    expect(res.body.displayName).toBe('YubiKey 5 Series with NFC');
  });

  it('refuses an unattested key while the policy enforces attestation', async () => {
    const { challenge } = (await options(U.alex, U.megan)).body.publicKey;
    const res = await provision(U.alex, U.megan, makeCredential({ challenge }));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'badRequest',
      message: 'The Passkey (FIDO2) policy requires attestation, and this passkey could not be attested.',
    });
    expect(validateErrorBody(res.body)).toEqual([]);
    expect(emu.ctx.state.fido2Of(U.meganId)).toEqual([]);
  });

  it('refuses a key the policy blocks by AAGUID', async () => {
    allowUnattested();
    emu.ctx.state.fido2Policy.keyRestrictions = { isEnforced: true, enforcementType: 'block', aaGuids: [YUBIKEY_5_NFC] };
    const { challenge } = (await options(U.alex, U.megan)).body.publicKey;
    const res = await provision(U.alex, U.megan, makeCredential({ challenge }));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('This passkey is not allowed by the Passkey (FIDO2) policy key restrictions.');
  });

  it('refuses a challenge that is expired, reused, unknown or issued for another user', async () => {
    allowUnattested();
    const forLee = (await options(U.alex, U.lee)).body.publicKey.challenge;
    expect((await provision(U.alex, U.megan, makeCredential({ challenge: forLee }))).status).toBe(400);
    expect((await provision(U.alex, U.megan, makeCredential({ challenge: randomBytes(32).toString('base64url') }))).status).toBe(400);
    const once = (await options(U.alex, U.megan)).body.publicKey.challenge;
    expect((await provision(U.alex, U.megan, makeCredential({ challenge: once }))).status).toBe(201);
    expect((await provision(U.alex, U.megan, makeCredential({ challenge: once }))).status).toBe(400);
    const late = (await options(U.alex, U.megan)).body.publicKey.challenge;
    emu.advanceClock(6);
    const res = await provision(U.alex, U.megan, makeCredential({ challenge: late }));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/challenge/);
  });

  it('refuses the wrong origin, the wrong relying party, a get assertion type and a key without user verification', async () => {
    allowUnattested();
    const cases: Partial<MakeOptions>[] = [{ origin: 'https://evil.example' }, { rpId: 'localhost' }, { type: 'webauthn.get' }, { flags: 0x41 }];
    for (const c of cases) {
      const { challenge } = (await options(U.alex, U.megan)).body.publicKey;
      const res = await provision(U.alex, U.megan, makeCredential({ challenge, ...c }));
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe('The passkey attestation could not be verified.');
    }
    expect(emu.ctx.state.fido2Of(U.meganId)).toEqual([]);
  });

  it('a body without publicKeyCredential, or the entity sent as a JSON string, is 400 "missing a fido2AuthenticationMethod entity"', async () => {
    const t = await token(emu, U.alex);
    for (const body of [{ displayName: 'x' }, JSON.stringify(JSON.stringify({ displayName: 'x' }))]) {
      const res = await call(emu, 'POST', keysPath(U.megan), { token: t, body, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe('The request is missing a fido2AuthenticationMethod entity');
    }
  });

  it('an Authentication Administrator may not provision for a Global Administrator; nobody for themselves', async () => {
    allowUnattested();
    const { challenge } = (await options(U.patti, U.adele)).body.publicKey;
    expect((await provision(U.alex, U.adele, makeCredential({ challenge }))).status).toBe(403);
    expect((await provision(U.alex, U.alex, makeCredential({ challenge }))).status).toBe(403);
    expect((await provision(U.patti, U.adele, makeCredential({ challenge }))).status).toBe(201);
  });
});
