// The guide's step from URLs alone: the hops between Microsoft's hosts that the real My Security Info makes.
import { describe, expect, it } from 'vitest';
import { SIGNED_IN_PHASES, ViewProgress } from '../../main/tap/view-progress';

const T = 'contoso.onmicrosoft.com';
const phases = (urls: string[]) => {
  const progress = new ViewProgress();
  return urls.map((url) => progress.phaseOf({ url }));
};

describe('ViewProgress', () => {
  it('follows the real hops: sign-in, Security info, the ceremony on login.microsoft.com, back to name the key', () => {
    expect(
      phases([
        'https://mysignins.microsoft.com/security-info',
        `https://login.microsoftonline.com/${T}/oauth2/authorize`,
        'https://mysignins.microsoft.com/security-info',
        'https://mysignins.microsoft.com/security-info/add',
        `https://login.microsoft.com/${T}/fido/create`,
        'https://mysignins.microsoft.com/security-info/add/security-key/name',
      ]),
    ).toEqual(['unknown', 'signing-in', 'signed-in', 'signed-in', 'registering', 'naming-key']);
  });

  it('a registration page before any sign-in, other login.microsoft.com paths and foreign hosts are not the ceremony', () => {
    expect(phases([`https://login.microsoft.com/${T}/fido/create`])).toEqual(['signing-in']);
    expect(phases([`https://login.microsoftonline.com/${T}/login`, 'https://login.microsoft.com/common/fido/get'])).toEqual(['signing-in', 'signing-in']);
    expect(phases([`https://login.microsoftonline.com/${T}/login`, `https://login.microsoft.com.evil.example/${T}/fido/create`])).toEqual([
      'signing-in',
      'unknown',
    ]);
    expect(phases([`http://login.microsoft.com/${T}/fido/create`, 'nonsense'])).toEqual(['unknown', 'unknown']);
  });

  it('a watch started after the sign-in knows it: the ceremony counts at once', () => {
    const progress = new ViewProgress({ signedIn: true });
    expect(progress.phaseOf({ url: `https://login.microsoft.com/${T}/fido/create` })).toBe('registering');
    expect(progress.phaseOf({ url: 'https://mysignins.microsoft.com/security-info/add/security-key/name' })).toBe('naming-key');
  });

  it('a logout path on a sign-in host is signed out', () => {
    expect(phases([`https://login.microsoftonline.com/${T}/oauth2/v2.0/logout`])).toEqual(['signed-out']);
  });

  it('the registration interrupt after the pass: mysignins.microsoft.com/register is its own phase, a signed-in one', () => {
    expect(
      phases([
        `https://login.microsoftonline.com/${T}/login`,
        'https://mysignins.microsoft.com/register?csrf_token=abc',
        'https://mysignins.microsoft.com/security-info/add/security-key',
        `https://login.microsoft.com/${T}/fido/create`,
        'https://mysignins.microsoft.com/security-info/add/security-key/name',
      ]),
    ).toEqual(['signing-in', 'registration-interrupt', 'signed-in', 'registering', 'naming-key']);
    expect(SIGNED_IN_PHASES.has('registration-interrupt')).toBe(true);
    // Before any sign-in the path means nothing (no session to interrupt).
    expect(phases(['https://mysignins.microsoft.com/register'])).toEqual(['unknown']);
  });

  it('a sign-in after the ceremony (the registration came too late: sign in again) starts over at signed-in', () => {
    expect(
      phases([
        `https://login.microsoftonline.com/${T}/login`,
        'https://mysignins.microsoft.com/security-info',
        `https://login.microsoft.com/${T}/fido/create`,
        `https://login.microsoftonline.com/${T}/oauth2/authorize`,
        'https://mysignins.microsoft.com/security-info',
      ]),
    ).toEqual(['signing-in', 'signed-in', 'registering', 'signing-in', 'signed-in']);
  });

  it('leaving the naming page for another My Security Info page is the hop after which the key exists', () => {
    const progress = new ViewProgress({ signedIn: true });
    const left = (url: string) => [progress.phaseOf({ url }), progress.leftNaming] as const;
    expect(left(`https://login.microsoft.com/${T}/fido/create`)).toEqual(['registering', false]);
    expect(left('https://mysignins.microsoft.com/security-info/add/security-key/name')).toEqual(['naming-key', false]);
    // The same page again (a reload, a trailing slash) is still the naming.
    expect(left('https://mysignins.microsoft.com/security-info/add/security-key/name/')).toEqual(['naming-key', false]);
    expect(left('https://mysignins.microsoft.com/security-info')).toEqual(['naming-key', true]);
    // A new ceremony starts over: its return is a naming page again, not a page after one.
    expect(left(`https://login.microsoft.com/${T}/fido/create`)).toEqual(['registering', false]);
    expect(left('https://mysignins.microsoft.com/security-info')).toEqual(['naming-key', false]);
  });
});
