// What the operator's roles let them do, the wids fallback's parsing, and the sign-in redirect's checks: pure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unverifiedJwtClaims, widsFromClaims } from '../../main/operator/directory-roles';
import { operatorErrorCodeOf, OperatorSignInFailed, OperatorSignInRequired } from '../../main/operator/errors';
import { readSignInRedirect } from '../../main/operator/presenter';
import { capabilityOf, mayReadPoliciesWith, roleDisplayName, RoleTemplate } from '../../main/operator/roles';

const R = RoleTemplate;

describe('capabilityOf', () => {
  it.each([
    { roles: [R.PrivilegedAuthenticationAdministrator], expected: 'members-and-admins' },
    { roles: [R.GlobalAdministrator], expected: 'members-and-admins' },
    { roles: [R.AuthenticationAdministrator], expected: 'members-only' },
    { roles: [R.AuthenticationAdministrator, R.PrivilegedAuthenticationAdministrator], expected: 'members-and-admins' },
    { roles: [R.AuthenticationPolicyAdministrator], expected: 'none' },
    { roles: [R.GlobalReader], expected: 'none' },
    { roles: [R.HelpdeskAdministrator, R.UserAdministrator, R.PrivilegedRoleAdministrator], expected: 'none' },
    { roles: [], expected: 'none' },
    // Ids compared without regard to case or stray whitespace (Graph and tokens write them lower-case).
    { roles: [R.AuthenticationAdministrator.toUpperCase()], expected: 'members-only' },
    { roles: [` ${R.GlobalAdministrator} `], expected: 'members-and-admins' },
  ])('$roles → $expected', ({ roles, expected }) => {
    expect(capabilityOf(roles)).toBe(expected);
  });

  it('is the widest any single role grants, whatever the order or the other roles', () => {
    const rank = { none: 0, 'members-only': 1, 'members-and-admins': 2 } as const;
    const pool = [...Object.values(R), '00000000-0000-0000-0000-000000000000'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pool), { maxLength: 8 }), (roles) => {
        const widest = Math.max(0, ...roles.map((r) => rank[capabilityOf([r])]));
        expect(rank[capabilityOf(roles)]).toBe(widest);
        expect(capabilityOf([...roles].reverse())).toBe(capabilityOf(roles));
      }),
    );
  });
});

describe('mayReadPoliciesWith', () => {
  it.each([
    { roles: [R.GlobalReader], expected: true },
    { roles: [R.AuthenticationPolicyAdministrator], expected: true },
    { roles: [R.GlobalAdministrator], expected: true },
    // Authentication Administrators alone get 403 on the policies (issue 4, pre-flight).
    { roles: [R.AuthenticationAdministrator], expected: false },
    { roles: [R.PrivilegedAuthenticationAdministrator], expected: false },
    { roles: [], expected: false },
  ])('$roles → $expected', ({ roles, expected }) => {
    expect(mayReadPoliciesWith(roles)).toBe(expected);
  });
});

describe('roleDisplayName', () => {
  it('prefers the directory’s name, then the built-in table, then the id', () => {
    expect(roleDisplayName(R.AuthenticationAdministrator, 'Authentifizierungsadministrator')).toBe('Authentifizierungsadministrator');
    expect(roleDisplayName(R.AuthenticationAdministrator, null)).toBe('Authentication Administrator');
    expect(roleDisplayName(R.AuthenticationAdministrator.toUpperCase(), '  ')).toBe('Authentication Administrator');
    expect(roleDisplayName('11111111-2222-3333-4444-555555555555')).toBe('11111111-2222-3333-4444-555555555555');
  });
});

