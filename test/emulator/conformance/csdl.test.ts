// Every JSON body the emulator returns on a route the kiosk (or its provisioning clients) calls, checked against
// Microsoft's own Graph v1.0 metadata (csdl.ts): property names and casing, Edm types, enum members,
// nullability, inheritance and `@odata.type`; and every error body against the OData error shape.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../index';
import { call, tapPath, token, U, userPath, type HttpResult } from './graph-http';
import { DEFAULT_PASSKEY_PROFILE_ID, withPasskeyProfiles } from '../store';
import { graphModel, parseCsdl, propertiesOf, validateCollection, validateErrorBody, validateInstance } from './csdl';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

const model = graphModel();
const CARD_FIELDS =
  'id,userPrincipalName,displayName,givenName,surname,mail,employeeId,department,jobTitle,accountEnabled,userType,creationType,externalUserState';
const SUMMARY_FIELDS = 'id,userPrincipalName,displayName,mail,department,jobTitle,employeeId';
const CONFIGS = '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations';
const ROLES_CAST = '/v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole?$count=true';
const EVENTUAL = { ConsistencyLevel: 'eventual' };

function ok(res: HttpResult, status = 200): unknown {
  expect(res.status, res.text).toBe(status);
  return res.body;
}

describe('the CSDL model itself', () => {
  it('reads inheritance, nullability, collections, navigation properties and enums from the XML', () => {
    const tap = propertiesOf(model, 'temporaryAccessPassAuthenticationMethod');
    // id from entity, createdDateTime from authenticationMethod, the rest declared on the type.
    expect(tap.get('id')).toMatchObject({ type: 'Edm.String', nullable: false });
    expect(tap.get('createdDateTime')).toMatchObject({ type: 'Edm.DateTimeOffset', nullable: true });
    expect(tap.get('lifetimeInMinutes')).toMatchObject({ type: 'Edm.Int32', nullable: true });
    const fido = propertiesOf(model, 'fido2AuthenticationMethodConfiguration');
    expect(fido.get('includeTargets')).toMatchObject({ type: 'microsoft.graph.passkeyAuthenticationMethodTarget', collection: true, navigation: true });
    expect(fido.get('excludeTargets')).toMatchObject({ type: 'microsoft.graph.excludeTarget', collection: true, navigation: false });
    expect(model.types.get('microsoft.graph.attestationLevel')).toMatchObject({ kind: 'enum' });
  });

  it('finds what a body gets wrong: casing, Edm type, enum member, null, a foreign @odata.type', () => {
    const issues = validateInstance(model, 'fido2AuthenticationMethod', {
      '@odata.type': '#microsoft.graph.fido2AuthenticationMethod',
      id: 'x',
      aaguid: 'wrong casing',
      createdDateTime: '2024-01-01 10:00',
      attestationLevel: 'attestedByVendor',
      attestationCertificates: null,
    });
    expect(issues.join('\n')).toMatch(/aaguid: .*no such property \(did you mean aaGuid\?\)/);
    expect(issues.join('\n')).toMatch(/createdDateTime: expected an ISO 8601/);
    expect(issues.join('\n')).toMatch(/attestationLevel: "attestedByVendor" is not a member/);
    expect(issues.join('\n')).toMatch(/attestationCertificates: expected a collection/);
    expect(validateInstance(model, 'directoryRole', { id: null, displayName: null })).toEqual(['$.id: null, but the CSDL says Nullable="false"']);
    expect(validateInstance(model, 'authenticationMethod', { '@odata.type': '#microsoft.graph.user', id: 'x' })[0]).toMatch(/does not derive from/);
    expect(validateInstance(model, 'authenticationMethod', { id: 'x' })[0]).toMatch(/abstract/);
  });

  it('resolves aliases', () => {
    const m = parseCsdl(`<?xml version="1.0"?><edmx:Edmx xmlns:edmx="x"><edmx:DataServices>
      <Schema Namespace="a.b" Alias="ab"><EntityType Name="t" BaseType="ab.u"><Property Name="p" Type="Collection(ab.e)" Nullable="false"/></EntityType>
      <EntityType Name="u"/><EnumType Name="e"><Member Name="one"/></EnumType></Schema></edmx:DataServices></edmx:Edmx>`);
    expect(validateInstance(m, 'a.b.t', { p: ['one', 'two'] })).toEqual(['$.p[1]: "two" is not a member of a.b.e (one)']);
  });
});

