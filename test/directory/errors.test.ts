// The one Graph-failure classifier: each kind, where the request id comes from, the creation refusals, the log line.
import { GraphError } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import { forbiddenCause } from '../../main/directory/access';
import {
  DirectoryError,
  badInput,
  fromGraphClientError,
  fromResponse,
  kindForStatus,
  malformed,
  readGraphErrorBody,
  timedOut,
} from '../../main/directory/errors';
import { graphFailure } from '../../main/directory/failure';
import { describeFailure } from '../../main/enrollment/failures';

const RID = '3f1c9a0e-8a51-4d3b-9c55-1f0c2b6d7e80';
const body = (code: string, message: string, requestId: string | null = RID, key: 'innerError' | 'innererror' = 'innerError') => ({
  error: { code, message, [key]: { date: '2026-11-23T08:00:00', ...(requestId ? { 'request-id': requestId } : {}), 'client-request-id': 'c' } },
});

describe('fromResponse', () => {
  it.each([
    [400, 'bad-request'],
    [401, 'unauthenticated'],
    [403, 'forbidden'],
    [404, 'not-found'],
    [408, 'timeout'],
    [409, 'bad-request'],
    [415, 'bad-request'],
    [429, 'throttled'],
    [500, 'unavailable'],
    [502, 'unavailable'],
    [503, 'unavailable'],
    [504, 'unavailable'],
  ] as const)('status %i is %s', (status, kind) => {
    expect(kindForStatus(status)).toBe(kind);
    const e = fromResponse({ status, body: body('someCode', 'Some text.') }, 'do the thing');
    expect(e).toBeInstanceOf(DirectoryError);
    expect(e).toMatchObject({ kind, status, code: 'someCode', requestId: RID, graphMessage: 'Some text.' });
    expect(e.message).toMatch(new RegExp(`^do the thing: ${kind} \\(HTTP ${status}, someCode, request-id ${RID}\\): Some text\\.$`));
  });

  it('reads the request id from innerError, from innererror, or from the response header', () => {
    expect(fromResponse({ status: 400, body: JSON.stringify(body('x', 'y')) }).requestId).toBe(RID);
    expect(fromResponse({ status: 400, body: body('x', 'y', RID, 'innererror') }).requestId).toBe(RID);
    const headers = new Headers({ 'request-id': 'from-header' });
    expect(fromResponse({ status: 400, headers, body: body('x', 'y', null) }).requestId).toBe('from-header');
    expect(fromResponse({ status: 502, headers: { 'Request-Id': 'plain-record' }, body: '<html>Bad gateway</html>' })).toMatchObject({
      kind: 'unavailable',
      requestId: 'plain-record',
      code: null,
    });
    expect(fromResponse({ status: 500 }).requestId).toBeNull();
  });

  it('words nothing for the operator: the message is a log line of the facts', () => {
    const text = (status: number) => fromResponse({ status, body: body('c', 'm', null) }, 'read the person’s details').message;
    expect(text(401)).toBe('read the person’s details: unauthenticated (HTTP 401, c): m');
    expect(text(429)).toBe('read the person’s details: throttled (HTTP 429, c): m');
    expect(fromResponse({ status: 503 }).message).toBe('Graph call: unavailable (HTTP 503)');
  });

  it('keeps Retry-After for throttled and unavailable answers', () => {
    expect(
      fromResponse({ status: 429, headers: new Headers({ 'Retry-After': '7' }), body: body('TooManyRequests', 'Please retry again later.') }).retryAfterSeconds,
    ).toBe(7);
    expect(fromResponse({ status: 400, headers: new Headers({ 'Retry-After': '7' }) }).retryAfterSeconds).toBeUndefined();
  });

  it('names the documented TAP creation refusals, with the policy bounds', () => {
    const create = (status: number, message: string) =>
      fromResponse({ status, body: body(status === 403 ? 'accessDenied' : 'badRequest', message) }, 'create a Temporary Access Pass', { tapCreate: true });
    expect(create(400, 'Invalid LifetimeInMinutes specified. The valid range between 60 and 480.')).toMatchObject({
      kind: 'bad-request',
      reason: 'lifetime-out-of-range',
      lifetimeRange: { min: 60, max: 480 },
    });
    expect(
      create(400, 'Converged UserCredentialPolicy does not allow creating or updating this authentication method. AuthMethodType [TemporaryAccessPass].')
        .reason,
    ).toBe('policy-excludes-user');
    expect(create(400, 'Temporary Access Pass cannot be added to an external guest user.').reason).toBe('external-guest');
    expect(create(403, 'Request Authorization failed.')).toMatchObject({ kind: 'forbidden', reason: 'not-permitted-for-target' });
    // An unknown 400 keeps Graph's own text.
    const other = create(400, 'Something new.');
    expect(other.reason).toBeUndefined();
    expect(other.message).toMatch(/: Something new\.$/);
    // Outside a create, the same text is not read as a TAP refusal.
    expect(fromResponse({ status: 403, body: body('accessDenied', 'x') }).reason).toBeUndefined();
  });

  it('keeps Graph’s message to one bounded line', () => {
    const e = fromResponse({ status: 400, body: body('c', `line one\r\nline two ${'x'.repeat(500)}`) });
    expect(e.message).not.toMatch(/[\r\n]/);
    expect(e.graphMessage?.length).toBeLessThanOrEqual(301);
  });
});

