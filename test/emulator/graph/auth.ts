// Every Graph request is authorised by its access token: signature, issuer, audience, expiry, then the caller's
// scopes and active roles (entra-graph.md 8.1).
import type { FastifyRequest } from 'fastify';
import { errors as joseErrors } from 'jose';
import type { EmulatorContext } from '../context';
import { GraphError } from '../errors';
import type { UserRecord } from '../model';

export interface Caller {
  user: UserRecord;
  scopes: Set<string>;
  /** roleTemplateIds from the token's `wids` claim. */
  roles: string[];
  clientId: string;
}

const invalidToken = (message: string) => new GraphError(401, 'InvalidAuthenticationToken', message);

export async function authenticate(req: FastifyRequest, ctx: EmulatorContext): Promise<Caller> {
  const header = req.headers.authorization;
  if (!header) throw invalidToken('Access token is empty.');
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m?.[1]) throw invalidToken('Access token is empty.');
  let claims;
  try {
    claims = await ctx.tokens.verifyAccessToken(m[1]);
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired) throw invalidToken('Lifetime validation failed, the token is expired.');
    if (e instanceof joseErrors.JWTClaimValidationFailed && e.claim === 'aud') throw invalidToken('Access token validation failure. Invalid audience.');
    if (e instanceof joseErrors.JWTClaimValidationFailed && e.claim === 'iss') throw invalidToken('Access token validation failure. Invalid issuer.');
    if (e instanceof joseErrors.JWSSignatureVerificationFailed) throw invalidToken('Access token validation failure. Invalid signature.');
    throw invalidToken('Access token validation failure.');
  }
  if (claims.tid !== ctx.state.tenantId) throw invalidToken('Access token validation failure. Invalid tenant.');
  const user = ctx.state.users.get(claims.oid);
  if (!user || !user.accountEnabled) throw invalidToken('Access token validation failure. The user account is disabled or deleted.');
  return {
    user,
    scopes: new Set(
      String(claims.scp ?? '')
        .split(' ')
        .filter(Boolean),
    ),
    roles: Array.isArray(claims.wids) ? claims.wids : [],
    clientId: claims.appid,
  };
}

export function hasAnyScope(caller: Caller, scopes: readonly string[]): boolean {
  return scopes.some((s) => caller.scopes.has(s));
}
