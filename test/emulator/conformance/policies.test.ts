// The authentication methods policy configurations (entra-graph.md 2, 3): shapes as in the doc examples, the
// presets, and who may read them (a policy scope AND Global Reader / Authentication Policy Administrator /
// Global Administrator; an Authentication Administrator alone gets 403).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../index';
import { Role } from '../model';
import { call, token, U } from './graph-http';

let emu: Emulator;
beforeAll(async () => {
  // The short one-time "kiosk" TAP policy preset: these tests are about 10-minute one-time passes.
  emu = await startEmulator({ tapPolicy: 'kiosk' });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

const CONFIGS = '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations';
const EXCLUDED_GROUP = 'a1b2c3d4-0002-4a00-8000-000000000002';

const read = async (who: string, id = 'TemporaryAccessPass', scopes?: readonly string[]) =>
  call(emu, 'GET', `${CONFIGS}/${id}`, { token: await token(emu, who, scopes) });

describe('TemporaryAccessPass configuration', () => {
  it('an Authentication Policy Administrator reads the kiosk preset in the documented shape', async () => {
    const res = await read(U.lidia);
    expect(res.status).toBe(200);
    expect(res.body['@odata.context']).toBe(`${emu.urls.origin}/v1.0/$metadata#authenticationMethodConfigurations/$entity`);
    const { 'includeTargets@odata.context': targetsContext, '@odata.context': _c, ...rest } = res.body;
    expect(targetsContext).toMatch(/includeTargets$/);
    expect(rest).toEqual({
      '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration',
      id: 'TemporaryAccessPass',
      state: 'enabled',
      defaultLifetimeInMinutes: 10,
      defaultLength: 12,
      minimumLifetimeInMinutes: 10,
      maximumLifetimeInMinutes: 60,
      isUsableOnce: true,
      includeTargets: [{ targetType: 'group', id: 'all_users', isRegistrationRequired: false }],
      excludeTargets: [{ id: EXCLUDED_GROUP, targetType: 'group' }],
    });
  });

  it('the microsoft-defaults preset reproduces the documented defaults (60/480/60, length 8, multi-use)', async () => {
    emu.reset('microsoft-defaults');
    const res = await read(U.lidia);
    expect(res.body).toMatchObject({
      defaultLifetimeInMinutes: 60,
      defaultLength: 8,
      minimumLifetimeInMinutes: 60,
      maximumLifetimeInMinutes: 480,
      isUsableOnce: false,
    });
  });

  it('matches the configuration segment case-insensitively; the id is always "TemporaryAccessPass"', async () => {
    for (const segment of ['temporaryAccessPass', 'TEMPORARYACCESSPASS', 'TemporaryAccessPass']) {
      const res = await read(U.lidia, segment);
      expect(res.status).toBe(200);
      expect(res.body.id).toBe('TemporaryAccessPass');
    }
  });

  it('shows a policy change made through the admin API', async () => {
    const patched = await call(emu, 'PATCH', '/_admin/policies/temporaryAccessPass', { body: { state: 'disabled', defaultLength: 16 } });
    expect(patched.status).toBe(200);
    expect((await read(U.lidia)).body).toMatchObject({ state: 'disabled', defaultLength: 16 });
  });

  it('an Authentication Administrator alone gets 403 accessDenied (the kiosk must cope without the policy)', async () => {
    for (const op of [U.alex, U.henrietta]) {
      const res = await read(op);
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'accessDenied', message: 'Request Authorization failed.' });
    }
  });

  it('a Privileged Authentication Administrator and a role-less operator get 403 too', async () => {
    expect((await read(U.patti)).status).toBe(403);
    expect((await read(U.nestor)).status).toBe(403);
  });

  it('a Global Reader and a Global Administrator may read it', async () => {
    emu.ctx.state.users.get('00000000-0000-4000-8000-000000000004')!.roles = [Role.GlobalReader];
    expect((await read(U.nestor)).status).toBe(200);
    expect((await read(U.adele)).status).toBe(200);
  });

  it('the role is not enough without a policy scope; any of the three policy scopes is', async () => {
    expect((await read(U.lidia, 'TemporaryAccessPass', ['User.Read', 'UserAuthenticationMethod.ReadWrite.All'])).status).toBe(403);
    for (const scope of ['Policy.Read.AuthenticationMethod', 'Policy.ReadWrite.AuthenticationMethod', 'Policy.Read.All']) {
      expect((await read(U.lidia, 'TemporaryAccessPass', [scope])).status).toBe(200);
    }
  });
});