describe('users', () => {
  it('the search ($filter and $search with the summary $select) returns users as declared', async () => {
    const t = await token(emu, U.alex);
    for (const query of [
      `$filter=${encodeURIComponent("startsWith(displayName,'M')")}&$select=${SUMMARY_FIELDS}&$top=25`,
      `$search=${encodeURIComponent('"displayName:Megan"')}&$select=${SUMMARY_FIELDS}&$top=25&$count=true`,
      `$select=${CARD_FIELDS}`,
      '',
    ]) {
      const body = ok(await call(emu, 'GET', `/v1.0/users?${query}`, { token: t, headers: EVENTUAL }));
      expect(validateCollection(model, 'user', body), query).toEqual([]);
    }
  });

  it('each seeded user, with the identity card $select, conforms (members, guests, disabled)', async () => {
    const t = await token(emu, U.patti);
    for (const user of emu.ctx.state.users.values()) {
      const body = ok(await call(emu, 'GET', userPath(user.id, `?$select=${CARD_FIELDS}`), { token: t }));
      expect(validateInstance(model, 'user', body), user.userPrincipalName).toEqual([]);
    }
  });

  it('photo metadata conforms to profilePhoto, with and without a photo', async () => {
    const t = await token(emu, U.alex);
    for (const user of [U.megan, U.nestor]) {
      const body = ok(await call(emu, 'GET', userPath(user, '/photo'), { token: t }));
      expect(validateInstance(model, 'profilePhoto', body)).toEqual([]);
    }
  });
});

describe('authentication methods', () => {
  it('temporaryAccessPassMethods: create, list and get conform', async () => {
    const t = await token(emu, U.alex);
    const created = ok(await call(emu, 'POST', tapPath(U.megan), { token: t, body: { isUsableOnce: true } }), 201) as { id: string };
    expect(validateInstance(model, 'temporaryAccessPassAuthenticationMethod', created)).toEqual([]);
    const list = ok(await call(emu, 'GET', tapPath(U.megan), { token: t }));
    expect(validateCollection(model, 'temporaryAccessPassAuthenticationMethod', list)).toEqual([]);
    const one = ok(await call(emu, 'GET', tapPath(U.megan, created.id), { token: t }));
    expect(validateInstance(model, 'temporaryAccessPassAuthenticationMethod', one)).toEqual([]);
    const seeded = ok(await call(emu, 'GET', tapPath(U.johanna), { token: t }));
    expect(validateCollection(model, 'temporaryAccessPassAuthenticationMethod', seeded)).toEqual([]);
  });

  it('fido2Methods list and creationOptions conform', async () => {
    const t = await token(emu, U.alex);
    const keys = ok(await call(emu, 'GET', userPath(U.lee, '/authentication/fido2Methods'), { token: t }));
    expect((keys as { value: unknown[] }).value.length).toBeGreaterThan(0);
    expect(validateCollection(model, 'fido2AuthenticationMethod', keys)).toEqual([]);
    const options = ok(await call(emu, 'GET', userPath(U.megan, '/authentication/fido2Methods/creationOptions'), { token: t }));
    expect(validateInstance(model, 'webauthnCredentialCreationOptions', options)).toEqual([]);
  });

  it('revokeSignInSessions answers an Edm.Boolean', async () => {
    const body = ok(await call(emu, 'POST', userPath(U.megan, '/revokeSignInSessions'), { token: await token(emu, U.alex) })) as { value: unknown };
    expect(typeof body.value).toBe('boolean');
  });
});

