// The directory gateway against the emulator, through the real Graph client: what the operator sees when they
// search, open a card, read the policies, issue and remove a pass, and when Graph misbehaves.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryError } from '../../main/directory/errors';
import { OperatorSignInRequired, operatorErrorCodeOf } from '../../main/operator/errors';
import { startEmulator, type Emulator } from '../emulator';
import { accessTokenFor } from '../emulator/support/tokens';
import { ALEX, ID, LIDIA, PATTI, gatewayFor, graphRequests, rejection, upn } from './support';
import { modelOfAaguid } from '../../main/station';

let emu: Emulator;
beforeAll(async () => {
  // The short one-time "kiosk" TAP policy preset: these tests are about 10-minute one-time passes.
  emu = await startEmulator({ tapPolicy: 'kiosk' });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

const names = (r: { users: { displayName: string }[] }) => r.users.map((u) => u.displayName);

describe('searchUsers', () => {
  it('finds a person by UPN or by mail, exactly, and says which matched', async () => {
    const g = gatewayFor(emu);
    const byUpn = await g.searchUsers(upn('megan.bowen'));
    expect(byUpn).toEqual({
      kind: 'upn',
      users: [expect.objectContaining({ id: ID.megan, displayName: 'Megan Bowen', employeeId: 'E2010', department: 'Marketing' })],
    });
    const byMail = await g.searchUsers('chris.green@fabrikam.com');
    expect(byMail.kind).toBe('mail');
    expect(byMail.users.map((u) => u.id)).toEqual([ID.chris]);
    // Exact, not prefix: a shorter address finds nobody.
    expect((await g.searchUsers('megan.bowen@tapkioskdemo.onmicrosoft')).users).toEqual([]);
    // The B2B user name with #EXT# survives the URL (the # is percent-encoded, not a fragment).
    expect((await g.searchUsers(upn('chris.green_fabrikam.com#EXT#'))).users.map((u) => u.id)).toEqual([ID.chris]);
  });

  it('finds people by the beginning of their name, given name or surname, sorted by display name', async () => {
    const g = gatewayFor(emu);
    expect(names(await g.searchUsers('Meg'))).toEqual(['Megan Bowen']);
    expect(names(await g.searchUsers('a'))).toEqual(['Adele Vance', 'Alex Wilber', 'Grady Archie']);
    expect(names(await g.searchUsers('bowen'))).toEqual(['Megan Bowen']);
    expect(names(await g.searchUsers('Bowen Megan'))).toEqual(['Megan Bowen']);
    expect(names(await g.searchUsers('Bowen, Megan'))).toEqual(['Megan Bowen']);
    const log = graphRequests(emu).at(-1);
    const query = new URLSearchParams(log?.query ?? '');
    expect(query.get('$top')).toBe('25');
    // The card's fields: the person picked next is not read a second time (identityCard below).
    expect(query.get('$select')?.split(',').sort()).toEqual([
      'accountEnabled',
      'createdDateTime',
      'creationType',
      'department',
      'displayName',
      'employeeId',
      'externalUserState',
      'givenName',
      'id',
      'jobTitle',
      'mail',
      'surname',
      'userPrincipalName',
      'userType',
    ]);
  });

  it("finds O'Brien, Zoë and Müller (quotes doubled, non-ASCII percent-encoded)", async () => {
    const g = gatewayFor(emu);
    expect(names(await g.searchUsers("O'Brien"))).toEqual(["Seán O'Brien"]);
    expect(names(await g.searchUsers("Seán O'B"))).toEqual(["Seán O'Brien"]);
    expect(names(await g.searchUsers('Zoë'))).toEqual(['Zoë Müller-Lüdenscheidt']);
    expect(names(await g.searchUsers('Müller'))).toEqual(['Zoë Müller-Lüdenscheidt']);
    expect(names(await g.searchUsers('Zoë Müller'))).toEqual(['Zoë Müller-Lüdenscheidt']);
    // Decomposed input (e + combining diaeresis, as some keyboards send it) is normalised to NFC first.
    expect(names(await g.searchUsers('Zoe\u0308'))).toEqual(['Zoë Müller-Lüdenscheidt']);
    const filter = new URLSearchParams(graphRequests(emu)[1]?.query ?? '').get('$filter');
    expect(filter).toContain("startswith(displayName,'Seán O''B')");
  });

  it('finds a person by employee id, exactly by default; by prefix (startsWith in $filter) when the station asks', async () => {
    const exact = gatewayFor(emu);
    expect(await exact.searchUsers('E2010')).toEqual({ kind: 'employee-id', users: [expect.objectContaining({ id: ID.megan })] });
    expect((await exact.searchUsers('e2010')).users.map((u) => u.id)).toEqual([ID.megan]);
    expect((await exact.searchUsers('E201')).users).toEqual([]);

    const prefix = gatewayFor(emu, { gateway: { search: { employeeIdMatch: 'prefix' } } });
    const found = await prefix.searchUsers('E201');
    expect(found.kind).toBe('employee-id');
    expect(found.users.map((u) => u.employeeId).sort()).toEqual(['E2010', 'E2011', 'E2012', 'E2014', 'E2015', 'E2016', 'E2017', 'E2018', 'E2019']);
    const shown = found.users.map((u) => u.displayName);
    expect(shown).toEqual([...shown].sort((a, b) => a.localeCompare(b)));
    const q = new URLSearchParams(graphRequests(emu).at(-1)?.query ?? '');
    // Documented for employeeId (Graph v1.0 user resource); no $search, no advanced query, no eventual consistency.
    expect(q.get('$filter')).toBe("startsWith(employeeId,'E201')");
    expect(q.get('$search')).toBeNull();
    expect(q.get('$count')).toBeNull();
  });

  it('reads a badge burst (the employee id ending in Enter), with the station’s prefix and suffix when configured', async () => {
    expect(await gatewayFor(emu).searchUsers('E2010\r\n')).toEqual({ kind: 'badge', users: [expect.objectContaining({ id: ID.megan })] });
    expect((await gatewayFor(emu).searchUsers('E2019\n')).users.map((u) => u.id)).toEqual([ID.zoe]);
    const framed = gatewayFor(emu, { gateway: { search: { badge: { prefix: ';', suffix: '?' } } } });
    expect((await framed.searchUsers(';E2018?\r')).users.map((u) => u.id)).toEqual([ID.sean]);
    const before = graphRequests(emu).length;
    const unframed = await rejection(framed.searchUsers('E2018\r'));
    expect(unframed).toMatchObject({ kind: 'bad-input' });
    expect(unframed.message).toMatch(/prefix ';'/);
    expect(graphRequests(emu)).toHaveLength(before);
  });

  const hostile: [string, RegExp][] = [
    ["x' or startswith(displayName,'", /Parentheses/],
    ["Megan' or displayName eq 'Adele", /query expression/],
    ['Meg*', /Wildcards/],
    ['M%', /Wildcards/],
    ['Megan\nAdele', /line break/],
    ['Megan\u0000', /control character \(U\+0000\)/],
    ['Meg\u200Ban', /invisible/],
    ['Meg\u202Ean', /invisible/],
    ['a'.repeat(257), /longer than 256/],
    ['   ', /Type a name/],
    ['', /Type a name/],
    ['a@b@c.com', /exactly one '@'/],
    ['megan bowen@x.com', /no spaces/],
    ['megan@', /domain/],
    ['Megan"', /character '"'/],
    ['Megan & co', /character '&'/],
    ['$filter=', /character '\$'/],
    ["''", /at least one letter/],
    ['Bowen, Megan, Jr', /at most one comma/],
    ['\uD800x', /not valid Unicode/],
  ];
  it.each(hostile)('refuses %j before anything reaches Graph', async (input, message) => {
    const g = gatewayFor(emu);
    const e = await rejection(g.searchUsers(input));
    expect(e).toBeInstanceOf(DirectoryError);
    expect(e.kind).toBe('bad-input');
    expect(e.requestId).toBeNull();
    expect(e.message).toMatch(message);
    expect(graphRequests(emu)).toEqual([]);
  });
});

describe('identityCard', () => {
  it('shows a member with a photo (as a data URL), no keys and no pass', async () => {
    const card = await gatewayFor(emu).identityCard(ID.megan);
    expect(card).toMatchObject({
      id: ID.megan,
      displayName: 'Megan Bowen',
      givenName: 'Megan',
      surname: 'Bowen',
      employeeId: 'E2010',
      department: 'Marketing',
      jobTitle: 'Marketing Manager',
      accountEnabled: true,
      userType: 'Member',
      isExternalGuest: false,
      securityKeys: [],
      tap: null,
    });
    expect(card.photo).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    const paths = graphRequests(emu)
      .map((r) => r.path)
      .sort();
    expect(paths).toEqual([
      `/v1.0/users/${ID.megan}`,
      `/v1.0/users/${ID.megan}/authentication/fido2Methods`,
      `/v1.0/users/${ID.megan}/authentication/temporaryAccessPassMethods`,
      `/v1.0/users/${ID.megan}/photo/$value`,
    ]);
  });

  it('after a plain search, the person picked is not read again: the row is the card, once, while it is fresh', async () => {
    let now = 1_000_000;
    const g = gatewayFor(emu, { gateway: { now: () => now } });
    const userReads = () => graphRequests(emu).filter((r) => r.path === `/v1.0/users/${ID.megan}`).length;
    const fromGraph = await gatewayFor(emu).identityCard(ID.megan);
    expect(userReads()).toBe(1);
    await g.searchUsers(upn('megan.bowen'));
    now += 29_000;
    // The same card as one read from Graph, without reading the user (photo, keys and pass are read as ever).
    expect(await g.identityCard(ID.megan)).toEqual(fromGraph);
    expect(userReads()).toBe(1);
    // A second card (the pre-flight's check again) reads Graph.
    await g.identityCard(ID.megan);
    expect(userReads()).toBe(2);
    // A row older than 30 s is not used.
    await g.searchUsers(upn('megan.bowen'));
    now += 30_001;
    await g.identityCard(ID.megan);
    expect(userReads()).toBe(3);
  });

  it('a person without a photo has photo null (Graph’s 404 is not an error)', async () => {
    const card = await gatewayFor(emu).identityCard(ID.sean);
    expect(card.photo).toBeNull();
    expect(card.displayName).toBe("Seán O'Brien");
  });

  // Issue 10, 3c: what Graph answers for a photo it cannot give never blocks the identity card.
  const PHOTO_FAILURES: [what: string, status: number, error: { code: string; message: string }][] = [
    ['no mailbox (400, microsoft-graph-docs#8877)', 400, { code: 'AuthenticationError', message: 'Error authenticating with resource' }],
    [
      'an on-premises mailbox (msgraph-sdk-dotnet#688)',
      404,
      { code: 'MailboxNotHostedInExchangeOnline', message: 'Mailbox is hosted by an on-premise or non-Exchange server, which is not supported.' },
    ],
    [
      'the same code with 400',
      400,
      { code: 'MailboxNotHostedInExchangeOnline', message: 'Mailbox is hosted by an on-premise or non-Exchange server, which is not supported.' },
    ],
    ['a 500', 500, { code: 'UnknownError', message: '' }],
    ['a 503 that stays', 503, { code: 'ServiceUnavailable', message: 'Service unavailable' }],
    ['a 403', 403, { code: 'ErrorAccessDenied', message: 'Access is denied. Check credentials and try again.' }],
  ];
  it.each(PHOTO_FAILURES)('a photo failing with %s shows the card with initials', async (_what, status, error) => {
    emu.injectFault({ path: '/photo/\\$value$', status, count: 5, headers: { 'content-type': 'application/json' }, body: { error } });
    const card = await gatewayFor(emu).identityCard(ID.megan);
    expect(card).toMatchObject({ id: ID.megan, displayName: 'Megan Bowen', photo: null });
  });

  it('a photo slower than its own time limit shows initials, without holding the card for the full call timeout', async () => {
    emu.injectFault({ path: '/photo/\\$value$', delayMs: 4_000 });
    const started = Date.now();
    const card = await gatewayFor(emu, { gateway: { photoTimeoutMs: 300 } }).identityCard(ID.megan);
    expect(card).toMatchObject({ id: ID.megan, photo: null });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('the caller’s abort while the photo loads still ends the card with the caller’s reason', async () => {
    emu.injectFault({ path: '/photo/\\$value$', delayMs: 2_000 });
    const controller = new AbortController();
    const pending = gatewayFor(emu).identityCard(ID.megan, controller.signal);
    const reason = new Error('operator cancelled');
    setTimeout(() => controller.abort(reason), 100);
    expect(await rejection(pending)).toBe(reason);
  });

  it('marks an external guest, and tells an internal guest apart', async () => {
    const g = gatewayFor(emu);
    expect(await g.identityCard(ID.chris)).toMatchObject({ userType: 'Guest', isExternalGuest: true });
    expect(await g.identityCard(ID.lynne)).toMatchObject({ userType: 'Guest', isExternalGuest: false });
  });

  it('shows a disabled account as disabled', async () => {
    expect((await gatewayFor(emu).identityCard(ID.diego)).accountEnabled).toBe(false);
  });

  it('shows the pass a person already holds, without the pass itself', async () => {
    const card = await gatewayFor(emu).identityCard(ID.johanna);
    expect(card.tap).toMatchObject({ id: '5a1f0c2e-7d3b-4e61-9a84-0c6b2d9e1f70', lifetimeInMinutes: 60, isUsableOnce: true, isUsable: true });
    expect(JSON.stringify(card)).not.toContain('Seeded!Pass7');
    expect(card.tap).not.toHaveProperty('temporaryAccessPass');
  });

  it('lists security keys with Graph’s model, or the injected catalogue’s name when Graph has none', async () => {
    const g = gatewayFor(emu, { gateway: { modelOf: modelOfAaguid } });
    expect((await g.identityCard(ID.lee)).securityKeys).toEqual([
      {
        id: 'f1d0c0de-0017-4a00-8000-00000000a017',
        displayName: 'YubiKey (lost)',
        aaGuid: '2fc0579f-8113-47ea-b116-bb5a8db9202a',
        model: 'YubiKey 5 Series with NFC',
        createdDateTime: expect.stringMatching(/^2025-03-02T09:14:07/),
        attestationLevel: 'attested',
      },
    ]);
    emu.injectFault({
      path: '/fido2Methods$',
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: {
        value: [
          {
            id: 'k1',
            displayName: null,
            aaGuid: 'CB69481E-8FF7-4039-93EC-0A2729A154A8',
            model: null,
            createdDateTime: null,
            attestationLevel: 'unknownFutureValue',
          },
        ],
      },
    });
    const [key] = (await g.identityCard(ID.lee)).securityKeys;
    expect(key).toMatchObject({ id: 'k1', model: expect.stringMatching(/YubiKey/), attestationLevel: null });
  });

  it('an unknown user is not-found with the request id; a malformed id is refused before Graph', async () => {
    const g = gatewayFor(emu);
    const e = await rejection(g.identityCard('00000000-0000-4000-8000-0000000000ff'));
    expect(e).toMatchObject({ kind: 'not-found', status: 404 });
    expect(graphRequests(emu).map((r) => r.requestId)).toContain(e.requestId);
    emu.reset();
    expect(await rejection(g.identityCard('../me'))).toMatchObject({ kind: 'bad-input' });
    expect(graphRequests(emu)).toEqual([]);
  });
});

describe('policies', () => {
  it('are readable for an Authentication Policy Administrator', async () => {
    const g = gatewayFor(emu, { operator: LIDIA });
    expect(await g.tapPolicy()).toEqual({
      readable: true,
      policy: expect.objectContaining({
        state: 'enabled',
        minimumLifetimeInMinutes: 10,
        maximumLifetimeInMinutes: 60,
        defaultLifetimeInMinutes: 10,
        isUsableOnce: true,
      }),
    });
    const fido2 = await g.fido2Policy();
    expect(fido2).toEqual({
      readable: true,
      policy: {
        state: 'enabled',
        isSelfServiceRegistrationAllowed: true,
        isAttestationEnforced: true,
        keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] },
        defaultPasskeyProfile: null,
        passkeyProfiles: [],
        includeTargets: [{ targetType: 'group', id: 'all_users' }],
        excludeTargets: [],
      },
    });
  });

  it('reads passkey profiles and the profiles each target allows; the legacy settings may be null', async () => {
    const { withPasskeyProfiles, DEFAULT_PASSKEY_PROFILE_ID } = await import('../emulator/store');
    emu.ctx.state.fido2Policy = { ...withPasskeyProfiles(emu.ctx.state.fido2Policy), isAttestationEnforced: null, keyRestrictions: null };
    const read = await gatewayFor(emu, { operator: LIDIA }).fido2Policy();
    expect(read).toMatchObject({
      readable: true,
      policy: {
        isAttestationEnforced: null,
        keyRestrictions: null,
        defaultPasskeyProfile: DEFAULT_PASSKEY_PROFILE_ID,
        passkeyProfiles: [
          {
            id: DEFAULT_PASSKEY_PROFILE_ID,
            name: 'Default passkey profile',
            attestationEnforcement: 'registrationOnly',
            passkeyTypes: ['deviceBound', 'synced'],
            keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] },
          },
        ],
        includeTargets: [{ targetType: 'group', id: 'all_users', allowedPasskeyProfiles: [DEFAULT_PASSKEY_PROFILE_ID] }],
      },
    });
  });

  it('a Fido2 answer with unknownFutureValue members and null or missing settings is still read, never malformed', async () => {
    emu.ctx.faults.add({
      method: 'GET',
      path: '/authenticationMethodConfigurations/Fido2$',
      status: 200,
      body: {
        id: 'Fido2',
        state: 'enabled',
        isSelfServiceRegistrationAllowed: true,
        keyRestrictions: { isEnforced: null, enforcementType: 'unknownFutureValue', aaGuids: null },
        defaultPasskeyProfile: null,
        passkeyProfiles: [{ id: 'p', name: null, attestationEnforcement: 'unknownFutureValue', keyRestrictions: null, passkeyTypes: 'unknownFutureValue' }],
        includeTargets: [{ targetType: 'group', id: 'all_users', isRegistrationRequired: false, allowedPasskeyProfiles: null }],
        excludeTargets: null,
      },
    });
    const read = await gatewayFor(emu, { operator: LIDIA }).fido2Policy();
    expect(read).toMatchObject({
      readable: true,
      policy: {
        isAttestationEnforced: null,
        keyRestrictions: { isEnforced: null, enforcementType: 'unknownFutureValue', aaGuids: [] },
        passkeyProfiles: [{ id: 'p', name: null, attestationEnforcement: 'unknownFutureValue', keyRestrictions: null, passkeyTypes: ['unknownFutureValue'] }],
      },
    });
  });

  it.each([
    ['an Authentication Administrator', ALEX],
    ['a Privileged Authentication Administrator', PATTI],
  ])('are not readable for %s: readable false with the request id, never an exception', async (_who, operator) => {
    const g = gatewayFor(emu, { operator });
    const tap = await g.tapPolicy();
    const fido2 = await g.fido2Policy();
    const log = graphRequests(emu);
    expect(log.map((r) => r.status)).toEqual([403, 403]);
    expect(tap).toEqual({ readable: false, reason: 'forbidden', requestId: log[0]?.requestId });
    expect(fido2).toEqual({ readable: false, reason: 'forbidden', requestId: log[1]?.requestId });
  });
});

