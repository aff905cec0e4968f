// My Security Info at the HTTP level: the TAP sign-in and each of its refusals, one-time use consumed at sign-in,
// the session (cookie, lifetime, sign-out, revocation), the strict CSP, and the server side of "Add a security key"
// (creation options, the one-time window, the Fido2 policy, forged attestations). The browser flow itself is in
// ../mysignins-webauthn.test.ts.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../index';
import { MsiClient, issueTap } from '../support/mysignins';
import { httpRequest } from '../support/http';
import { accessTokenFor } from '../support/tokens';

const DOMAIN = 'tapkioskdemo.onmicrosoft.com';
const MEGAN = `megan.bowen@${DOMAIN}`;
const BLOCKED = 'Temporary Access Pass sign in was blocked due to User Credential Policy.';

let emu: Emulator;
let msi: MsiClient;
beforeAll(async () => {
  // The short one-time "kiosk" TAP policy preset: these tests are about 10-minute one-time passes.
  emu = await startEmulator({ tapPolicy: 'kiosk' });
});
afterAll(async () => emu.close());
beforeEach(() => {
  emu.reset();
  msi = new MsiClient(emu.urls.mySecurityInfo);
});

const userId = (upn: string) => emu.ctx.state.findUser(upn)!.id;

describe('My Security Info sign-in: username, then Temporary Access Pass', () => {
  it('asks for the username first, and says an unknown one "may be incorrect" (AADSTS50034)', async () => {
    const start = await msi.get('/');
    expect(start.status).toBe(303);
    expect(start.headers.get('location')).toBe('/signin');
    expect((await msi.get('/signin')).step).toBe('sign-in-username');
    const res = await msi.form('/signin', { username: `nobody@${DOMAIN}` });
    expect(res.step).toBe('sign-in-username');
    expect(res.error).toBe('user-not-found');
    expect(res.body).toContain('This username may be incorrect. Make sure you typed it correctly. Otherwise, contact your admin.');
    expect(res.body).toContain('AADSTS50034');
  });

  it('asks a known user for the Temporary Access Pass', async () => {
    const res = await msi.form('/signin', { username: MEGAN.toUpperCase() });
    expect(res.step).toBe('sign-in-tap');
    expect(res.error).toBeNull();
    expect(res.body).toContain('<h1>Enter Temporary Access Pass</h1>');
    expect(res.body).toContain('<label for="tap">Temporary Access Pass</label>');
  });

  it('signs in with a valid pass: 303 to Security info with a session cookie', async () => {
    const tap = issueTap(emu, MEGAN, { isUsableOnce: false, lifetimeInMinutes: 60 });
    emu.ctx.state.tapPolicy.isUsableOnce = false;
    const res = await msi.signIn(MEGAN, tap.pass);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/security-info');
    const info = await msi.get('/security-info');
    expect(info.step).toBe('security-info');
    expect(info.body).toContain('Megan Bowen');
    expect(info.body).toContain('+ Add sign-in method');
  });

  it('refuses a wrong pass, and a pass for a user who has none, as incorrect', async () => {
    issueTap(emu, MEGAN, { pass: 'Right!Pass-123' });
    const wrong = await msi.signIn(MEGAN, 'Wrong!Pass-123');
    expect([wrong.step, wrong.error]).toEqual(['sign-in-tap', 'tap-incorrect']);
    expect(emu.ctx.state.taps.get(userId(MEGAN))!.usedDateTime).toBeNull();
    const none = await msi.signIn(`miriam.graham@${DOMAIN}`, 'Right!Pass-123');
    expect([none.step, none.error]).toEqual(['sign-in-tap', 'tap-incorrect']);
    expect(msi.cookie).toBeNull();
  });

  it('refuses a pass before its start time, and accepts it once the start time has come', async () => {
    const tap = issueTap(emu, MEGAN, { startInMinutes: 30, lifetimeInMinutes: 60 });
    const early = await msi.signIn(MEGAN, tap.pass);
    expect(early.error).toBe('tap-not-yet-valid');
    expect(early.body).toContain('Your Temporary Access Pass isn&#39;t valid yet.');
    expect(tap.usedDateTime).toBeNull();
    emu.advanceClock(30);
    expect((await msi.signIn(MEGAN, tap.pass)).status).toBe(303);
  });

  it('refuses an expired pass', async () => {
    const tap = issueTap(emu, MEGAN, { lifetimeInMinutes: 10 });
    emu.advanceClock(10);
    const res = await msi.signIn(MEGAN, tap.pass);
    expect(res.error).toBe('tap-expired');
    expect(res.body).toContain('Your Temporary Access Pass has expired.');
  });

  it('consumes a one-time pass at sign-in: usedDateTime is set then, and a second sign-in is blocked by policy', async () => {
    const tap = issueTap(emu, MEGAN, { isUsableOnce: true, lifetimeInMinutes: 60 });
    emu.advanceClock(2);
    const first = await msi.signIn(MEGAN, tap.pass);
    expect(first.status).toBe(303);
    expect(tap.usedDateTime?.getTime()).toBeCloseTo(emu.ctx.clock.nowMs(), -4);
    const second = await new MsiClient(emu.urls.mySecurityInfo).signIn(MEGAN, tap.pass);
    expect(second.error).toBe('tap-one-time-used');
    expect(second.body).toContain(BLOCKED);
  });

  it('refuses a user the TAP policy excludes ("TAP excluded" group), and everyone when the policy is disabled', async () => {
    const isaiah = `isaiah.langer@${DOMAIN}`;
    const excluded = issueTap(emu, isaiah);
    const res = await msi.signIn(isaiah, excluded.pass);
    expect(res.error).toBe('tap-policy');
    expect(res.body).toContain(BLOCKED);
    expect(excluded.usedDateTime).toBeNull();

    const tap = issueTap(emu, MEGAN);
    emu.ctx.state.tapPolicy.state = 'disabled';
    expect((await msi.signIn(MEGAN, tap.pass)).error).toBe('tap-policy');
  });

  it('refuses a multi-use pass while the policy requires one-time passes', async () => {
    expect(emu.ctx.state.tapPolicy.isUsableOnce).toBe(true);
    const tap = issueTap(emu, MEGAN, { isUsableOnce: false, lifetimeInMinutes: 60 });
    const res = await msi.signIn(MEGAN, tap.pass);
    expect(res.error).toBe('tap-multi-use-not-allowed');
    expect(res.body).toContain(BLOCKED);
  });

  it('refuses a disabled account (AADSTS50057) without consuming its pass', async () => {
    const diego = `diego.siciliani@${DOMAIN}`;
    const tap = issueTap(emu, diego);
    const res = await msi.signIn(diego, tap.pass);
    expect(res.error).toBe('account-disabled');
    expect(res.body).toContain('AADSTS50057');
    expect(tap.usedDateTime).toBeNull();
  });

  it('refuses an external guest, even holding a pass', async () => {
    const chris = `chris.green_fabrikam.com#EXT#@${DOMAIN}`;
    const tap = issueTap(emu, chris);
    const res = await msi.signIn(chris, tap.pass);
    expect(res.error).toBe('external-guest');
    expect(tap.usedDateTime).toBeNull();
  });

  it('signs in an internal guest (userType Guest, homed in this tenant) like a member', async () => {
    const lynne = `lynne.robbins@${DOMAIN}`;
    const tap = issueTap(emu, lynne);
    expect((await msi.signIn(lynne, tap.pass)).status).toBe(303);
  });

  it('gives every refusal its own code and message', async () => {
    // The kiosk's guide branches on data-error; each case must be told apart.
    const { signInRefusal } = await import('../mysignins');
    const codes = [
      'user-not-found',
      'tap-incorrect',
      'account-disabled',
      'external-guest',
      'tap-not-yet-valid',
      'tap-expired',
      'tap-one-time-used',
      'tap-policy',
      'tap-multi-use-not-allowed',
    ] as const;
    const texts = codes.map((c) => {
      const r = signInRefusal(c);
      return `${r.title} ${r.detail ?? ''}`;
    });
    expect(new Set(texts).size).toBe(codes.length);
  });
});