describe('fromGraphClientError', () => {
  it('a library GraphError with a status maps like a response', () => {
    const ge = new GraphError(403, 'Request Authorization failed.');
    ge.code = 'accessDenied';
    ge.requestId = RID;
    ge.body = JSON.stringify(body('accessDenied', 'Request Authorization failed.').error);
    expect(fromGraphClientError(ge, 'delete the security key')).toMatchObject({ kind: 'forbidden', status: 403, code: 'accessDenied', requestId: RID });
  });

  it('statusCode -1 (no answer) is network; a timeout cause is timeout', () => {
    const dropped = new GraphError(-1, undefined, new TypeError('fetch failed'));
    dropped.code = 'TypeError';
    expect(fromGraphClientError(dropped, 'search for a person')).toMatchObject({ kind: 'network', status: undefined, requestId: null });
    const slow = new GraphError(-1, undefined, Object.assign(new Error('The operation timed out'), { name: 'TimeoutError' }));
    slow.code = 'TimeoutError';
    expect(fromGraphClientError(slow)).toMatchObject({ kind: 'timeout' });
    expect(fromGraphClientError(new Error('socket hang up'))).toMatchObject({ kind: 'network' });
    expect(fromGraphClientError('weird')).toMatchObject({ kind: 'network' });
  });

  it('passes a DirectoryError through unchanged', () => {
    const e = badInput('nope');
    expect(fromGraphClientError(e)).toBe(e);
  });
});

describe('our own errors', () => {
  it('timeout, malformed and bad-input', () => {
    const t = timedOut('read the policy', 30_000);
    expect(t).toMatchObject({ kind: 'timeout', code: 'timeout' });
    expect(t.message).toBe('read the policy: timeout (no answer within 30 s)');
    const m = malformed('search for a person', RID, 200, ['value: expected array']);
    expect(m).toMatchObject({ kind: 'unavailable', code: 'malformedResponse', status: 200, requestId: RID });
    expect(m.message).toBe('search for a person: unavailable (HTTP 200, malformedResponse): unexpected value: expected array');
    const b = badInput('Wildcards are not supported');
    expect(b).toMatchObject({ kind: 'bad-input', requestId: null });
    expect(b.message).toBe('Graph call: bad-input: Wildcards are not supported');
  });

  it('serialises without stack or body', () => {
    const json = JSON.parse(JSON.stringify(fromResponse({ status: 404, body: body('Request_ResourceNotFound', 'gone') }, 'x')));
    expect(Object.keys(json).sort()).toEqual(['code', 'kind', 'message', 'name', 'operation', 'requestId', 'status']);
  });

  it('readGraphErrorBody tolerates anything', () => {
    for (const junk of [null, undefined, 42, 'not json', '{"error":5}', [], { error: null }]) {
      expect(readGraphErrorBody(junk)).toEqual({ code: null, message: null, requestId: null });
    }
  });
});

