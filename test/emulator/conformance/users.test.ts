// Graph users as documented (entra-graph.md 5.2, 5.3, 5.5, 6.1): lookup, the default property set, $select,
// scopes, $filter / $search / $count / $top / $orderby, /me, directory roles and photos.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../index';
import { Role } from '../model';
import { loadSeed } from '../store';
import { accessTokenFor } from '../support/tokens';
import { graphGet, httpRequest, type HttpResponse } from '../support/http';
import { searchTokens } from '../graph/odata-schema';

const DOMAIN = 'tapkioskdemo.onmicrosoft.com';
const upn = (local: string) => `${local}@${DOMAIN}`;
const ALEX = upn('alex.wilber');
const MEGAN_ID = '00000000-0000-4000-8000-000000000010';
const GUEST_UPN = `chris.green_fabrikam.com#EXT#@${DOMAIN}`;
const EVENTUAL = { ConsistencyLevel: 'eventual' };
const DEFAULT_SET = [
  'businessPhones',
  'displayName',
  'givenName',
  'id',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
];

let emu: Emulator;
let token: string; // Alex Wilber with the kiosk's scopes (User.Read.All among them)
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => emu.close());
beforeEach(async () => {
  emu.reset();
  token = await accessTokenFor(emu, ALEX);
});

const get = (path: string, query: Record<string, string> = {}, headers: Record<string, string> = {}, t: string | undefined = token) =>
  graphGet(emu, t, path, query, headers);
const names = (res: HttpResponse) => (res.json().value as { displayName: string }[]).map((u) => u.displayName).sort();
const users = (filter: string, headers: Record<string, string> = {}, extra: Record<string, string> = {}) =>
  get('/users', { $filter: filter, $select: 'displayName', ...extra }, headers);
function expectError(res: HttpResponse, status: number, code: string, message?: string | RegExp) {
  expect(res.status, res.text).toBe(status);
  const body = res.json();
  expect(body.error.code).toBe(code);
  if (typeof message === 'string') expect(body.error.message).toBe(message);
  else if (message) expect(body.error.message).toMatch(message);
  expect(body.error.innerError['request-id']).toBe(res.headers['request-id']);
}