describe('My Security Info session', () => {
  async function signedIn(options: Parameters<typeof issueTap>[2] = {}) {
    const tap = issueTap(emu, MEGAN, { lifetimeInMinutes: 60, ...options });
    const res = await msi.signIn(MEGAN, tap.pass);
    expect(res.status).toBe(303);
    return { tap, res };
  }

  it('lives in an HttpOnly, SameSite=Strict, path-wide session cookie with an unguessable id', async () => {
    const { res } = await signedIn();
    const cookie = res.headers.get('set-cookie') ?? '';
    const attrs = cookie.split(';').map((a) => a.trim().toLowerCase());
    expect(attrs).toContain('httponly');
    expect(attrs).toContain('samesite=strict');
    expect(attrs).toContain('path=/');
    expect(attrs.some((a) => a.startsWith('expires=') || a.startsWith('max-age='))).toBe(false);
    expect(cookie.split(';')[0]!.split('=')[1]!.length).toBeGreaterThanOrEqual(43);
  });

  it('ends at sign-out: the cookie is cleared and the old one no longer opens any page', async () => {
    await signedIn();
    const old = msi.cookie;
    const out = await msi.form('/signout', {});
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/signed-out');
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await msi.get('/signed-out')).step).toBe('signed-out');
    msi.cookie = old;
    for (const path of ['/security-info', '/security-info/add', '/security-info/add/security-key/usb']) {
      const res = await msi.get(path);
      expect([path, res.status, res.headers.get('location')]).toEqual([path, 303, '/signin']);
    }
    expect((await msi.json('/security-info/webauthn/options', {})).status).toBe(401);
  });

  it('cannot outlive the pass that opened it', async () => {
    await signedIn({ lifetimeInMinutes: 30, isUsableOnce: true });
    emu.advanceClock(29);
    expect((await msi.get('/security-info')).status).toBe(200);
    emu.advanceClock(1);
    const res = await msi.get('/security-info');
    expect([res.status, res.headers.get('location')]).toEqual([303, '/signin']);
  });

  it("ends when the user's sign-in sessions are revoked, and when the emulator is reset", async () => {
    await signedIn();
    emu.advanceClock(1);
    const revoked = await httpRequest(`${emu.urls.graph}/users/${userId(MEGAN)}/revokeSignInSessions`, {
      method: 'POST',
      ca: emu.caPem,
      headers: { authorization: `Bearer ${await accessTokenFor(emu, `alex.wilber@${DOMAIN}`)}` },
    });
    expect(revoked.status).toBe(200);
    expect((await msi.get('/security-info')).status).toBe(303);

    await signedIn();
    expect((await msi.get('/security-info')).status).toBe(200);
    const cookie = msi.cookie;
    emu.reset();
    msi.cookie = cookie;
    expect((await msi.get('/security-info')).status).toBe(303);

    // The admin API's reset (used by out-of-process tests) ends sessions too.
    await signedIn();
    const reset = await httpRequest(`${emu.urls.admin}/reset`, { method: 'POST', ca: emu.caPem, headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(reset.status).toBe(204);
    expect((await msi.get('/security-info')).status).toBe(303);
  });

  it('redirects every signed-in page to sign-in when there is no session', async () => {
    for (const path of [
      '/security-info',
      '/security-info/add',
      '/security-info/add/security-key',
      '/security-info/add/security-key/usb',
      '/security-info/add/security-key/name',
      '/security-info/error?code=x',
    ]) {
      const res = await msi.get(path);
      expect([path, res.status, res.headers.get('location')]).toEqual([path, 303, '/signin']);
    }
  });

  it('refuses state-changing requests from another origin, before signing anyone in', async () => {
    const tap = issueTap(emu, MEGAN);
    const res = await msi.request(
      'POST',
      '/signin/tap',
      new URLSearchParams({ username: MEGAN, tap: tap.pass }).toString(),
      'application/x-www-form-urlencoded',
      {
        origin: 'http://evil.example',
      },
    );
    expect(res.status).toBe(403);
    expect(tap.usedDateTime).toBeNull();
    expect(msi.cookie).toBeNull();
  });
});

