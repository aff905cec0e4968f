/**
 * Where each of the kiosk's web contents may go, which permissions they get, and the CSP of the app's own
 * pages. Pure: no `electron` import, so every rule is unit-tested in plain Node (test/kiosk/). The Electron
 * glue beside this file (main-window.ts, security-info-view.ts, signin-window.ts) only asks these functions.
 *
 * Three web contents, three policies:
 * - **My Security Info view** (`securityInfoPolicy`): top-level and frame navigations only over https to the
 *   Microsoft sign-in host and the My Security Info host. Researched list (see `SECURITY_INFO_HOSTS`):
 *   `mysignins.microsoft.com` (the page; `https://aka.ms/mysecurityinfo` redirects to
 *   `https://mysignins.microsoft.com/security-info`, so the configuration names the target and aka.ms itself is
 *   not allowed), `login.microsoftonline.com` (sign-in with the TAP, and the hidden token-renewal frames MSAL.js
 *   opens) and `login.microsoft.com` (the alternate sign-in host Entra redirects through). Plus the hosts the
 *   configuration names for sovereign clouds (authority and My Security Info), and in demo mode the emulator's
 *   exact origins (scheme + host + port), never "any localhost".
 *   Deliberately NOT allowed: `autologon.microsoftazuread-sso.com` (Seamless SSO would sign the user in as the
 *   station's Windows account), `device.login.microsoftonline.com` (device registration), `login.live.com`
 *   (personal Microsoft accounts), federation servers (a federated tenant's users sign in with the TAP on
 *   Entra, not at AD FS). Sub-resources (scripts, styles, images from `aadcdn.msftauth.net`,
 *   `aadcdn.msauth.net`, `logincdn.msauth.net`) are not navigations and are not governed here.
 * - **Operator sign-in window** (`operatorSignInPolicy`): the configured authority's origin, the Microsoft hosts an
 *   operator's sign-in passes through for that cloud (see `OPERATOR_SIGN_IN_HOSTS`: the passkey hop to
 *   `login.microsoft.com/common/fido/get`, certificate sign-in on `certauth.` and `t<tenant id>.certauth.`), and
 *   exactly the federation hosts the configuration names (`federationHosts`: a federated domain's own IdP, e.g.
 *   AD FS). A navigation to the MSAL redirect URI is not allowed but *intercepted* (the window takes the URL and
 *   closes).
 * - **App pages** (`appPagesPolicy`): the app protocol's origin only (plus the dev server in development).
 *
 * Everywhere: `file:`, `javascript:`, `data:`, `blob:` and any URL with a user name or password are refused;
 * new windows, downloads and every Electron permission are denied (see `decidePermission`).
 */

/** The custom scheme and host the app's own pages are served from (app-protocol.ts). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'kiosk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Hosts My Security Info navigates through in the public cloud (researched; keep this list tight). */
export const SECURITY_INFO_HOSTS: readonly string[] = ['mysignins.microsoft.com', 'login.microsoftonline.com', 'login.microsoft.com'];

/** Schemes no kiosk web contents may ever navigate to. */
export const FORBIDDEN_SCHEMES: readonly string[] = ['file:', 'javascript:', 'data:', 'blob:', 'about:', 'chrome:', 'devtools:', 'view-source:'];

export type NavigationVerdict =
  | { kind: 'allow' }
  /** The URL is the OAuth redirect: do not load it; hand it to the code that waits for it. */
  | { kind: 'intercept' }
  | { kind: 'deny'; reason: string };

export interface NavigationPolicy {
  /** For messages and logs: which web contents this policy guards. */
  readonly name: string;
  decide(url: string): NavigationVerdict;
}

const deny = (reason: string): NavigationVerdict => ({ kind: 'deny', reason });
const ALLOW: NavigationVerdict = { kind: 'allow' };

/** Parses and refuses the URLs no policy accepts. Returns the URL or a denial. */
function screen(url: string): URL | NavigationVerdict {
  if (!URL.canParse(url)) return deny('not a URL');
  const parsed = new URL(url);
  if (FORBIDDEN_SCHEMES.includes(parsed.protocol)) return deny(`${parsed.protocol} navigations are never allowed`);
  if (parsed.username !== '' || parsed.password !== '') return deny('URLs with a user name or password are never allowed');
  return parsed;
}

/** The origin of a URL given in configuration, or a thrown error naming what is wrong (a programming error). */
function originOf(url: string, what: string): string {
  if (!URL.canParse(url)) throw new TypeError(`${what} is not a URL`);
  const origin = new URL(url).origin;
  if (origin === 'null') throw new TypeError(`${what} has no origin`);
  return origin;
}