describe('the wids fallback', () => {
  const jwt = (payload: unknown) => `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;

  it('reads GUIDs from the claim, lower-cased, without the built-in User role every member carries', () => {
    const claims = unverifiedJwtClaims(
      jwt({ wids: [R.AuthenticationAdministrator.toUpperCase(), 'b79fbf4d-3ef9-4689-8143-76b194e85509', 'not-a-guid', R.AuthenticationAdministrator] }),
    );
    expect(widsFromClaims(claims)).toEqual([R.AuthenticationAdministrator]);
  });

  it('says "absent" (null) rather than "no roles" when there is no claim or no JWT', () => {
    expect(widsFromClaims(unverifiedJwtClaims(jwt({ oid: 'x' })))).toBeNull();
    expect(widsFromClaims(unverifiedJwtClaims('opaque-token'))).toBeNull();
    expect(widsFromClaims(unverifiedJwtClaims('a.!!!.c'))).toBeNull();
    expect(widsFromClaims({ wids: 'c4e39bd9-1100-46d3-8c65-fb160da0071f' })).toBeNull();
    expect(widsFromClaims({ wids: [] })).toEqual([]);
  });
});

describe('readSignInRedirect', () => {
  const REDIRECT = 'http://localhost/tap-kiosk/signed-in';
  const reason = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e instanceof OperatorSignInFailed ? e.reason : `other: ${String(e)}`;
    }
    return 'accepted';
  };

  it('accepts our redirect URI with our state and a code (any loopback port, trailing slash)', () => {
    expect(readSignInRedirect(`${REDIRECT}?code=abc&state=s1&client_info=ci&session_state=x`, REDIRECT, 's1')).toEqual({
      kind: 'code',
      code: 'abc',
      state: 's1',
      clientInfo: 'ci',
    });
    expect(readSignInRedirect('http://localhost:51234/tap-kiosk/signed-in/?code=abc&state=s1', REDIRECT, 's1')).toMatchObject({ kind: 'code' });
  });

  it('returns an error reply with its code and description', () => {
    expect(readSignInRedirect(`${REDIRECT}?error=access_denied&error_description=AADSTS65004%3A+declined&state=s1`, REDIRECT, 's1')).toEqual({
      kind: 'error',
      error: 'access_denied',
      description: 'AADSTS65004: declined',
      state: 's1',
    });
  });

  it.each([
    { url: `${REDIRECT}?code=abc&state=other`, expected: 'state-mismatch' },
    { url: `${REDIRECT}?code=abc`, expected: 'state-mismatch' },
    { url: `${REDIRECT}?error=access_denied&state=other`, expected: 'state-mismatch' },
    { url: `${REDIRECT}?state=s1`, expected: 'invalid-redirect' },
    { url: `${REDIRECT}?code=&state=s1`, expected: 'invalid-redirect' },
    { url: `${REDIRECT}?code=a&code=b&state=s1`, expected: 'invalid-redirect' },
    { url: `https://localhost/tap-kiosk/signed-in?code=abc&state=s1`, expected: 'invalid-redirect' },
    { url: `http://evil.example/tap-kiosk/signed-in?code=abc&state=s1`, expected: 'invalid-redirect' },
    { url: `http://localhost/elsewhere?code=abc&state=s1`, expected: 'invalid-redirect' },
    { url: 'not a url', expected: 'invalid-redirect' },
  ])('$url → $expected', ({ url, expected }) => {
    expect(reason(() => readSignInRedirect(url, REDIRECT, 's1'))).toBe(expected);
  });

  it('never puts the code into an error message', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 8 }).filter((c) => c.trim() === c && !/[&#=+%]/.test(c)),
        (code) => {
          for (const url of [`${REDIRECT}?code=${encodeURIComponent(code)}&state=x`, `http://evil.example/?code=${encodeURIComponent(code)}&state=s1`]) {
            try {
              readSignInRedirect(url, REDIRECT, 's1');
            } catch (e) {
              expect((e as Error).message).not.toContain(code);
            }
          }
        },
      ),
    );
  });
});

describe('operatorErrorCodeOf', () => {
  it('recognises operator errors directly and as the Graph client re-wraps them, and nothing else', () => {
    expect(operatorErrorCodeOf(new OperatorSignInRequired('signed-out'))).toBe('sign-in-required');
    expect(operatorErrorCodeOf(new OperatorSignInFailed('busy', 'x'))).toBe('sign-in-failed');
    expect(operatorErrorCodeOf({ statusCode: -1, code: 'OperatorSignInRequired' })).toBe('sign-in-required');
    expect(operatorErrorCodeOf({ statusCode: -1, code: 'IdentityProviderUnreachable' })).toBe('unreachable');
    expect(operatorErrorCodeOf({ statusCode: 401, code: 'OperatorSignInRequired' })).toBeNull();
    expect(operatorErrorCodeOf({ statusCode: -1, code: 'ECONNRESET' })).toBeNull();
    expect(operatorErrorCodeOf(new Error('x'))).toBeNull();
    expect(operatorErrorCodeOf(null)).toBeNull();
  });
});