describe('My Security Info pages: headers and markup', () => {
  it('sends a strict Content-Security-Policy and no inline script or style on any page', async () => {
    const tap = issueTap(emu, MEGAN, { lifetimeInMinutes: 60 });
    const pages = [await msi.get('/signin'), await msi.form('/signin', { username: MEGAN }), await msi.signIn(MEGAN, tap.pass)];
    for (const path of [
      '/security-info',
      '/security-info/add',
      '/security-info/add/security-key',
      '/security-info/add/security-key/usb',
      '/security-info/error?code=key-restricted',
    ]) {
      pages.push(await msi.get(path));
    }
    pages.push(await msi.get('/no/such/page'));
    for (const page of pages) {
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("form-action 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      if (page.status === 303) continue;
      expect(page.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i);
      expect(page.body).not.toMatch(/\sstyle=|\son[a-z]+=/i);
      expect(page.step).not.toBeNull();
    }
    const notFound = pages[pages.length - 1]!;
    expect([notFound.status, notFound.step, notFound.error]).toEqual([404, 'error', 'not-found']);
  });

  it('serves the WebAuthn script and the stylesheet as static files', async () => {
    const js = await msi.get('/static/webauthn.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.body).toContain('navigator.credentials.create');
    const css = await msi.get('/static/mysignins.css');
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('labels every input and marks each step with a stable data-step', async () => {
    const user = await msi.form('/signin', { username: MEGAN });
    for (const page of [await msi.get('/signin'), user]) {
      for (const [, id] of page.body.matchAll(/<input[^>]*\sid="([^"]+)"/g)) expect(page.body).toContain(`<label for="${id}">`);
      expect(page.body).toMatch(/<main id="main"/);
      expect(page.body).toMatch(/<h1>/);
      expect(page.body).toContain('<html lang="en">');
    }
  });
});

describe('My Security Info: adding a security key (server side)', () => {
  async function signIn(options: Parameters<typeof issueTap>[2] = {}) {
    const tap = issueTap(emu, MEGAN, { lifetimeInMinutes: 60, ...options });
    expect((await msi.signIn(MEGAN, tap.pass)).status).toBe(303);
  }
  const options = async () => {
    const res = await msi.json('/security-info/webauthn/options', {});
    return { status: res.status, body: JSON.parse(res.body) };
  };

  it('issues creation options for a resident, user-verified, cross-platform key with direct attestation, excluding keys already held', async () => {
    const existing = randomUUID();
    emu.ctx.state.fido2.set(existing, {
      id: existing,
      userId: userId(MEGAN),
      displayName: 'Old key',
      createdDateTime: new Date(),
      aaGuid: '2fc0579f-8113-47ea-b116-bb5a8db9202a',
      model: 'YubiKey 5 Series with NFC',
      attestationLevel: 'attested',
      attestationCertificates: [],
      passkeyType: 'deviceBound',
      credentialId: 'AQIDBAUGBwgJCgsMDQ4PEA',
    });
    await signIn();
    const { status, body } = await options();
    expect(status).toBe(200);
    expect(body.options).toMatchObject({
      rp: { id: 'localhost', name: 'Microsoft' },
      user: { name: MEGAN, displayName: 'Megan Bowen' },
      attestation: 'direct',
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required', authenticatorAttachment: 'cross-platform' },
      excludeCredentials: [{ id: 'AQIDBAUGBwgJCgsMDQ4PEA', type: 'public-key' }],
    });
    expect(body.options.challenge).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(body.options.pubKeyCredParams.map((p: { alg: number }) => p.alg)).toContain(-7);
  });

  it('refuses options more than 10 minutes after a one-time TAP sign-in, with the 10-minute message', async () => {
    await signIn({ isUsableOnce: true });
    emu.advanceClock(4);
    expect((await options()).status).toBe(200);
    emu.advanceClock(7);
    // Both the five-minute freshness and the one-time window are over: the window's refusal wins (the same pass
    // cannot sign in again).
    const late = await options();
    expect(late.status).toBe(400);
    expect(late.body.error).toBe('registration-window-expired');
    const page = await msi.get(late.body.redirect);
    expect([page.step, page.error]).toEqual(['error', 'registration-window-expired']);
    expect(page.body).toContain('more than 10 minutes have passed since you signed in with your one-time Temporary Access Pass');
  });

  it('applies no 10-minute window to a multi-use TAP, only the five-minute freshness: signing in again with it works', async () => {
    emu.ctx.state.tapPolicy.isUsableOnce = false;
    const tap = issueTap(emu, MEGAN, { lifetimeInMinutes: 60, isUsableOnce: false });
    expect((await msi.signIn(MEGAN, tap.pass)).status).toBe(303);
    emu.advanceClock(30);
    const stale = await options();
    expect([stale.status, stale.body.error]).toEqual([400, 'sign-in-not-fresh']);
    expect((await msi.signIn(MEGAN, tap.pass)).status).toBe(303);
    expect((await options()).status).toBe(200);
  });

  it('refuses registration once five minutes have passed since the sign-in ("within the past five minutes"), and says to sign in again', async () => {
    emu.ctx.state.tapPolicy.isUsableOnce = false;
    await signIn({ isUsableOnce: false });
    emu.ctx.clock.advance(5 * 60_000 - 2_000); // the emulator clock runs on: a little slack
    expect((await options()).status).toBe(200);
    emu.ctx.clock.advance(2_000);
    const late = await options();
    expect([late.status, late.body.error]).toEqual([400, 'sign-in-not-fresh']);
    const page = await msi.get(late.body.redirect);
    expect([page.step, page.error]).toEqual(['error', 'sign-in-not-fresh']);
    expect(page.body).toContain('You need to sign in again before you can add a security key.');
    expect(page.body).toContain('href="/reauth"');
  });

  it('offers no security key, and issues no options, when the Fido2 policy is disabled or excludes the user', async () => {
    await signIn();
    emu.ctx.state.fido2Policy.state = 'disabled';
    let add = await msi.get('/security-info/add');
    expect([add.step, add.error]).toEqual(['add-method', 'fido2-not-enabled']);
    expect(add.body).not.toContain('href="/security-info/add/security-key"');
    expect((await options()).body.error).toBe('fido2-not-enabled');

    emu.ctx.state.fido2Policy.state = 'enabled';
    emu.ctx.state.fido2Policy.excludeTargets = [{ targetType: 'user', id: userId(MEGAN) }];
    expect((await options()).body.error).toBe('fido2-not-enabled');

    emu.ctx.state.fido2Policy.excludeTargets = [];
    add = await msi.get('/security-info/add');
    expect([add.step, add.error]).toEqual(['add-method', null]);
    expect(add.body).toContain('href="/security-info/add/security-key"');
  });

  it('refuses self-service registration when the policy does not allow it', async () => {
    await signIn();
    emu.ctx.state.fido2Policy.isSelfServiceRegistrationAllowed = false;
    expect((await options()).body.error).toBe('fido2-self-service-not-allowed');
  });

  it('refuses a forged attestation, and one sent without options, storing nothing', async () => {
    await signIn();
    const forged = {
      id: 'AQID',
      rawId: 'AQID',
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: 'x', origin: emu.urls.mySecurityInfo })).toString('base64url'),
        attestationObject: 'o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YVgl',
      },
    };
    const noOptions = await msi.json('/security-info/webauthn/verify', forged);
    expect([noOptions.status, JSON.parse(noOptions.body).error]).toEqual([400, 'verification-failed']);
    await options();
    const bad = await msi.json('/security-info/webauthn/verify', forged);
    expect([bad.status, JSON.parse(bad.body).error]).toEqual([400, 'verification-failed']);
    const junk = await msi.json('/security-info/webauthn/verify', { nonsense: true });
    expect(JSON.parse(junk.body).error).toBe('verification-failed');
    expect(emu.ctx.state.fido2Of(userId(MEGAN))).toHaveLength(0);
    // Nothing to name either.
    const name = await msi.get('/security-info/add/security-key/name');
    expect([name.status, name.headers.get('location')]).toEqual([303, '/security-info']);
  });
});