describe('a 403 has three causes, told apart with the station’s facts (issue 10, 3i)', () => {
  // Graph's bodies (main/directory/access.ts `ForbiddenCause`): the same for a missing consent and a missing role.
  const denied = { status: 403, body: { error: { code: 'accessDenied', message: 'Request Authorization failed.', innerError: { 'request-id': 'r-1' } } } };
  const directoryDenied = {
    status: 403,
    body: {
      error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.', innerError: { 'request-id': 'r-2' } },
    },
  };
  const writeTaps = { permissions: ['UserAuthMethod-TAP.ReadWrite.All', 'UserAuthenticationMethod.ReadWrite.All'], role: 'write-methods' } as const;
  const readUsers = { permissions: ['User.Read.All'], role: 'none' } as const;
  const facts = (grantedPermissions: string[] | null, capability: 'members-and-admins' | 'members-only' | 'none', mayReadPolicies = false) => ({
    grantedPermissions,
    capability,
    mayReadPolicies,
  });

  it.each([
    ['no permission in the token', writeTaps, facts(['User.Read'], 'members-and-admins'), 'missing-permission'],
    ['the broad permission, no role', writeTaps, facts(['userauthenticationmethod.readwrite.all'], 'none'), 'missing-role'],
    ['the least permission, members only', writeTaps, facts(['UserAuthMethod-TAP.ReadWrite.All'], 'members-only'), 'target-out-of-reach'],
    ['everything, members and admins', writeTaps, facts(['UserAuthMethod-TAP.ReadWrite.All'], 'members-and-admins'), undefined],
    ['permissions unknown, no role', writeTaps, facts(null, 'none'), 'missing-role'],
    [
      'the policies without a reading role',
      { permissions: ['Policy.Read.AuthenticationMethod'], role: 'read-policies' } as const,
      facts(['Policy.Read.AuthenticationMethod'], 'members-and-admins'),
      'missing-role',
    ],
    ['users without User.Read.All', readUsers, facts(['User.Read'], 'members-and-admins'), 'missing-permission'],
  ] as const)('%s → %s', (_case, need, f, cause) => {
    expect(forbiddenCause(need, f)).toBe(cause);
  });

  it('each cause becomes its own session code; the consent names the permission; a pass refused for reach keeps its code', () => {
    const consent = fromResponse(directoryDenied, 'search for a person', { access: { need: readUsers, facts: facts(['User.Read'], 'members-only') } });
    expect(describeFailure('search', consent)).toEqual({
      code: 'access.missing-permission',
      params: { permission: 'User.Read.All' },
      step: 'search',
      requestId: 'r-2',
    });
    const role = fromResponse(denied, 'create a Temporary Access Pass', { tapCreate: true, access: { need: writeTaps, facts: facts(null, 'none') } });
    expect(role.reason).toBeUndefined();
    expect(describeFailure('issue', role).code).toBe('access.missing-role');
    const reach = fromResponse(denied, 'create a Temporary Access Pass', { tapCreate: true, access: { need: writeTaps, facts: facts(null, 'members-only') } });
    expect(describeFailure('issue', reach).code).toBe('tap.not-permitted-for-target');
    expect(
      describeFailure('lost-key', fromResponse(denied, 'delete the security key', { access: { need: writeTaps, facts: facts(null, 'members-only') } })).code,
    ).toBe('access.target-out-of-reach');
    // Without facts: as before.
    expect(describeFailure('search', fromResponse(directoryDenied, 'search')).code).toBe('graph.forbidden');
    expect(graphFailure({ kind: 'forbidden', forbidden: 'made-up', missingPermission: 'x y' })).toMatchObject({
      forbidden: undefined,
      missingPermission: undefined,
    });
  });
});