describe('the Temporary Access Pass', () => {
  it('is created, listed, read, and deleted; a second delete is "already gone"', async () => {
    const g = gatewayFor(emu);
    const issued = await g.createTap(ID.megan, { lifetimeInMinutes: 10, isUsableOnce: true });
    const post = graphRequests(emu).find((r) => r.method === 'POST');
    expect(issued).toMatchObject({
      lifetimeInMinutes: 10,
      isUsableOnce: true,
      isUsable: true,
      methodUsabilityReason: 'EnabledByPolicy',
      requestId: post?.requestId,
    });
    expect(issued.temporaryAccessPass).toBe(emu.ctx.state.taps.get(ID.megan)?.pass);

    const listed = await g.listTaps(ID.megan);
    expect(listed).toEqual([expect.objectContaining({ id: issued.id, lifetimeInMinutes: 10 })]);
    expect(listed[0]).not.toHaveProperty('temporaryAccessPass');
    expect(await g.getTap(ID.megan, issued.id)).toEqual(listed[0]);

    const deleted = await g.deleteTap(ID.megan, issued.id);
    expect(deleted.requestId).toBe(graphRequests(emu).find((r) => r.method === 'DELETE')?.requestId);
    expect(emu.ctx.state.taps.has(ID.megan)).toBe(false);
    expect(await g.getTap(ID.megan, issued.id)).toBeNull();
    await expect(g.deleteTap(ID.megan, issued.id)).resolves.toEqual({ requestId: expect.any(String) });
    expect(
      graphRequests(emu)
        .filter((r) => r.method === 'DELETE')
        .map((r) => r.status),
    ).toEqual([204, 404]);
  });

  it('a lifetime Graph could never accept is refused before Graph', async () => {
    const g = gatewayFor(emu);
    for (const lifetimeInMinutes of [5, 43201, 10.5, Number.NaN]) {
      expect(await rejection(g.createTap(ID.megan, { lifetimeInMinutes, isUsableOnce: true }))).toMatchObject({ kind: 'bad-input' });
    }
    expect(graphRequests(emu)).toEqual([]);
  });

  const refusals: [string, string, number, boolean, object, RegExp][] = [
    [
      'lifetime outside the policy',
      ID.megan,
      90,
      true,
      { kind: 'bad-request', status: 400, code: 'badRequest', reason: 'lifetime-out-of-range', lifetimeRange: { min: 10, max: 60 } },
      /lifetime-out-of-range[,)].*between 10 and 60/,
    ],
    [
      'a person the policy excludes',
      ID.isaiah,
      10,
      true,
      { kind: 'bad-request', reason: 'policy-excludes-user' },
      /policy-excludes-user[,)].*UserCredentialPolicy/,
    ],
    ['an external guest', ID.chris, 10, true, { kind: 'bad-request', reason: 'external-guest' }, /external-guest[,)].*external guest/],
    ['a multi-use pass under a one-time policy', ID.megan, 10, false, { kind: 'bad-request', reason: 'one-time-required' }, /one-time-required[,)].*one-time/],
    [
      'an admin, for an Authentication Administrator',
      ID.adele,
      10,
      true,
      { kind: 'forbidden', status: 403, code: 'accessDenied', reason: 'not-permitted-for-target' },
      /forbidden \(HTTP 403, accessDenied, not-permitted-for-target/,
    ],
    ['the operator themself', ID.alex, 10, true, { kind: 'forbidden', status: 403, reason: 'not-permitted-for-target' }, /not-permitted-for-target/],
  ];
  it.each(refusals)(
    'creation refused for %s: a typed error with the Graph request id and a log line of the facts',
    async (_case, userId, lifetimeInMinutes, isUsableOnce, expected, message) => {
      const e = await rejection(gatewayFor(emu).createTap(userId, { lifetimeInMinutes, isUsableOnce }));
      expect(e).toBeInstanceOf(DirectoryError);
      expect(e).toMatchObject(expected);
      expect(e.message).toMatch(/^create a Temporary Access Pass: /);
      expect(e.message).toMatch(message);
      const post = graphRequests(emu).filter((r) => r.method === 'POST');
      expect(post).toHaveLength(1);
      expect(e.requestId).toBe(post[0]?.requestId);
    },
  );

  it('a connection dropped after Graph created the pass is a network error without the pass; listing reconciles', async () => {
    emu.injectFault({ method: 'POST', path: '/temporaryAccessPassMethods$', drop: 'after' });
    const g = gatewayFor(emu);
    const e = await rejection(g.createTap(ID.megan, { lifetimeInMinutes: 10, isUsableOnce: true }));
    expect(e).toMatchObject({ kind: 'network' });
    const pass = emu.ctx.state.taps.get(ID.megan)?.pass ?? '';
    expect(pass).not.toBe('');
    expect(`${e.message} ${e.stack} ${JSON.stringify(e)}`).not.toContain(pass);
    expect(await g.listTaps(ID.megan)).toHaveLength(1);
  });

  it('a 201 without the expected shape is a typed error that does not repeat the body (nor the pass in it)', async () => {
    emu.injectFault({
      method: 'POST',
      path: '/temporaryAccessPassMethods$',
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: { id: 'x', temporaryAccessPass: 'Leaked!Pass9', lifetimeInMinutes: 'ten' },
    });
    const e = await rejection(gatewayFor(emu).createTap(ID.megan, { lifetimeInMinutes: 10, isUsableOnce: true }));
    expect(e).toMatchObject({ kind: 'unavailable', code: 'malformedResponse', status: 201 });
    expect(e.requestId).toBe(graphRequests(emu)[0]?.requestId);
    expect(e.message).toMatch(/lifetimeInMinutes: expected number/);
    expect(`${e.message} ${e.stack} ${JSON.stringify(e)}`).not.toContain('Leaked!Pass9');
  });
});