describe('GET /users/{id | userPrincipalName}', () => {
  it('returns only the v1.0 default property set', async () => {
    const res = await get(`/users/${MEGAN_ID}`);
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body['@odata.context']).toMatch(/\/\$metadata#users\/\$entity$/);
    expect(
      Object.keys(body)
        .filter((k) => !k.startsWith('@'))
        .sort(),
    ).toEqual(DEFAULT_SET);
    expect(body).toMatchObject({ id: MEGAN_ID, displayName: 'Megan Bowen', officeLocation: 'Munich', businessPhones: [] });
  });

  it('finds a user by userPrincipalName, case-insensitively', async () => {
    const res = await get(`/users/${encodeURIComponent('Megan.Bowen@TAPKIOSKDEMO.onmicrosoft.com')}`);
    expect(res.status).toBe(200);
    expect(res.json().id).toBe(MEGAN_ID);
  });

  it("decodes %23EXT%23 in a B2B guest's UPN", async () => {
    const res = await get(`/users/${GUEST_UPN.replaceAll('#', '%23')}`);
    expect(res.status).toBe(200);
    expect(res.json().userPrincipalName).toBe(GUEST_UPN);
  });

  it("accepts the /users('<upn>') form, which a UPN starting with $ needs", async () => {
    const seed = loadSeed();
    const dollar = { ...seed.users[5]!, id: '00000000-0000-4000-8000-0000000000d0', userPrincipalName: upn('$svc-kiosk'), displayName: 'Kiosk Service' };
    const other = await startEmulator({ seed: { ...seed, users: [...seed.users, dollar] } });
    try {
      const t = await accessTokenFor(other, ALEX);
      const plain = await graphGet(other, t, `/users('${upn('$svc-kiosk')}')`);
      expect(plain.status, plain.text).toBe(200);
      expect(plain.json().id).toBe(dollar.id);
      const encoded = await graphGet(other, t, `/users('${encodeURIComponent(upn('$svc-kiosk'))}')`);
      expect(encoded.json().id).toBe(dollar.id);
      const photo = await graphGet(other, t, `/users('${upn('$svc-kiosk')}')/photo/$value`);
      expect(photo.status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('answers an unknown user with 404 Request_ResourceNotFound and the documented text', async () => {
    const res = await get(`/users/${encodeURIComponent(upn('nobody'))}`);
    expectError(
      res,
      404,
      'Request_ResourceNotFound',
      `Resource '${upn('nobody')}' does not exist or one of its queried reference-property objects are not present.`,
    );
  });

  it('returns exactly the $select-ed properties', async () => {
    const res = await get(`/users/${MEGAN_ID}`, { $select: 'id,displayName,employeeId,department,accountEnabled,userType,onPremisesSyncEnabled' });
    const body = res.json();
    expect(body['@odata.context']).toContain('#users(id,displayName,employeeId,department,accountEnabled,userType,onPremisesSyncEnabled)/$entity');
    const { '@odata.context': _c, ...rest } = body;
    expect(rest).toEqual({
      id: MEGAN_ID,
      displayName: 'Megan Bowen',
      employeeId: 'E2010',
      department: 'Marketing',
      accountEnabled: true,
      userType: 'Member',
      onPremisesSyncEnabled: null,
    });
  });

  it('refuses $select of a property users do not have with 400 Request_BadRequest', async () => {
    const res = await get(`/users/${MEGAN_ID}`, { $select: 'displayName,favouriteColour' });
    expectError(res, 400, 'Request_BadRequest', "Could not find a property named 'favouriteColour' on type 'Microsoft.DirectoryServices.User'.");
  });

  it('leaves out (does not null) fields that need User.Read.All when only User.ReadBasic.All is granted', async () => {
    const basic = await accessTokenFor(emu, ALEX, { scopes: ['User.ReadBasic.All'] });
    const res = await get(`/users/${MEGAN_ID}`, { $select: 'id,displayName,employeeId,department,accountEnabled,mail' }, {}, basic);
    expect(res.status).toBe(200);
    const { '@odata.context': _c, ...rest } = res.json();
    expect(rest).toEqual({ id: MEGAN_ID, displayName: 'Megan Bowen', mail: 'megan.bowen@tapkioskdemo.onmicrosoft.com' });
    const defaults = await get(`/users/${MEGAN_ID}`, {}, {}, basic);
    expect(
      Object.keys(defaults.json())
        .filter((k) => !k.startsWith('@'))
        .sort(),
    ).toEqual(['displayName', 'givenName', 'id', 'mail', 'surname', 'userPrincipalName']);
  });

  it('needs User.Read.All, User.ReadBasic.All or Directory.Read.All: otherwise 403 Authorization_RequestDenied', async () => {
    const none = await accessTokenFor(emu, ALEX, { scopes: ['UserAuthenticationMethod.ReadWrite.All'] });
    const self = await accessTokenFor(emu, ALEX, { scopes: ['User.Read'] });
    const dir = await accessTokenFor(emu, ALEX, { scopes: ['Directory.Read.All'] });
    expectError(await get(`/users/${MEGAN_ID}`, {}, {}, none), 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    expectError(await get('/users', {}, {}, none), 403, 'Authorization_RequestDenied');
    expectError(await get(`/users/${MEGAN_ID}`, {}, {}, self), 403, 'Authorization_RequestDenied');
    // Without a read scope the service does not reveal whether a user exists.
    expectError(await get(`/users/${encodeURIComponent(upn('nobody'))}`, {}, {}, none), 403, 'Authorization_RequestDenied');
    expect((await get(`/users/${MEGAN_ID}`, { $select: 'employeeId' }, {}, dir)).json().employeeId).toBe('E2010');
  });
});

describe('GET /beta/users/{id}', () => {
  it('answers on /beta too, with more than the v1.0 default set', async () => {
    const res = await graphGet(emu, token, `/users/${MEGAN_ID}`, {}, {}, 'beta');
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ id: MEGAN_ID, accountEnabled: true, employeeId: 'E2010' });
    expect(res.json()['@odata.context']).toContain('/beta/$metadata#users/$entity');
  });
});

describe('GET /me', () => {
  it("returns the caller's own profile with User.Read alone", async () => {
    const self = await accessTokenFor(emu, ALEX, { scopes: ['User.Read'] });
    const res = await get('/me', { $select: 'id,displayName,employeeId' }, {}, self);
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ id: '00000000-0000-4000-8000-000000000001', displayName: 'Alex Wilber', employeeId: 'E1001' });
  });

  it('answers without a token with 401 InvalidAuthenticationToken', async () => {
    expectError(await get('/me', {}, {}, ''), 401, 'InvalidAuthenticationToken', 'Access token is empty.');
  });
});

describe('GET /users: $filter', () => {
  it('compares strings case-insensitively with eq', async () => {
    expect(names(await users("displayName eq 'megan BOWEN'"))).toEqual(['Megan Bowen']);
  });

  it('matches prefixes with startsWith', async () => {
    expect(names(await users("startsWith(displayName,'a')"))).toEqual(['Adele Vance', 'Alex Wilber']);
  });

  it('supports in (…) wherever eq works by default', async () => {
    const res = await users(`userPrincipalName in ('${upn('lee.gu')}', '${upn('LYNNE.robbins')}', '${upn('nobody')}')`);
    expect(names(res)).toEqual(['Lee Gu', 'Lynne Robbins']);
  });

  it('combines clauses with and / or and parentheses', async () => {
    const res = await users("(startswith(givenName,'A') or startswith(givenName,'M')) and department eq 'IT'");
    expect(names(res)).toEqual(['Alex Wilber']);
    expect(names(await users("startswith(givenName,'A') or startswith(givenName,'M') and department eq 'IT'"))).toEqual(['Adele Vance', 'Alex Wilber']);
  });

  it('finds disabled accounts with accountEnabled eq false, by default', async () => {
    expect(names(await users('accountEnabled eq false'))).toEqual(['Diego Siciliani']);
  });

  it("finds guests with userType eq 'Guest'", async () => {
    expect(names(await users("userType eq 'Guest'"))).toEqual(['Chris Green (Fabrikam)', 'Lynne Robbins']);
  });

  it("reads a quote doubled inside a literal as one quote ('O''Brien')", async () => {
    expect(names(await users("startswith(surname,'O''Brien')"))).toEqual(["Seán O'Brien"]);
    expect(names(await users("displayName eq 'Seán O''Brien'"))).toEqual(["Seán O'Brien"]);
    expect(names(await users("startswith(displayName,'zoë müller')"))).toEqual(['Zoë Müller-Lüdenscheidt']);
  });

  it('treats an escaped injection attempt as a literal that matches nothing', async () => {
    const hostile = "x' or 1 eq 1 or displayName eq '";
    const res = await users(`displayName eq '${hostile.replaceAll("'", "''")}'`);
    expect(res.status).toBe(200);
    expect(res.json().value).toEqual([]);
  });

  it.each([
    ["' or 1 eq 1"],
    ["') or startswith(displayName,'"],
    ["displayName eq 'x' or 1 eq 1"],
    ["startswith(displayName,'a'"],
    ["displayName eq 'unterminated"],
    ['displayName eq'],
    ["displayName eq 'a' and"],
    ["displayName == 'a'"],
    ["displayName eq 'a'; drop table users"],
    ["displayName eq 'a\u0000'"],
    ["accountEnabled eq 'false'"],
    ["frobnicate(displayName,'a')"],
  ])('answers a malformed filter %j with 400 BadRequest "Invalid filter clause"', async (filter) => {
    expectError(await users(filter), 400, 'BadRequest', 'Invalid filter clause');
  });

  it('answers endsWith without the advanced query parameters with the documented Request_UnsupportedQuery', async () => {
    const res = await users(`endswith(userPrincipalName,'#EXT#@${DOMAIN}')`);
    expectError(
      res,
      400,
      'Request_UnsupportedQuery',
      "Operator 'endsWith' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information",
    );
  });

  it('runs endsWith as an advanced query (ConsistencyLevel: eventual + $count=true), on mail and userPrincipalName only', async () => {
    const ok = await users(`endswith(userPrincipalName,'#EXT#@${DOMAIN}')`, EVENTUAL, { $count: 'true' });
    expect(names(ok)).toEqual(['Chris Green (Fabrikam)']);
    expect(ok.json()['@odata.count']).toBe(1);
    const bad = await users("endswith(displayName,'n')", EVENTUAL, { $count: 'true' });
    expectError(bad, 400, 'Request_UnsupportedQuery', "Unsupported or invalid query filter clause specified for property 'displayName' of resource 'User'.");
  });

  it('allows ne and not only as advanced queries', async () => {
    expectError(
      await users("userType ne 'Member'"),
      400,
      'Request_UnsupportedQuery',
      /^Operator 'ne' is not supported because the required parameters might be missing\./,
    );
    expectError(
      await users("not(userType eq 'Member')"),
      400,
      'Request_UnsupportedQuery',
      /^Operator 'not' is not supported because the required parameters might be missing\./,
    );
    expect(names(await users("userType ne 'Member'", EVENTUAL, { $count: 'true' }))).toEqual(['Chris Green (Fabrikam)', 'Lynne Robbins']);
    expect(names(await users("not startswith(displayName,'a') and department eq 'IT'", EVENTUAL, { $count: 'true' }))).toEqual([
      'Grady Archie',
      'Lidia Holloway',
      'Patti Fernandez',
      'Pradeep Gupta',
    ]);
  });

  it('accepts startsWith on employeeId, as the v1.0 user resource documents, without advanced parameters', async () => {
    expect(names(await users("startsWith(employeeId,'E201')"))).toContain('Megan Bowen');
    expect(names(await users("startswith(employeeId,'E2010')"))).toEqual(['Megan Bowen']);
  });

  it('answers a clause the property is not indexed for with the documented unsupported-clause message', async () => {
    expectError(
      await users("officeLocation eq 'Munich'"),
      400,
      'Request_UnsupportedQuery',
      "Unsupported or invalid query filter clause specified for property 'officeLocation' of resource 'User'.",
    );
    expect(names(await users("officeLocation eq 'Munich'", EVENTUAL, { $count: 'true' }))).toEqual(['Megan Bowen']);
    expectError(
      await users("startswith(employeeType,'E')", EVENTUAL, { $count: 'true' }),
      400,
      'Request_UnsupportedQuery',
      /property 'employeeType' of resource 'User'/,
    );
    expectError(await users("contains(displayName,'an')"), 400, 'Request_UnsupportedQuery', /property 'displayName' of resource 'User'/);
  });

  it('answers a property users do not have with Request_BadRequest', async () => {
    expectError(
      await users("shoeSize eq '42'"),
      400,
      'Request_BadRequest',
      "Could not find a property named 'shoeSize' on type 'Microsoft.DirectoryServices.User'.",
    );
  });

  it('limits in (…) to 15 values unless the query is advanced', async () => {
    const ids = Array.from({ length: 16 }, (_, i) => `'00000000-0000-4000-8000-0000000000${String(i + 1).padStart(2, '0')}'`).join(',');
    expectError(await users(`id in (${ids})`), 400, 'Request_UnsupportedQuery', /Max allowed: 15\./);
    expect((await users(`id in (${ids})`, EVENTUAL, { $count: 'true' })).json().value.length).toBe(12);
  });
});

describe('GET /users: $search', () => {
  const search = (s: string, headers: Record<string, string> = EVENTUAL, extra: Record<string, string> = {}) =>
    get('/users', { $search: s, $select: 'displayName', ...extra }, headers);

  it('requires ConsistencyLevel: eventual, with the documented error', async () => {
    expectError(
      await search('"displayName:wil"', {}),
      400,
      'Request_UnsupportedQuery',
      "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    );
  });

  it('matches displayName by tokens, not as "contains"', async () => {
    expect(names(await search('"displayName:wil"'))).toEqual(['Alex Wilber', 'Nestor Wilke']);
    expect(names(await search('"displayName:wilb"'))).toEqual(['Alex Wilber']);
    expect(names(await search('"displayName:lüdensch"'))).toEqual(['Zoë Müller-Lüdenscheidt']);
    expect(names(await search('"displayName:brien"'))).toEqual(["Seán O'Brien"]);
    expect(names(await search('"displayName:lex"'))).toEqual([]);
    expect(names(await search('"displayName:GUPTA pradeep"'))).toEqual(['Pradeep Gupta']);
  });

  it('lets a run of tokens match written together ("helloworld" ~ "hello-world")', async () => {
    expect(names(await search('"displayName:müllerlüden"'))).toEqual(['Zoë Müller-Lüdenscheidt']);
    expect(searchTokens('helloWorld-42abc')).toEqual(['hello', 'world', '42', 'abc']);
  });

  it('matches other properties with startsWith', async () => {
    expect(names(await search('"mail:chris.green"'))).toEqual(['Chris Green (Fabrikam)']);
    expect(names(await search('"mail:green"'))).toEqual([]);
  });

  it('combines clauses with AND / OR outside the quotes, and with $filter', async () => {
    expect(names(await search('"displayName:megan" OR "displayName:adele"'))).toEqual(['Adele Vance', 'Megan Bowen']);
    expect(names(await search('("displayName:a" OR "displayName:m") AND "mail:adele"'))).toEqual(['Adele Vance']);
    expect(names(await search('"displayName:m"', EVENTUAL, { $filter: "department eq 'Sales'" }))).toEqual(['Miriam Graham']);
  });

  it('reads backslash escapes inside the quotes', async () => {
    expect((await search('"displayName:\\"Seán\\""')).status).toBe(200);
    expect(names(await search('"displayName:O\'Brien"'))).toEqual(["Seán O'Brien"]);
  });

  it.each([
    ['displayName:wil'],
    ['"wil"'],
    ['"displayName:wil" and "mail:a"'],
    ['"displayName:wil'],
    ['"displayName:wil" "mail:a"'],
    ['("displayName:wil"'],
    ['"displayName:\\x"'],
  ])('answers a malformed $search %j with 400 and keeps serving', async (s) => {
    const res = await search(s);
    expectError(res, 400, 'BadRequest', 'Invalid search clause');
  });

  it('answers $search on a property that is not searchable with Request_UnsupportedQuery', async () => {
    expectError(await search('"accountEnabled:true"'), 400, 'Request_UnsupportedQuery');
  });
});

describe('GET /users: $count, $top, paging and $orderby', () => {
  it('adds @odata.count only with ConsistencyLevel: eventual, and silently ignores $count=true without it', async () => {
    const without = await get('/users', { $count: 'true' });
    expect(without.status).toBe(200);
    expect(without.json()).not.toHaveProperty('@odata.count');
    const withHeader = await get('/users', { $count: 'true' }, EVENTUAL);
    expect(withHeader.json()['@odata.count']).toBe(18);
  });

  it('answers /users/$count without the header with the documented Request_BadRequest, and counts with it', async () => {
    expectError(await get('/users/$count'), 400, 'Request_BadRequest', '$count is not currently supported.');
    const res = await get('/users/$count', { $filter: 'accountEnabled eq false' }, EVENTUAL);
    expect(res.status).toBe(200);
    expect(res.text).toBe('1');
  });

  it('pages with $top and @odata.nextLink ($skiptoken) until every user was seen once; @odata.count only on page one', async () => {
    const first = await get('/users', { $top: '5', $count: 'true', $select: 'id' }, EVENTUAL);
    expect(first.json()['@odata.count']).toBe(18);
    const seen: string[] = first.json().value.map((u: { id: string }) => u.id);
    let next: string | undefined = first.json()['@odata.nextLink'];
    expect(next).toMatch(/\$skiptoken=/);
    let pages = 1;
    while (next) {
      const res = await httpRequest(next, { ca: emu.caPem, headers: { authorization: `Bearer ${token}`, ...EVENTUAL } });
      expect(res.status, res.text).toBe(200);
      expect(res.json()).not.toHaveProperty('@odata.count');
      seen.push(...res.json().value.map((u: { id: string }) => u.id));
      next = res.json()['@odata.nextLink'];
      pages++;
    }
    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(18);
    expect(seen.length).toBe(18);
  });

  it('serves 100 per page by default and refuses $top outside 1..999', async () => {
    const all = await get('/users', { $select: 'id' });
    expect(all.json().value.length).toBe(18);
    expect(all.json()).not.toHaveProperty('@odata.nextLink');
    expectError(await get('/users', { $top: '1000' }), 400, 'Request_BadRequest', "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.");
    expectError(await get('/users', { $top: '0' }), 400, 'Request_BadRequest');
    expectError(await get('/users', { $top: 'ten' }), 400, 'BadRequest');
  });

  it('needs the ConsistencyLevel header again on the next page of a $search', async () => {
    const first = await get('/users', { $search: '"displayName:a"', $top: '2', $select: 'id' }, EVENTUAL);
    const next = first.json()['@odata.nextLink'] as string;
    expect(next).toBeTruthy();
    const bare = await httpRequest(next, { ca: emu.caPem, headers: { authorization: `Bearer ${token}` } });
    expectError(bare, 400, 'Request_UnsupportedQuery', /ConsistencyLevel: eventual/);
  });

  it('refuses a $skiptoken that was not issued for the query', async () => {
    const first = await get('/users', { $top: '5', $select: 'id' });
    const token5 = new URL(first.json()['@odata.nextLink']).searchParams.get('$skiptoken') ?? '';
    expectError(await get('/users', { $top: '6', $select: 'id', $skiptoken: token5 }), 400, 'Request_BadRequest');
    expectError(await get('/users', { $skiptoken: 'AAAA' }), 400, 'Request_BadRequest');
  });

  it('sorts by displayName or userPrincipalName; $filter with $orderby needs the advanced parameters', async () => {
    const desc = (await get('/users', { $orderby: 'displayName desc', $select: 'displayName', $top: '3' }))
      .json()
      .value.map((u: { displayName: string }) => u.displayName);
    expect(desc).toEqual(['Zoë Müller-Lüdenscheidt', "Seán O'Brien", 'Pradeep Gupta']);
    const asc = (await get('/users', { $orderby: 'userPrincipalName', $select: 'userPrincipalName', $top: '1' })).json().value[0].userPrincipalName;
    expect(asc).toBe(upn('adele.vance'));
    expectError(
      await get('/users', { $orderby: 'displayName', $filter: "department eq 'IT'" }),
      400,
      'Request_UnsupportedQuery',
      'Sorting not supported for current query.',
    );
    const adv = await get('/users', { $orderby: 'displayName', $filter: "department eq 'IT'", $count: 'true', $select: 'displayName' }, EVENTUAL);
    expect(adv.json().value.map((u: { displayName: string }) => u.displayName)).toEqual([
      'Alex Wilber',
      'Grady Archie',
      'Lidia Holloway',
      'Patti Fernandez',
      'Pradeep Gupta',
    ]);
    expectError(await get('/users', { $orderby: 'jobTitle' }), 400, 'Request_UnsupportedQuery');
  });

  it('refuses a query option given twice', async () => {
    const res = await httpRequest(`${emu.urls.graph}/users?$top=1&$top=2`, { ca: emu.caPem, headers: { authorization: `Bearer ${token}` } });
    expectError(res, 400, 'BadRequest', "Query option '$top' was specified more than once, but it must be specified at most once.");
  });
});

describe('directory roles: transitiveMemberOf/microsoft.graph.directoryRole', () => {
  // A scope that reads directory roles: without one, Graph lists them with limited information (limited-info.ts).
  const ROLE_READER = ['User.Read', 'RoleManagement.Read.Directory'];
  const roles = async (who: string, path = '/me/transitiveMemberOf/microsoft.graph.directoryRole', scopes: readonly string[] = ROLE_READER) => {
    const t = await accessTokenFor(emu, who, { scopes });
    return get(path, { $count: 'true' }, EVENTUAL, t);
  };

  it("lists the caller's active roles as directoryRole objects, with @odata.count", async () => {
    const res = await roles(ALEX);
    expect(res.status).toBe(200);
    expect(res.json()['@odata.count']).toBe(1);
    expect(res.json().value).toEqual([
      {
        '@odata.type': '#microsoft.graph.directoryRole',
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        deletedDateTime: null,
        description: expect.any(String),
        displayName: 'Authentication Administrator',
        roleTemplateId: Role.AuthenticationAdministrator,
      },
    ]);
    expect((await roles(upn('patti.fernandez'))).json().value.map((r: { roleTemplateId: string }) => r.roleTemplateId)).toEqual([
      Role.PrivilegedAuthenticationAdministrator,
    ]);
    expect((await roles(upn('nestor.wilke'))).json()).toMatchObject({ '@odata.count': 0, value: [] });
  });

  it('includes roles held through a role-assignable group, with the same stable object id per role', async () => {
    const viaGroup = (await roles(upn('henrietta.mueller'))).json().value;
    const direct = (await roles(ALEX)).json().value;
    expect(viaGroup.map((r: { roleTemplateId: string }) => r.roleTemplateId)).toEqual([Role.AuthenticationAdministrator]);
    expect(viaGroup[0].id).toBe(direct[0].id);
    expect(direct[0].id).not.toBe(Role.AuthenticationAdministrator);
    emu.reset();
    expect((await roles(ALEX)).json().value[0].id).toBe(direct[0].id);
  });

  it("reads another user's roles at /users/{id}/transitiveMemberOf/microsoft.graph.directoryRole", async () => {
    const res = await get(
      `/users/${upn('adele.vance')}/transitiveMemberOf/microsoft.graph.directoryRole`,
      { $count: 'true' },
      EVENTUAL,
      await accessTokenFor(emu, ALEX, { scopes: ['User.Read.All', 'RoleManagement.Read.Directory'] }),
    );
    expect(res.json().value.map((r: { displayName: string }) => r.displayName)).toEqual(['Global Administrator']);
  });

  it('without ConsistencyLevel + $count=true the cast is not applied: groups come back too (microsoft-graph-docs#17604)', async () => {
    const t = await accessTokenFor(emu, upn('henrietta.mueller'), { scopes: ROLE_READER });
    const res = await get('/me/transitiveMemberOf/microsoft.graph.directoryRole', {}, {}, t);
    expect(res.status).toBe(200);
    expect(res.json()).not.toHaveProperty('@odata.count');
    const types = res.json().value.map((o: { '@odata.type': string; displayName: string }) => `${o['@odata.type']} ${o.displayName}`);
    expect(types).toEqual(['#microsoft.graph.group Kiosk Operators', '#microsoft.graph.directoryRole Authentication Administrator']);
  });

  it('takes $select and a roleTemplateId $filter on the role list', async () => {
    const t = await accessTokenFor(emu, upn('henrietta.mueller'), { scopes: ROLE_READER });
    const path = '/me/transitiveMemberOf/microsoft.graph.directoryRole';
    const selected = await get(path, { $select: 'displayName,roleTemplateId', $count: 'true' }, EVENTUAL, t);
    expect(selected.json().value).toEqual([
      { '@odata.type': '#microsoft.graph.directoryRole', displayName: 'Authentication Administrator', roleTemplateId: Role.AuthenticationAdministrator },
    ]);
    const plain = await get(path, { $select: 'roleTemplateId' }, {}, t);
    expect(plain.json().value).toEqual([
      { '@odata.type': '#microsoft.graph.group' },
      { '@odata.type': '#microsoft.graph.directoryRole', roleTemplateId: Role.AuthenticationAdministrator },
    ]);
    const filtered = await get(path, { $filter: `roleTemplateId eq '${Role.GlobalAdministrator}'`, $count: 'true' }, EVENTUAL, t);
    expect(filtered.json()).toMatchObject({ '@odata.count': 0, value: [] });
  });

  it('without a scope that reads directory roles, a role comes back with displayName and description null (issue 10, 3m)', async () => {
    for (const scopes of [['User.Read'], ['User.Read', 'User.Read.All', 'UserAuthenticationMethod.ReadWrite.All']]) {
      const [role] = (await roles(ALEX, undefined, scopes)).json().value;
      expect(role).toMatchObject({
        '@odata.type': '#microsoft.graph.directoryRole',
        displayName: null,
        description: null,
        roleTemplateId: Role.AuthenticationAdministrator,
      });
    }
    const t = await accessTokenFor(emu, upn('henrietta.mueller'), { scopes: ['User.Read'] });
    const all = (await get('/me/transitiveMemberOf', {}, {}, t)).json().value;
    expect(all.map((o: { displayName: string | null }) => o.displayName)).toEqual(['Kiosk Operators', null]);
  });

  it('lists direct memberships only at /me/memberOf', async () => {
    const t = await accessTokenFor(emu, upn('henrietta.mueller'), { scopes: ['User.Read'] });
    const res = await get('/me/memberOf', {}, {}, t);
    expect(res.json().value.map((o: { '@odata.type': string }) => o['@odata.type'])).toEqual(['#microsoft.graph.group']);
  });

  it('needs a scope that can read memberships', async () => {
    const t = await accessTokenFor(emu, ALEX, { scopes: ['UserAuthenticationMethod.ReadWrite.All'] });
    expectError(await get('/me/transitiveMemberOf/microsoft.graph.directoryRole', { $count: 'true' }, EVENTUAL, t), 403, 'Authorization_RequestDenied');
  });
});

describe('profile photo', () => {
  const seedPhoto = () => Buffer.from(loadSeed().users.find((u) => u.id === MEGAN_ID)!.photo!.base64, 'base64');

  it('returns the bytes with their content type at /photo/$value', async () => {
    const res = await get(`/users/${MEGAN_ID}/photo/$value`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.body.equals(seedPhoto())).toBe(true);
    const self = await accessTokenFor(emu, upn('megan.bowen'), { scopes: ['User.Read'] });
    expect((await get('/me/photo/$value', {}, {}, self)).body.equals(seedPhoto())).toBe(true);
  });

  it('answers a user without a photo with 404 ImageNotFound', async () => {
    expectError(await get('/me/photo/$value'), 404, 'ImageNotFound');
    expectError(await get(`/users/${upn('lee.gu')}/photo/$value`), 404, 'ImageNotFound');
  });

  it('describes the photo at /photo', async () => {
    const res = await get(`/users/${MEGAN_ID}/photo`);
    expect(res.json()).toMatchObject({ '@odata.mediaContentType': 'image/png', id: '48x48', width: 48, height: 48 });
    expect(res.json()['@odata.mediaEtag']).toMatch(/^"[0-9A-F]{8}"$/);
  });

  it('describes a user without a photo as the documented 1x1 image/gif at /photo', async () => {
    const res = await get(`/users/${upn('lee.gu')}/photo`);
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ '@odata.mediaContentType': 'image/gif', width: 1, height: 1 });
  });

  it('serves the documented square sizes at /photo/{size}/$value, and 404 for others', async () => {
    expect((await get(`/users/${MEGAN_ID}/photo/48x48/$value`)).status).toBe(200);
    expect((await get(`/users/${MEGAN_ID}/photos/240x240/$value`)).status).toBe(200);
    expectError(await get(`/users/${MEGAN_ID}/photo/50x50/$value`), 404, 'ImageNotFound');
  });

  it('needs User.ReadBasic.All (or User.Read for oneself)', async () => {
    const none = await accessTokenFor(emu, ALEX, { scopes: ['UserAuthenticationMethod.ReadWrite.All'] });
    const basic = await accessTokenFor(emu, ALEX, { scopes: ['User.ReadBasic.All'] });
    expectError(await get(`/users/${MEGAN_ID}/photo/$value`, {}, {}, none), 403, 'Authorization_RequestDenied');
    expect((await get(`/users/${MEGAN_ID}/photo/$value`, {}, {}, basic)).status).toBe(200);
  });
});