describe('My Security Info: the Fido2 policy on a verified key (decision table)', () => {
  const YUBIKEY = '2fc0579f-8113-47ea-b116-bb5a8db9202a';
  const UNLISTED = '01020304-0506-0708-0102-030405060708';

  it('calls a key attested only for a certificate chain from an authenticator the metadata catalog lists', async () => {
    const { attestationLevelOf } = await import('../mysignins/registration');
    expect(attestationLevelOf('packed', true, YUBIKEY.toUpperCase())).toBe('attested');
    expect(attestationLevelOf('none', false, YUBIKEY)).toBe('notAttested');
    expect(attestationLevelOf('packed', false, YUBIKEY)).toBe('notAttested'); // self attestation
    expect(attestationLevelOf('packed', true, UNLISTED)).toBe('notAttested');
  });

  it('refuses an unattested key (format none included) when attestation is enforced, and accepts it when not', async () => {
    const { fido2PolicyAllowsKey } = await import('../mysignins/registration');
    const policy = emu.ctx.state.fido2Policy;
    expect(policy.isAttestationEnforced).toBe(true);
    expect(fido2PolicyAllowsKey(policy, YUBIKEY, 'notAttested')).toBe('attestation-required');
    expect(fido2PolicyAllowsKey(policy, YUBIKEY, 'attested')).toBeNull();
    expect(fido2PolicyAllowsKey({ ...policy, isAttestationEnforced: false }, YUBIKEY, 'notAttested')).toBeNull();
  });

  it('applies key restrictions only when enforced, matching AAGUIDs case-insensitively', async () => {
    const { fido2PolicyAllowsKey } = await import('../mysignins/registration');
    const base = { ...emu.ctx.state.fido2Policy, isAttestationEnforced: false };
    const block = { ...base, keyRestrictions: { isEnforced: true, enforcementType: 'block' as const, aaGuids: [YUBIKEY.toUpperCase()] } };
    expect(fido2PolicyAllowsKey(block, YUBIKEY, 'attested')).toBe('key-restricted');
    expect(fido2PolicyAllowsKey(block, UNLISTED, 'notAttested')).toBeNull();
    const allow = { ...base, keyRestrictions: { isEnforced: true, enforcementType: 'allow' as const, aaGuids: [YUBIKEY] } };
    expect(fido2PolicyAllowsKey(allow, YUBIKEY, 'attested')).toBeNull();
    expect(fido2PolicyAllowsKey(allow, UNLISTED, 'notAttested')).toBe('key-restricted');
    const notEnforced = { ...block, keyRestrictions: { ...block.keyRestrictions, isEnforced: false } };
    expect(fido2PolicyAllowsKey(notEnforced, YUBIKEY, 'attested')).toBeNull();
  });

  it('with passkey profiles, the profiles allowed on the targets that cover the user decide, not the legacy settings', async () => {
    const { fido2PolicyAllowsKey } = await import('../mysignins/registration');
    const { withPasskeyProfiles } = await import('../store');
    const GROUP = 'a1b2c3d4-0002-4a00-8000-00000000beef';
    const migrated = withPasskeyProfiles({ ...emu.ctx.state.fido2Policy, isAttestationEnforced: false });
    const yubikeysOnly = {
      id: 'profile-yubikeys',
      name: 'YubiKeys only',
      passkeyTypes: ['deviceBound' as const],
      attestationEnforcement: 'disabled' as const,
      keyRestrictions: { isEnforced: true, enforcementType: 'allow' as const, aaGuids: [YUBIKEY] },
    };
    const syncedOnly = {
      ...yubikeysOnly,
      id: 'profile-synced',
      name: 'Synced only',
      passkeyTypes: ['synced' as const],
      keyRestrictions: { isEnforced: false, enforcementType: 'allow' as const, aaGuids: [] },
    };
    const policy = {
      ...migrated,
      // The legacy settings would block the YubiKey; with profiles they no longer decide.
      keyRestrictions: { isEnforced: true, enforcementType: 'block' as const, aaGuids: [YUBIKEY] },
      passkeyProfiles: [...(migrated.passkeyProfiles ?? []), yubikeysOnly, syncedOnly],
      includeTargets: [{ targetType: 'group' as const, id: GROUP, isRegistrationRequired: false, allowedPasskeyProfiles: [yubikeysOnly.id] }],
    };
    const inGroup = (id: string) => id === GROUP;
    const outside = () => false;
    expect(fido2PolicyAllowsKey(policy, YUBIKEY, 'notAttested', inGroup)).toBeNull();
    expect(fido2PolicyAllowsKey(policy, UNLISTED, 'attested', inGroup)).toBe('key-restricted');
    expect(fido2PolicyAllowsKey(policy, YUBIKEY, 'attested', outside)).toBe('key-restricted');
    // A profile for synced passkeys only refuses a security key (device-bound).
    const synced = { ...policy, includeTargets: [{ ...policy.includeTargets[0]!, allowedPasskeyProfiles: [syncedOnly.id] }] };
    expect(fido2PolicyAllowsKey(synced, YUBIKEY, 'attested', inGroup)).toBe('key-restricted');
    // A target without allowedPasskeyProfiles gets the default profile (it mirrors the legacy settings at migration).
    const plain = { ...policy, includeTargets: [{ targetType: 'group' as const, id: GROUP, isRegistrationRequired: false }] };
    expect(fido2PolicyAllowsKey(plain, UNLISTED, 'notAttested', inGroup)).toBeNull();
  });
});