describe('after the pass exists, nothing the CSDL allows to be null fails a parse (issue 10, 3h)', () => {
  it('a 201 whose every nullable property is null still delivers the pass, filled from what was asked', async () => {
    emu.injectFault({
      method: 'POST',
      path: '/temporaryAccessPassMethods$',
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: {
        id: 'tap-nulls',
        temporaryAccessPass: 'Null!Safe42',
        createdDateTime: null,
        startDateTime: null,
        lifetimeInMinutes: null,
        isUsableOnce: null,
        isUsable: null,
        methodUsabilityReason: null,
      },
    });
    const before = Date.now();
    const issued = await gatewayFor(emu).createTap(ID.megan, { lifetimeInMinutes: 60, isUsableOnce: false });
    expect(issued).toMatchObject({ id: 'tap-nulls', temporaryAccessPass: 'Null!Safe42', lifetimeInMinutes: 60, isUsableOnce: false, isUsable: true });
    // The creation time is bounded from below by when the station asked (completion counts keys from it).
    expect(Date.parse(issued.createdDateTime)).toBeGreaterThanOrEqual(before - 1000);
    expect(issued.startDateTime).toBe(issued.createdDateTime);
  });

  it('listing and reading a pass back with null properties works (reconciliation and completion polling)', async () => {
    const nulls = {
      id: 'tap-nulls',
      createdDateTime: null,
      startDateTime: null,
      lifetimeInMinutes: null,
      isUsableOnce: null,
      isUsable: null,
      methodUsabilityReason: null,
    };
    emu.injectFault({ path: '/temporaryAccessPassMethods$', status: 200, headers: { 'content-type': 'application/json' }, body: { value: [nulls] } });
    emu.injectFault({ path: '/temporaryAccessPassMethods/tap-nulls$', status: 200, headers: { 'content-type': 'application/json' }, body: nulls });
    const g = gatewayFor(emu);
    const [listed] = await g.listTaps(ID.megan);
    expect(listed).toMatchObject({ id: 'tap-nulls', createdDateTime: '', isUsable: false, methodUsabilityReason: '' });
    expect(await g.getTap(ID.megan, 'tap-nulls')).toMatchObject({ id: 'tap-nulls', isUsable: false });
  });
});

