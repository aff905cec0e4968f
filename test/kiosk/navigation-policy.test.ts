import { describe, expect, it } from 'vitest';
import {
  APP_CSP,
  APP_ORIGIN,
  appPagesPolicy,
  decidePermission,
  isRedirectTo,
  operatorSignInPolicy,
  securityInfoPolicy,
} from '../../main/kiosk/navigation-policy';

const production = securityInfoPolicy({
  authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com',
  mySecurityInfoUrl: 'https://mysignins.microsoft.com/security-info',
  demo: false,
});
const kind = (policy: { decide(url: string): { kind: string } }, url: string) => policy.decide(url).kind;

describe('the My Security Info view', () => {
  it.each([
    'https://mysignins.microsoft.com/security-info',
    'https://mysignins.microsoft.com/security-info?tenant=contoso',
    'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize?client_id=x',
    'https://login.microsoft.com/common/login',
  ])('may go to the Microsoft sign-in and My Security Info pages: %s', (url) => {
    expect(kind(production, url)).toBe('allow');
  });

  it.each([
    ['http://mysignins.microsoft.com/security-info', 'only https'],
    ['https://mysignins.microsoft.com:8443/security-info', 'default https port'],
    ['https://aka.ms/mysecurityinfo', 'not a Microsoft sign-in'],
    ['https://autologon.microsoftazuread-sso.com/contoso/winauth/sso', 'not a Microsoft sign-in'],
    ['https://device.login.microsoftonline.com/', 'not a Microsoft sign-in'],
    ['https://login.live.com/', 'not a Microsoft sign-in'],
    ['https://mysignins.microsoft.com.evil.example/security-info', 'not a Microsoft sign-in'],
    ['https://evilmysignins.microsoft.com/', 'not a Microsoft sign-in'],
    ['https://www.bing.com/search?q=tap', 'not a Microsoft sign-in'],
    ['https://user:pw@mysignins.microsoft.com/', 'user name or password'],
    ['file:///etc/passwd', 'file: navigations are never allowed'],
    ['javascript:alert(1)', 'javascript: navigations are never allowed'],
    ['data:text/html,<script>alert(1)</script>', 'data: navigations are never allowed'],
    ['blob:https://mysignins.microsoft.com/123', 'blob: navigations are never allowed'],
    ['http://localhost:5000/security-info', 'only https'],
    ['not a url', 'not a URL'],
  ])('is refused %s (%s)', (url, reason) => {
    const verdict = production.decide(url);
    expect(verdict.kind).toBe('deny');
    expect(verdict.kind === 'deny' && verdict.reason).toContain(reason);
  });

  it("allows the registration interrupt's hops and the sign-in again after five minutes (issue 10, 3f/3g)", () => {
    for (const url of [
      // "More information required" posts on the sign-in host, then the wizard on My Security Info's host.
      'https://login.microsoftonline.com/common/SAS/ProcessAuth',
      'https://mysignins.microsoft.com/register?csrf_token=abc',
      'https://mysignins.microsoft.com/register?authMethods=32&authMethodCount=1',
      // Too late to register: back to sign in, the user name filled in.
      'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/authorize?prompt=login&login_hint=adele%40contoso.com',
    ]) {
      expect(kind(production, url), url).toBe('allow');
    }
  });

  it('follows a sovereign-cloud configuration to its sign-in host', () => {
    const us = securityInfoPolicy({
      authority: 'https://login.microsoftonline.us/contoso.onmicrosoft.us',
      mySecurityInfoUrl: 'https://mysignins.microsoft.com/security-info',
      demo: false,
    });
    expect(kind(us, 'https://login.microsoftonline.us/x')).toBe('allow');
    expect(kind(production, 'https://login.microsoftonline.us/x')).toBe('deny');
  });

  it('in demo mode allows the emulator by exact origin, not any localhost', () => {
    const demo = securityInfoPolicy({
      authority: 'https://localhost:44321/tenant-id',
      mySecurityInfoUrl: 'http://localhost:44322/security-info',
      demo: true,
    });
    expect(kind(demo, 'http://localhost:44322/security-info/add')).toBe('allow');
    expect(kind(demo, 'https://localhost:44321/tenant-id/oauth2/v2.0/authorize')).toBe('allow');
    expect(kind(demo, 'http://localhost:44323/')).toBe('deny');
    expect(kind(demo, 'https://localhost:44322/')).toBe('deny');
    expect(kind(demo, 'http://127.0.0.1:44322/')).toBe('deny');
    // a production policy never allows the emulator
    expect(kind(production, 'http://localhost:44322/security-info')).toBe('deny');
  });
});

