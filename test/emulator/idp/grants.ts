// What the identity provider remembers between requests: sign-in flows waiting for credentials, browser
// sessions (SSO), authorization codes and refresh tokens. Module state, cleared on every emulator reset.
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';

/** The validated parameters of one /authorize request, carried from the sign-in page to the code. */
export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  responseMode: 'query' | 'fragment' | 'form_post';
  /** Every scope the app asked for, as sent (Graph scopes may carry the resource prefix). */
  scopes: string[];
  codeChallenge: string;
  state?: string;
  nonce?: string;
  loginHint?: string;
  /** The tenant segment the app used (id, domain name or `organizations`), for the form's action. */
  tenantSegment: string;
}

export interface PendingFlow {
  request: AuthorizeRequest;
  createdAt: number;
  /** Set when the sign-in approves a device code instead of redirecting to the app (7.6). */
  deviceCode?: string;
  /**
   * The page's passkey challenge (the real page's `sFidoChallenge`, an ASCII string whose bytes are the WebAuthn
   * challenge: idp/passkey.ts). One per flow; forgotten with the flow.
   */
  fidoChallenge: string;
}

export interface DeviceGrant {
  clientId: string;
  scopes: string[];
  userCode: string;
  expiresAt: number;
  /** Filled in when the user signs in on the verification page. */
  approval: { userId: string; authTime: number; sessionState: string } | null;
  family: string;
}

export interface BrowserSession {
  userId: string;
  authTime: number;
  /** Sent to the app as `session_state` and in the id_token as `sid`; never the cookie value itself. */
  sessionState: string;
}

export interface AuthorizationCode {
  request: AuthorizeRequest;
  userId: string;
  authTime: number;
  sessionState: string;
  expiresAt: number;
  redeemedAt: number | null;
  /** Tokens issued from this code share the family; a replayed code revokes them (RFC 6749 4.1.2). */
  family: string;
}

export interface RefreshGrant {
  clientId: string;
  userId: string;
  /** When the user signed in interactively; revokeSignInSessions invalidates grants from before it. */
  authTime: number;
  issuedAt: number;
  sessionState: string;
  family: string;
}

/** Authorization codes live about 10 minutes (entra-graph.md 7.4). */
export const CODE_LIFETIME_MS = 10 * 60_000;
/** How long the sign-in page stays valid for one /authorize request. [INF] */
export const FLOW_LIFETIME_MS = 15 * 60_000;
/** Entra refresh tokens expire after 90 days of inactivity. Each rotation starts a new 90 days. */
export const REFRESH_LIFETIME_MS = 90 * 24 * 60 * 60_000;

/** Device codes live 15 minutes (`expires_in` 900, 7.6); clients poll every 5 seconds. */
export const DEVICE_CODE_LIFETIME_MS = 15 * 60_000;
export const DEVICE_POLL_INTERVAL_S = 5;
const USER_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** Opaque, unguessable handles: 32 random bytes, base64url. */
export const opaque = (prefix = ''): string => prefix + randomBytes(32).toString('base64url');

export class GrantStore {
  readonly flows = new Map<string, PendingFlow>();
  readonly sessions = new Map<string, BrowserSession>();
  readonly codes = new Map<string, AuthorizationCode>();
  readonly refreshTokens = new Map<string, RefreshGrant>();
  readonly deviceCodes = new Map<string, DeviceGrant>();

  clear(): void {
    this.deviceCodes.clear();
    this.flows.clear();
    this.sessions.clear();
    this.codes.clear();
    this.refreshTokens.clear();
  }

  /** Forgets what can no longer be used, so a long-running demo does not grow without bound. */
  prune(now: number): void {
    for (const [k, f] of this.flows) if (now - f.createdAt > FLOW_LIFETIME_MS) this.flows.delete(k);
    // Redeemed and expired codes are kept an hour, so a replay still gets "already redeemed".
    for (const [k, c] of this.codes) if (now > c.expiresAt + 60 * 60_000) this.codes.delete(k);
    for (const [k, r] of this.refreshTokens) if (now - r.issuedAt >= REFRESH_LIFETIME_MS) this.refreshTokens.delete(k);
    for (const [k, d] of this.deviceCodes) if (now > d.expiresAt + 60 * 60_000) this.deviceCodes.delete(k);
  }

  startFlow(request: AuthorizeRequest, now: number, deviceCode?: string): string {
    this.prune(now);
    const token = opaque();
    this.flows.set(token, { request, createdAt: now, fidoChallenge: randomBytes(32).toString('base64url'), ...(deviceCode ? { deviceCode } : {}) });
    return token;
  }

  startDeviceCode(clientId: string, scopes: string[], now: number): { deviceCode: string; grant: DeviceGrant } {
    this.prune(now);
    const deviceCode = opaque('DAQABAAEAAA.emu.');
    let userCode = '';
    do userCode = Array.from({ length: 9 }, () => USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)]).join('');
    while ([...this.deviceCodes.values()].some((d) => d.userCode === userCode));
    const grant: DeviceGrant = { clientId, scopes, userCode, expiresAt: now + DEVICE_CODE_LIFETIME_MS, approval: null, family: randomUUID() };
    this.deviceCodes.set(deviceCode, grant);
    return { deviceCode, grant };
  }

  findByUserCode(userCode: string): [string, DeviceGrant] | undefined {
    const wanted = userCode.trim().toUpperCase();
    return [...this.deviceCodes.entries()].find(([, d]) => d.userCode === wanted);
  }

  startSession(userId: string, now: number): { cookie: string; session: BrowserSession } {
    const cookie = opaque();
    const session = { userId, authTime: now, sessionState: randomUUID() };
    this.sessions.set(cookie, session);
    return { cookie, session };
  }

  issueCode(request: AuthorizeRequest, session: BrowserSession, now: number): string {
    const code = opaque('0.emu.');
    this.codes.set(code, {
      request,
      userId: session.userId,
      authTime: session.authTime,
      sessionState: session.sessionState,
      expiresAt: now + CODE_LIFETIME_MS,
      redeemedAt: null,
      family: randomUUID(),
    });
    return code;
  }

  issueRefreshToken(grant: Omit<RefreshGrant, 'issuedAt'>, now: number): string {
    const token = opaque('1.emu.');
    this.refreshTokens.set(token, { ...grant, issuedAt: now });
    return token;
  }

  revokeFamily(family: string): void {
    for (const [token, grant] of this.refreshTokens) if (grant.family === family) this.refreshTokens.delete(token);
  }
}

/** RFC 7636 S256: BASE64URL(SHA256(ASCII(code_verifier))). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