describe('Fido2 configuration', () => {
  it('reads the passkey policy in the documented shape, id "Fido2"', async () => {
    const res = await read(U.lidia, 'fido2');
    expect(res.status).toBe(200);
    const { 'includeTargets@odata.context': _t, '@odata.context': _c, ...rest } = res.body;
    expect(rest).toEqual({
      '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration',
      id: 'Fido2',
      state: 'enabled',
      isSelfServiceRegistrationAllowed: true,
      isAttestationEnforced: true,
      keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] },
      // Not migrated to passkey profiles: no baseline profile, no profiles, no allowedPasskeyProfiles.
      defaultPasskeyProfile: null,
      includeTargets: [{ targetType: 'group', id: 'all_users', isRegistrationRequired: false }],
      excludeTargets: [],
    });
  });

  it('shows passkey profiles set through the admin API, with the profiles each target allows', async () => {
    const strict = {
      id: '5f0d3c1e-7a9b-4c2d-8e1f-000000000002',
      name: 'Admins: YubiKeys only',
      passkeyTypes: ['deviceBound'],
      attestationEnforcement: 'registrationOnly',
      keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: ['2fc0579f-8113-47ea-b116-bb5a8db9202a'] },
    };
    const res = await call(emu, 'PATCH', '/_admin/policies/fido2', {
      body: {
        passkeyProfiles: [strict],
        defaultPasskeyProfile: strict.id,
        includeTargets: [{ targetType: 'group', id: 'all_users', isRegistrationRequired: false, allowedPasskeyProfiles: [strict.id] }],
      },
    });
    expect(res.status).toBe(200);
    const body = (await read(U.lidia, 'Fido2')).body;
    expect(body.defaultPasskeyProfile).toBe(strict.id);
    expect(body.passkeyProfiles).toEqual([{ ...strict, passkeyTypes: 'deviceBound' }]);
    expect(body.includeTargets).toEqual([{ targetType: 'group', id: 'all_users', isRegistrationRequired: false, allowedPasskeyProfiles: [strict.id] }]);
  });

  it('shows key restrictions set through the admin API', async () => {
    const aaGuids = ['2fc0579f-8113-47ea-b116-bb5a8db9202a'];
    await call(emu, 'PATCH', '/_admin/policies/fido2', { body: { keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids } } });
    expect((await read(U.lidia, 'Fido2')).body.keyRestrictions).toEqual({ isEnforced: true, enforcementType: 'allow', aaGuids });
  });

  it('is refused to an Authentication Administrator like the TAP configuration', async () => {
    expect((await read(U.alex, 'fido2')).status).toBe(403);
  });
});

describe('the policy and its collection', () => {
  it('GET /policies/authenticationMethodsPolicy holds both configurations', async () => {
    const res = await call(emu, 'GET', '/v1.0/policies/authenticationMethodsPolicy', { token: await token(emu, U.lidia) });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe('authenticationMethodsPolicy');
    expect(res.body.authenticationMethodConfigurations.map((c: { id: string }) => c.id)).toEqual(['TemporaryAccessPass', 'Fido2']);
    expect((await call(emu, 'GET', '/v1.0/policies/authenticationMethodsPolicy', { token: await token(emu, U.alex) })).status).toBe(403);
  });

  it('lists the configurations', async () => {
    const res = await call(emu, 'GET', CONFIGS, { token: await token(emu, U.lidia) });
    expect(res.body.value.map((c: { id: string }) => c.id)).toEqual(['TemporaryAccessPass', 'Fido2']);
  });

  it('an unmodelled configuration is 404; /beta answers like v1.0 with its own context', async () => {
    const missing = await read(U.lidia, 'sms');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('Request_ResourceNotFound');
    const beta = await call(emu, 'GET', '/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass', {
      token: await token(emu, U.lidia),
    });
    expect(beta.status).toBe(200);
    expect(beta.body['@odata.context']).toBe(`${emu.urls.origin}/beta/$metadata#authenticationMethodConfigurations/$entity`);
  });
});