describe('directory audit log', () => {
  const AUDITS = '/v1.0/auditLogs/directoryAudits';
  const reader = () => token(emu, U.adele, ['AuditLog.Read.All', 'Directory.Read.All']);

  it('a TAP created and deleted appears as two directoryAudit entries that conform, newest first', async () => {
    const alex = await token(emu, U.alex);
    const created = ok(await call(emu, 'POST', tapPath(U.megan), { token: alex, body: { isUsableOnce: true } }), 201) as { id: string };
    ok(await call(emu, 'DELETE', tapPath(U.megan, created.id), { token: alex }), 204);
    const list = ok(await call(emu, 'GET', AUDITS, { token: await reader() }));
    expect(validateCollection(model, 'directoryAudit', list)).toEqual([]);
    const entries = (list as { value: { id: string; activityDisplayName: string; initiatedBy: { user: { id: string } }; targetResources: { id: string }[] }[] })
      .value;
    expect(entries.map((e) => e.activityDisplayName)).toEqual(['Admin deleted security info', 'Admin registered security info']);
    expect(entries.every((e) => e.targetResources[0]?.id === U.meganId)).toBe(true);
    const one = ok(await call(emu, 'GET', `${AUDITS}/${entries[0]?.id ?? ''}`, { token: await reader() }));
    expect(validateInstance(model, 'directoryAudit', one)).toEqual([]);
  });

  it('filters by time and activity, pages with $top, and refuses a caller without AuditLog.Read.All', async () => {
    const alex = await token(emu, U.alex);
    const before = emu.ctx.clock.now().toISOString();
    ok(await call(emu, 'POST', tapPath(U.megan), { token: alex, body: {} }), 201);
    ok(await call(emu, 'POST', tapPath(U.megan), { token: alex, body: {} }), 201);
    const filter = encodeURIComponent(`activityDateTime ge ${before} and activityDisplayName eq 'Admin registered security info'`);
    const first = ok(await call(emu, 'GET', `${AUDITS}?$filter=${filter}&$top=1`, { token: await reader() })) as {
      value: unknown[];
      '@odata.nextLink'?: string;
    };
    expect(first.value).toHaveLength(1);
    expect(first['@odata.nextLink']).toBeTruthy();
    const deleted = encodeURIComponent(`activityDisplayName eq 'Admin deleted security info'`);
    expect((ok(await call(emu, 'GET', `${AUDITS}?$filter=${deleted}`, { token: await reader() })) as { value: unknown[] }).value).toEqual([]);
    const refused = await call(emu, 'GET', AUDITS, { token: alex });
    expect(refused.status).toBe(403);
    expect(validateErrorBody(refused.body)).toEqual([]);
  });
});

describe('authentication methods policy', () => {
  it('the TemporaryAccessPass and Fido2 configurations, one by one and listed, conform', async () => {
    const t = await token(emu, U.lidia);
    const tap = ok(await call(emu, 'GET', `${CONFIGS}/TemporaryAccessPass`, { token: t }));
    expect(validateInstance(model, 'authenticationMethodConfiguration', tap)).toEqual([]);
    const fido = ok(await call(emu, 'GET', `${CONFIGS}/Fido2`, { token: t }));
    expect(validateInstance(model, 'authenticationMethodConfiguration', fido)).toEqual([]);
    expect(validateCollection(model, 'authenticationMethodConfiguration', ok(await call(emu, 'GET', CONFIGS, { token: t })))).toEqual([]);
    const policy = ok(await call(emu, 'GET', '/v1.0/policies/authenticationMethodsPolicy', { token: t }));
    expect(validateInstance(model, 'authenticationMethodsPolicy', policy)).toEqual([]);
  });

  it('the Fido2 configuration with passkey profiles, with and without the legacy settings, conforms', async () => {
    const t = await token(emu, U.lidia);
    emu.ctx.state.fido2Policy = withPasskeyProfiles(emu.ctx.state.fido2Policy);
    const withProfiles = ok(await call(emu, 'GET', `${CONFIGS}/Fido2`, { token: t })) as Record<string, unknown>;
    expect(withProfiles.passkeyProfiles).toHaveLength(1);
    expect((withProfiles.includeTargets as Record<string, unknown>[])[0]?.allowedPasskeyProfiles).toEqual([DEFAULT_PASSKEY_PROFILE_ID]);
    expect(validateInstance(model, 'authenticationMethodConfiguration', withProfiles)).toEqual([]);
    // Graph stops returning the deprecated legacy settings (null in the answer).
    emu.ctx.state.fido2Policy = { ...emu.ctx.state.fido2Policy, isAttestationEnforced: null, keyRestrictions: null };
    const profilesOnly = ok(await call(emu, 'GET', `${CONFIGS}/Fido2`, { token: t })) as Record<string, unknown>;
    expect(profilesOnly.isAttestationEnforced).toBeNull();
    expect(validateInstance(model, 'authenticationMethodConfiguration', profilesOnly)).toEqual([]);
    expect(
      validateInstance(model, 'authenticationMethodsPolicy', ok(await call(emu, 'GET', '/v1.0/policies/authenticationMethodsPolicy', { token: t }))),
    ).toEqual([]);
  });
});