export interface SecurityInfoPolicyOptions {
  /** The configured authority, e.g. https://login.microsoftonline.com/<tenant>. Its host is allowed over https. */
  authority: string;
  /** The configured My Security Info URL, e.g. https://mysignins.microsoft.com/security-info. */
  mySecurityInfoUrl: string;
  /** Demo mode: the emulator's origins are allowed exactly (the configured URLs then point at the emulator). */
  demo: boolean;
}

export function securityInfoPolicy(options: SecurityInfoPolicyOptions): NavigationPolicy {
  const httpsHosts = new Set(SECURITY_INFO_HOSTS);
  const exactOrigins = new Set<string>();
  for (const [url, what] of [
    [options.authority, 'authority'],
    [options.mySecurityInfoUrl, 'mySecurityInfoUrl'],
  ] as const) {
    const parsed = new URL(originOf(url, what));
    if (options.demo) exactOrigins.add(parsed.origin);
    else if (parsed.protocol === 'https:') httpsHosts.add(parsed.hostname);
  }
  return {
    name: 'My Security Info view',
    decide(url) {
      const parsed = screen(url);
      if (!(parsed instanceof URL)) return parsed;
      if (exactOrigins.has(parsed.origin)) return ALLOW;
      if (parsed.protocol !== 'https:') return deny('only https is allowed');
      if (parsed.port !== '') return deny('only the default https port is allowed');
      if (httpsHosts.has(parsed.hostname)) return ALLOW;
      return deny(`${parsed.hostname} is not a Microsoft sign-in or My Security Info host`);
    },
  };
}

/**
 * Hosts an operator's sign-in passes through besides the authority's own, by the authority's host (https, default
 * port only). Sources:
 * - passkey / security key: the sign-in page posts to `https://login.microsoft.com/common/fido/get`, where the
 *   WebAuthn get runs with RP id `login.microsoft.com` (the project's reference, docs/reference/entra-graph.md §0;
 *   public passkey sign-in scripts, e.g. gist haxibami/b77832478ade0e921083ca95bfe6b0ce).
 * - certificate-based authentication: "the client is redirected to the certauth endpoint, which is
 *   https://certauth.login.microsoftonline.com or https://t<tenant id>.certauth.login.microsoftonline.com for
 *   Azure Global. For Azure Government, … https://certauth.login.microsoftonline.us" (Microsoft Learn,
 *   concept-certificate-based-authentication-technical-deep-dive, step 5).
 * No certauth host is documented for the China cloud: none is allowed there. Federated domains' IdPs are not
 * Microsoft's and are never implied: the configuration names them (`federationHosts`).
 */
export const OPERATOR_SIGN_IN_HOSTS: Readonly<Record<string, { hosts: readonly string[]; tenantCertAuthSuffix?: string }>> = {
  'login.microsoftonline.com': {
    hosts: ['login.microsoftonline.com', 'login.microsoft.com', 'certauth.login.microsoftonline.com'],
    tenantCertAuthSuffix: '.certauth.login.microsoftonline.com',
  },
  'login.microsoftonline.us': { hosts: ['login.microsoftonline.us', 'certauth.login.microsoftonline.us'] },
  'login.partner.microsoftonline.cn': { hosts: ['login.partner.microsoftonline.cn'] },
};