describe('the operator sign-in window', () => {
  const policy = operatorSignInPolicy({
    authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com',
    redirectUri: 'http://localhost',
  });

  it('loads the authority and intercepts the redirect URI instead of loading it', () => {
    expect(kind(policy, 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize?x=1')).toBe('allow');
    expect(kind(policy, 'https://login.microsoftonline.com/common/SAS/ProcessAuth')).toBe('allow');
    expect(kind(policy, 'http://localhost/?code=abc&state=s')).toBe('intercept');
    expect(kind(policy, 'http://localhost:53111/?code=abc&state=s')).toBe('intercept');
  });

  it('follows a passkey sign-in to login.microsoft.com and a certificate sign-in to the certauth hosts', () => {
    expect(kind(policy, 'https://login.microsoft.com/common/fido/get?uiflavor=Web')).toBe('allow');
    expect(kind(policy, 'https://certauth.login.microsoftonline.com/contoso.onmicrosoft.com/certauth')).toBe('allow');
    expect(kind(policy, 'https://t7e1d5a6b-3c2f-4e8a-9b1d-2f6c8a4e0b13.certauth.login.microsoftonline.com/x/certauth')).toBe('allow');
  });

  it('goes nowhere else', () => {
    expect(kind(policy, 'https://mysignins.microsoft.com/security-info')).toBe('deny');
    expect(kind(policy, 'http://localhost/other?code=abc')).toBe('deny');
    expect(kind(policy, 'javascript:alert(1)')).toBe('deny');
    for (const url of [
      'http://login.microsoft.com/common/fido/get',
      'https://login.microsoft.com:8443/common/fido/get',
      'https://evil.certauth.login.microsoftonline.com/',
      'https://tnot-a-guid.certauth.login.microsoftonline.com/',
      'https://t7e1d5a6b-3c2f-4e8a-9b1d-2f6c8a4e0b13.evil.certauth.login.microsoftonline.com/',
      'https://certauth.login.microsoftonline.com.evil.example/',
      'https://login.microsoft.com.evil.example/common/fido/get',
      'https://device.login.microsoftonline.com/',
      'https://autologon.microsoftazuread-sso.com/contoso.onmicrosoft.com/winauth/sso',
      'https://login.live.com/',
      'https://sts.contoso.com/adfs/ls/',
    ]) {
      expect(kind(policy, url), url).toBe('deny');
    }
  });

  it('allows exactly the federation hosts the configuration names', () => {
    const federated = operatorSignInPolicy({
      authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com',
      redirectUri: 'http://localhost',
      federationHosts: ['sts.contoso.com'],
    });
    expect(kind(federated, 'https://sts.contoso.com/adfs/ls/?SAMLRequest=x')).toBe('allow');
    expect(kind(federated, 'http://sts.contoso.com/adfs/ls/')).toBe('deny');
    expect(kind(federated, 'https://sts.contoso.com:4443/adfs/ls/')).toBe('deny');
    expect(kind(federated, 'https://evil.sts.contoso.com/adfs/ls/')).toBe('deny');
    expect(kind(federated, 'https://sts.contoso.com.evil.example/adfs/ls/')).toBe('deny');
  });

  it("allows the certauth host of the US Government cloud, and no cloud's hosts for another", () => {
    const gov = operatorSignInPolicy({ authority: 'https://login.microsoftonline.us/contoso.onmicrosoft.us', redirectUri: 'http://localhost' });
    expect(kind(gov, 'https://certauth.login.microsoftonline.us/x')).toBe('allow');
    expect(kind(gov, 'https://certauth.login.microsoftonline.com/x')).toBe('deny');
    expect(kind(gov, 'https://login.microsoft.com/common/fido/get')).toBe('deny');
  });

  it('matches the redirect URI by scheme, host and path; port only off loopback', () => {
    expect(isRedirectTo('http://localhost/?code=1', 'http://localhost')).toBe(true);
    expect(isRedirectTo('http://localhost:8080/cb?code=1', 'http://localhost/cb/')).toBe(true);
    expect(isRedirectTo('https://localhost/?code=1', 'http://localhost')).toBe(false);
    expect(isRedirectTo('http://127.0.0.1/?code=1', 'http://localhost')).toBe(false);
    expect(isRedirectTo('https://app.example/cb?code=1', 'https://app.example:8443/cb')).toBe(false);
    expect(isRedirectTo('http://user:pw@localhost/?code=1', 'http://localhost')).toBe(false);
    expect(isRedirectTo('not a url', 'http://localhost')).toBe(false);
  });

  it('in demo follows the emulator authority by origin', () => {
    const demo = operatorSignInPolicy({ authority: 'https://localhost:44321/tenant', redirectUri: 'http://localhost' });
    expect(kind(demo, 'https://localhost:44321/tenant/oauth2/v2.0/authorize')).toBe('allow');
    expect(kind(demo, 'https://localhost:44399/tenant/oauth2/v2.0/authorize')).toBe('deny');
    expect(kind(demo, 'https://login.microsoft.com/common/fido/get')).toBe('deny');
  });
});

describe("the app's own pages", () => {
  it('stay on the app protocol', () => {
    const policy = appPagesPolicy();
    expect(kind(policy, `${APP_ORIGIN}/index.html`)).toBe('allow');
    expect(kind(policy, `${APP_ORIGIN}/index.html#/today`)).toBe('allow');
    expect(kind(policy, 'app://other/index.html')).toBe('deny');
    expect(kind(policy, 'https://mysignins.microsoft.com/')).toBe('deny');
    expect(kind(policy, 'file:///opt/TAP%20Kiosk/resources/app.asar/out/renderer/index.html')).toBe('deny');
    expect(kind(policy, 'http://localhost:5173/')).toBe('deny');
  });

  it('reach the dev server only when one is given (never in a packaged build)', () => {
    const dev = appPagesPolicy({ devServerUrl: 'http://localhost:5173' });
    expect(kind(dev, 'http://localhost:5173/')).toBe('allow');
    expect(kind(dev, 'http://localhost:5174/')).toBe('deny');
  });
});

describe('permissions', () => {
  it.each(['hid', 'usb', 'serial', 'media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'unknown'])(
    'deny %s',
    (permission) => {
      expect(decidePermission(permission, 'https://mysignins.microsoft.com')).toBe(false);
    },
  );
});

describe("the app pages' CSP", () => {
  const directives = new Map(APP_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)] as const));
  it('runs only script from the app itself: no inline, no eval, no remote', () => {
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(APP_CSP).not.toContain('unsafe-eval');
    expect(directives.get('script-src')).not.toContain("'unsafe-inline'");
  });
  it('connects to nothing but the app protocol and is never framed', () => {
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
  });
});