describe('security keys and sessions', () => {
  it('deletes a lost key (again: already gone) and revokes sign-in sessions', async () => {
    const g = gatewayFor(emu);
    const [key] = await g.listSecurityKeys(ID.lee);
    expect(key?.model).toBe('YubiKey 5 Series with NFC');
    await expect(g.deleteSecurityKey(ID.lee, key?.id ?? '')).resolves.toEqual({ requestId: expect.any(String) });
    expect(await g.listSecurityKeys(ID.lee)).toEqual([]);
    await expect(g.deleteSecurityKey(ID.lee, key?.id ?? '')).resolves.toEqual({ requestId: expect.any(String) });
    const before = emu.ctx.state.findUser(ID.lee)?.signInSessionsValidFromDateTime.getTime() ?? 0;
    emu.advanceClock(1);
    const revoked = await g.revokeSignInSessions(ID.lee);
    expect(revoked.requestId).toBe(graphRequests(emu).at(-1)?.requestId);
    expect(emu.ctx.state.findUser(ID.lee)?.signInSessionsValidFromDateTime.getTime()).toBeGreaterThan(before);
  });

  it('revokeSignInSessions takes any 2xx as success (the documented 204 included)', async () => {
    emu.injectFault({ method: 'POST', path: '/revokeSignInSessions$', status: 204 });
    await expect(gatewayFor(emu).revokeSignInSessions(ID.lee)).resolves.toEqual({ requestId: expect.any(String) });
  });
});