describe('memberships and directory roles', () => {
  it('memberOf, transitiveMemberOf and the directoryRole cast conform for direct and group-held roles', async () => {
    for (const who of [U.alex, U.henrietta, U.grady, U.adele]) {
      const t = await token(emu, who);
      for (const path of ['/v1.0/me/memberOf', '/v1.0/me/transitiveMemberOf', ROLES_CAST, '/v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole']) {
        const body = ok(await call(emu, 'GET', path, { token: t, headers: EVENTUAL }));
        expect(validateCollection(model, 'directoryObject', body), `${who} ${path}`).toEqual([]);
      }
    }
  });

  it('the cast under the lowest scope (User.Read) conforms too', async () => {
    const body = ok(await call(emu, 'GET', ROLES_CAST, { token: await token(emu, U.alex, ['User.Read']), headers: EVENTUAL }));
    expect(validateCollection(model, 'directoryRole', body)).toEqual([]);
  });
});

describe('error bodies', () => {
  it('every refusal the kiosk can meet is an OData error', async () => {
    const alex = await token(emu, U.alex);
    const nestor = await token(emu, U.nestor);
    const refusals: [string, Promise<HttpResult>][] = [
      ['no token', call(emu, 'GET', '/v1.0/users')],
      ['unknown user', call(emu, 'GET', userPath('00000000-0000-4000-8000-00000000ffff'), { token: alex })],
      ['policy as an Authentication Administrator', call(emu, 'GET', `${CONFIGS}/TemporaryAccessPass`, { token: alex })],
      ['lifetime out of range', call(emu, 'POST', tapPath(U.megan), { token: alex, body: { lifetimeInMinutes: 5 } })],
      ['external guest', call(emu, 'POST', tapPath(U.chris), { token: alex, body: {} })],
      ['no role', call(emu, 'POST', tapPath(U.megan), { token: nestor, body: {} })],
      ['not JSON', call(emu, 'POST', tapPath(U.megan), { token: alex, body: 'lifetimeInMinutes=60', headers: { 'content-type': 'text/plain' } })],
      ['bad filter', call(emu, 'GET', `/v1.0/users?$filter=${encodeURIComponent("accountEnabled eq 'true'")}`, { token: alex })],
      ['search without the header', call(emu, 'GET', `/v1.0/users?$search=${encodeURIComponent('"displayName:x"')}`, { token: alex })],
      ['unknown TAP', call(emu, 'GET', tapPath(U.megan, '5a1f0c2e-7d3b-4e61-9a84-0c6b2d9e1f71'), { token: alex })],
      ['no photo', call(emu, 'GET', userPath(U.nestor, '/photo/$value'), { token: alex })],
      ['unknown segment', call(emu, 'GET', '/v1.0/nothingHere', { token: alex })],
      ['creationOptions for oneself', call(emu, 'GET', '/v1.0/me/authentication/fido2Methods/creationOptions', { token: alex })],
    ];
    for (const [what, pending] of refusals) {
      const res = await pending;
      expect(res.status, what).toBeGreaterThanOrEqual(400);
      expect(validateErrorBody(res.body), `${what}: ${res.text}`).toEqual([]);
    }
  });
});
