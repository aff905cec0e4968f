// Signing keys and JWTs for the emulated identity provider; verification for the Graph slice.
import { randomUUID } from 'node:crypto';
import { type JWK, type JWTPayload, SignJWT, exportJWK, generateKeyPair, jwtVerify, createLocalJWKSet } from 'jose';
import type { EmulatorClock } from './clock';

/** Graph's resource: tokens for it carry this audience (v1 tokens use the app id URI). */
export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

export interface AccessTokenClaims extends JWTPayload {
  oid: string;
  tid: string;
  scp: string;
  wids: string[];
  upn: string;
  preferred_username: string;
  name: string;
  appid: string;
}

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export class TokenService {
  private constructor(
    private readonly privateKey: PrivateKey,
    readonly publicJwk: JWK,
    private readonly clock: EmulatorClock,
    private readonly issuerOf: () => string,
  ) {}

  static async create(clock: EmulatorClock, issuer: () => string): Promise<TokenService> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    return new TokenService(privateKey, { ...jwk, kid: randomUUID(), use: 'sig', alg: 'RS256' }, clock, issuer);
  }

  get issuer(): string {
    return this.issuerOf();
  }

  get jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  async sign(claims: JWTPayload, audience: string, lifetimeSeconds: number): Promise<string> {
    const now = Math.floor(this.clock.nowMs() / 1000);
    return new SignJWT({ ...claims, ver: '2.0' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.publicJwk.kid ?? '' })
      .setIssuer(this.issuer)
      .setAudience(audience)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + lifetimeSeconds)
      .setJti(randomUUID())
      .sign(this.privateKey);
  }

  /** Signature, issuer, audience and expiry (against the emulator's clock). Throws jose's typed errors. */
  async verifyAccessToken(token: string): Promise<AccessTokenClaims> {
    const keys = createLocalJWKSet(this.jwks);
    const { payload } = await jwtVerify(token, keys, {
      issuer: this.issuer,
      audience: [GRAPH_AUDIENCE, GRAPH_APP_ID],
      algorithms: ['RS256'],
      currentDate: this.clock.now(),
    });
    return payload as AccessTokenClaims;
  }
}