describe('when Graph misbehaves', () => {
  it('an operator whose session ended is `unauthenticated` (sign in again), not a network fault, and nothing is sent', async () => {
    const g = gatewayFor(emu, {
      token: async () => Promise.reject(new OperatorSignInRequired('session-ended')),
      gateway: { isSignInRequired: (x) => operatorErrorCodeOf(x) === 'sign-in-required' },
    });
    const e = await rejection(g.searchUsers('Megan'));
    expect(e).toMatchObject({ kind: 'unauthenticated' });
    expect(e).toMatchObject({ code: 'signInRequired' });
    expect(graphRequests(emu)).toEqual([]);
  });

  it('a 429 storm longer than the retry budget is `throttled`, with Retry-After', async () => {
    emu.injectFault({ path: '^/v1.0/users$', count: 50, status: 429, headers: { 'Retry-After': '1' } });
    const g = gatewayFor(emu, { retry: { maxRetries: 10, budgetMs: 4_000 } });
    const e = await rejection(g.searchUsers('Megan'));
    expect(e).toMatchObject({ kind: 'throttled', status: 429, code: 'TooManyRequests', retryAfterSeconds: 1 });
    const attempts = graphRequests(emu);
    expect(attempts.length).toBeGreaterThan(1); // it did retry, inside the budget
    expect(attempts.length).toBeLessThan(5);
    expect(e.requestId).toBe(attempts.at(-1)?.requestId);
  }, 20_000);

  it('503s that outlast the retries are `unavailable`', async () => {
    emu.injectFault({ path: '/temporaryAccessPassMethods$', count: 10, status: 503, headers: { 'Retry-After': '0' } });
    const e = await rejection(gatewayFor(emu).listTaps(ID.megan));
    expect(e).toMatchObject({ kind: 'unavailable', status: 503, code: 'serviceNotAvailable' });
    expect(graphRequests(emu)).toHaveLength(3);
  });

  it('a dropped connection is `network`', async () => {
    emu.injectFault({ path: '^/v1.0/users$', drop: 'before' });
    const e = await rejection(gatewayFor(emu).searchUsers('Megan'));
    expect(e).toMatchObject({ kind: 'network', requestId: null });
    expect(e.message).toMatch(/: network \(no answer/);
  });

  it('an expired token is `unauthenticated`', async () => {
    const token = await accessTokenFor(emu, ALEX, { lifetimeSeconds: 60 });
    emu.advanceClock(5);
    const e = await rejection(gatewayFor(emu, { token: async () => token }).listTaps(ID.megan));
    expect(e).toMatchObject({ kind: 'unauthenticated', status: 401, code: 'InvalidAuthenticationToken' });
    expect(e.message).toMatch(/: unauthenticated \(HTTP 401, InvalidAuthenticationToken/);
    expect(e.requestId).toBe(graphRequests(emu)[0]?.requestId);
  });

  it('a token that no longer verifies (revoked signing, tampered) is `unauthenticated`', async () => {
    const token = await accessTokenFor(emu, ALEX);
    const tampered = `${token.slice(0, -4)}AAAA`;
    expect(await rejection(gatewayFor(emu, { token: async () => tampered }).identityCard(ID.megan))).toMatchObject({ kind: 'unauthenticated' });
  });

  it('a malformed 200 is a typed error, not a crash', async () => {
    emu.injectFault({ path: '^/v1.0/users$', status: 200, headers: { 'content-type': 'application/json' }, body: { value: 'garbage', '@odata.count': {} } });
    const e = await rejection(gatewayFor(emu).searchUsers('Adele'));
    expect(e).toMatchObject({ kind: 'unavailable', code: 'malformedResponse', status: 200 });
    expect(e.message).toMatch(/value: expected array/);
    expect(e.requestId).toBe(graphRequests(emu).find((r) => r.query.includes('Adele'))?.requestId);

    emu.injectFault({
      path: '/authentication/temporaryAccessPassMethods$',
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<html>proxy login</html>',
    });
    expect(await rejection(gatewayFor(emu).listTaps(ID.megan))).toMatchObject({ kind: 'unavailable', code: 'malformedResponse' });

    emu.injectFault({ path: '/policies/', status: 200, headers: { 'content-type': 'application/json' }, body: { state: 'sometimes' } });
    expect(await rejection(gatewayFor(emu, { operator: LIDIA }).tapPolicy())).toMatchObject({ kind: 'unavailable', code: 'malformedResponse' });

    // A photo that is not an image does not fail the card: it shows initials (issue 10, 3c).
    emu.injectFault({ path: '/photo/\\$value$', status: 200, headers: { 'content-type': 'text/plain' }, body: 'not an image' });
    expect(await gatewayFor(emu).identityCard(ID.megan)).toMatchObject({ id: ID.megan, photo: null });
  });
  // Last in the file: the emulator still answers these delayed requests after the test has its result.
  it('an answer later than the per-call timeout is `timeout`', async () => {
    emu.injectFault({ path: '^/v1.0/users$', delayMs: 4_000 });
    const started = Date.now();
    const e = await rejection(gatewayFor(emu, { gateway: { timeoutMs: 300 } }).searchUsers('Megan'));
    expect(e).toMatchObject({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(3_500);
  });

  it('the caller’s abort ends the call with the caller’s own reason', async () => {
    emu.injectFault({ path: '^/v1.0/users$', delayMs: 4_000 });
    const controller = new AbortController();
    const pending = gatewayFor(emu).searchUsers('Megan', controller.signal);
    const reason = new Error('operator cancelled');
    controller.abort(reason);
    expect(await rejection(pending)).toBe(reason);
    const already = AbortSignal.abort(reason);
    expect(await rejection(gatewayFor(emu).listTaps(ID.megan, already))).toBe(reason);
  });
});

describe('a 403 read with what the station knows (issue 10, 3i)', () => {
  // Graph's body is the same for each cause (main/directory/access.ts `ForbiddenCause`); the station's facts tell them apart.
  const TAP = ['UserAuthMethod-TAP.ReadWrite.All', 'UserAuthMethod-Passkey.ReadWrite.All'];
  const BASE = ['User.Read', 'User.Read.All', 'Policy.Read.AuthenticationMethod', 'User.RevokeSessions.All'];
  const facts = (grantedPermissions: readonly string[], capability: 'members-and-admins' | 'members-only' | 'none') => ({
    gateway: { accessFacts: () => ({ grantedPermissions, capability, mayReadPolicies: false }) },
  });

  it('a token without the permission: missing consent, naming the least permission, whatever the role', async () => {
    const e = await rejection(
      gatewayFor(emu, { token: () => accessTokenFor(emu, PATTI, { scopes: BASE }), ...facts(BASE, 'members-and-admins') }).createTap(ID.megan, {
        lifetimeInMinutes: 60,
        isUsableOnce: true,
      }),
    );
    expect(e).toMatchObject({
      kind: 'forbidden',
      status: 403,
      code: 'accessDenied',
      forbidden: 'missing-permission',
      missingPermission: 'UserAuthMethod-TAP.ReadWrite.All',
    });
    expect(e.reason).toBeUndefined(); // not a judgement on the person
  });

  it('the least permissions without a role: missing role', async () => {
    const e = await rejection(
      gatewayFor(emu, { token: () => accessTokenFor(emu, upn('nestor.wilke'), { scopes: [...BASE, ...TAP] }), ...facts([...BASE, ...TAP], 'none') }).createTap(
        ID.megan,
        { lifetimeInMinutes: 60, isUsableOnce: true },
      ),
    );
    expect(e).toMatchObject({ kind: 'forbidden', status: 403, code: 'accessDenied', forbidden: 'missing-role' });
  });

  it('an Authentication Administrator on an administrator: out of reach; the same operator issues for a member', async () => {
    const options = { token: () => accessTokenFor(emu, ALEX, { scopes: [...BASE, ...TAP] }), ...facts([...BASE, ...TAP], 'members-only') };
    const e = await rejection(
      gatewayFor(emu, options)
        .listSecurityKeys(ID.megan)
        .then(() => gatewayFor(emu, options).deleteSecurityKey(ID.adele, 'x')),
    );
    expect(e).toMatchObject({ kind: 'forbidden', status: 403, forbidden: 'target-out-of-reach' });
    const created = await rejection(gatewayFor(emu, options).createTap(ID.adele, { lifetimeInMinutes: 60, isUsableOnce: true }));
    expect(created).toMatchObject({ forbidden: 'target-out-of-reach', reason: 'not-permitted-for-target' });
    const issued = await gatewayFor(emu, options).createTap(ID.megan, { lifetimeInMinutes: 60, isUsableOnce: true });
    expect(issued.temporaryAccessPass).toMatch(/\S{8,}/);
  });

  it('a tenant that consented only the broad permission still works: no missing consent is claimed', async () => {
    const broad = [...BASE, 'UserAuthenticationMethod.ReadWrite.All'];
    const g = gatewayFor(emu, { token: () => accessTokenFor(emu, PATTI, { scopes: broad }), ...facts(broad, 'members-and-admins') });
    const issued = await g.createTap(ID.megan, { lifetimeInMinutes: 60, isUsableOnce: true });
    expect(issued.temporaryAccessPass).toMatch(/\S{8,}/);
  });

  it('without facts a 403 stays a plain forbidden, as before', async () => {
    const e = await rejection(gatewayFor(emu, { token: () => accessTokenFor(emu, PATTI, { scopes: BASE }) }).listTaps(ID.megan));
    expect(e).toMatchObject({ kind: 'forbidden', status: 403 });
    expect(e.forbidden).toBeUndefined();
  });
});