/** `t<tenant id>`: the tenant-specific certauth host's first label ("t" and the tenant's GUID). */
const TENANT_CERTAUTH_LABEL = /^t[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface OperatorSignInPolicyOptions {
  /** The configured authority: its origin, and the Microsoft hosts of its cloud (`OPERATOR_SIGN_IN_HOSTS`). */
  authority: string;
  /** MSAL's redirect URI: navigations to it (same origin and path) are intercepted, never loaded. */
  redirectUri: string;
  /**
   * Host names of the federated domains' own identity providers (configuration `federationHosts`, validated
   * there): allowed exactly, over https on the default port. Never a pattern.
   */
  federationHosts?: readonly string[];
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * True when `url` is the redirect URI with a query or fragment: same scheme, host and path; the same port too,
 * except on loopback, where Entra ignores the port (RFC 8252 7.3) — the rule main/operator/presenter.ts checks.
 */
export function isRedirectTo(url: string, redirectUri: string): boolean {
  if (!URL.canParse(url) || !URL.canParse(redirectUri)) return false;
  const a = new URL(url);
  const b = new URL(redirectUri);
  if (a.username !== '' || a.password !== '') return false;
  if (a.protocol !== b.protocol || a.hostname !== b.hostname || a.hostname === '') return false;
  if (a.port !== b.port && !LOOPBACK_HOSTS.has(a.hostname)) return false;
  return samePath(a.pathname, b.pathname);
}

/** `http://localhost` and `http://localhost/` are the same redirect URI to Entra and to MSAL. */
function samePath(a: string, b: string): boolean {
  const trim = (p: string) => p.replace(/\/+$/, '') || '/';
  return trim(a) === trim(b);
}

export function operatorSignInPolicy(options: OperatorSignInPolicyOptions): NavigationPolicy {
  const authorityOrigin = originOf(options.authority, 'authority');
  originOf(options.redirectUri, 'redirectUri');
  const authorityUrl = new URL(authorityOrigin);
  const authorityIsHttps = authorityUrl.protocol === 'https:';
  const cloud = OPERATOR_SIGN_IN_HOSTS[authorityUrl.hostname];
  const hosts = new Set<string>([...(cloud?.hosts ?? []), ...(options.federationHosts ?? []).map((h) => h.toLowerCase())]);
  const certAuthSuffix = cloud?.tenantCertAuthSuffix;
  return {
    name: 'operator sign-in window',
    decide(url) {
      const parsed = screen(url);
      if (!(parsed instanceof URL)) return parsed;
      if (isRedirectTo(url, options.redirectUri)) return { kind: 'intercept' };
      if (!authorityIsHttps) return deny('the authority must be https');
      if (parsed.origin === authorityOrigin) return ALLOW;
      if (parsed.protocol !== 'https:') return deny('only https is allowed');
      if (parsed.port !== '') return deny('only the default https port is allowed');
      if (hosts.has(parsed.hostname)) return ALLOW;
      if (certAuthSuffix !== undefined && parsed.hostname.endsWith(certAuthSuffix)) {
        const label = parsed.hostname.slice(0, -certAuthSuffix.length);
        if (TENANT_CERTAUTH_LABEL.test(label)) return ALLOW;
      }
      return deny(`${parsed.host} is not the sign-in authority, a Microsoft sign-in host of its cloud or a configured federation host`);
    },
  };
}

export interface AppPagesPolicyOptions {
  /** Development only: the electron-vite dev server's origin (ELECTRON_RENDERER_URL). Never in a packaged app. */
  devServerUrl?: string;
}

export function appPagesPolicy(options: AppPagesPolicyOptions = {}): NavigationPolicy {
  const origins = new Set([APP_ORIGIN]);
  if (options.devServerUrl !== undefined) origins.add(originOf(options.devServerUrl, 'devServerUrl'));
  return {
    name: 'app pages',
    decide(url) {
      const parsed = screen(url);
      if (!(parsed instanceof URL)) return parsed;
      // A custom non-special scheme has origin "null" in WHATWG URL; compare scheme + host instead.
      const origin = parsed.protocol === `${APP_SCHEME}:` ? `${APP_SCHEME}://${parsed.host}` : parsed.origin;
      if (origins.has(origin)) return ALLOW;
      return deny(`the app's own pages stay on ${APP_ORIGIN}`);
    },
  };
}

/**
 * Electron permission requests and checks: every one is denied, in every session.
 *
 * WebAuthn needs none of them. Researched for Electron 45 (electron.d.ts, `setPermissionRequestHandler` and
 * `setPermissionCheckHandler` list the permission names): there is no WebAuthn or "security key" permission.
 * `navigator.credentials.create/get` are gated by the Permissions-Policy features `publickey-credentials-create`
 * and `-get` (default allowlist 'self', which a top-level My Security Info page satisfies), not by a permission
 * request. `hid` and `usb` are WebHID and WebUSB (a page opening the device itself), which WebAuthn does not
 * use: Chromium's FIDO stack talks to the key from the browser process (on Windows through the OS WebAuthn
 * API, webauthn.dll, whose own dialog asks for the PIN). Denying `hid`/`usb` therefore keeps pages away from
 * the key's raw HID interface without affecting registration.
 * Known platform limit, not a permission: on Linux Electron has no PIN dialog for security keys
 * (electron/electron#24573), so a key that needs its PIN cannot finish a WebAuthn ceremony there; Windows,
 * the production platform, is unaffected.
 */
export function decidePermission(_permission: string, _requestingOrigin: string): false {
  return false;
}

/** The Content-Security-Policy of every response the app protocol serves (app-protocol.ts). */
export const APP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // Fluent UI v9 (Griffel) inserts its atomic CSS at run time; styles cannot run script.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  // Only the app protocol: the renderer talks to main through the preload bridge, never to the network.
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "worker-src 'none'",
  "manifest-src 'none'",
  "media-src 'none'",
].join('; ');
