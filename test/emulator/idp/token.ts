// /oauth2/v2.0/token: the authorization_code grant with PKCE and the refresh_token grant (entra-graph.md 7.5).
// Errors are OAuthErrors, rendered by the core as `{error, error_description: "AADSTS…", error_codes, …}`.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context';
import { OAuthError } from '../errors';
import type { UserRecord } from '../model';
import { tenantOrThrow } from './discovery';
import { REFRESH_LIFETIME_MS, s256, type GrantStore } from './grants';
import {
  ACCESS_TOKEN_LIFETIME_S,
  type Client,
  clientInfo,
  findClient,
  grantScopes,
  graphAccessToken,
  idToken,
  responseScope,
  splitScopes,
  unknownClient,
} from './issue';

const field = z.string().min(1);
// Unknown fields (client_info, x-client-*, x-ms-lib-capability, telemetry, client-request-id …) are dropped.
const AuthCodeGrant = z.object({
  grant_type: z.literal('authorization_code'),
  client_id: field,
  code: field,
  redirect_uri: field,
  code_verifier: field,
  scope: z.string().optional(),
});
const RefreshGrant = z.object({
  grant_type: z.literal('refresh_token'),
  client_id: field,
  refresh_token: field,
  scope: field,
});

const DeviceGrant = z.object({
  grant_type: z.enum(['device_code', 'urn:ietf:params:oauth:grant-type:device_code']),
  client_id: field,
  device_code: field,
});

const malformed = () => new OAuthError('invalid_request', 9002313, 'Invalid request. Request is malformed or invalid.');
const malformedGrant = () => new OAuthError('invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
const wrongClient = () => new OAuthError('invalid_grant', 70000, 'Provided grant is invalid or malformed.');

function parse<S extends z.ZodType>(schema: S, body: Record<string, unknown>): z.infer<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const name = typeof issue?.path[0] === 'string' ? issue.path[0] : undefined;
  if (name && (body[name] === undefined || body[name] === '')) {
    throw new OAuthError('invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`);
  }
  throw malformed();
}

const sameString = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** MSAL sends the fields it knows; anything repeated is malformed. */
function formBody(req: FastifyRequest): Record<string, string> {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/x-www-form-urlencoded\b/i.test(type) || typeof req.body !== 'object' || req.body === null) {
    throw new OAuthError('invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.body as Record<string, unknown>)) {
    if (typeof v !== 'string') throw malformed();
    out[k] = v;
  }
  return out;
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

/** Refresh is refused once the user is disabled or their sessions were revoked; MSAL then asks for interaction. */
function assertGrantStillValid(user: UserRecord | undefined, authTime: number) {
  if (!user) throw new OAuthError('invalid_grant', 50034, 'The user account does not exist in the directory.', 'bad_token');
  if (!user.accountEnabled) throw new OAuthError('invalid_grant', 50057, 'The user account is disabled.', 'bad_token');
  const validFrom = user.signInSessionsValidFromDateTime.getTime();
  if (authTime <= validFrom) {
    throw new OAuthError(
      'invalid_grant',
      50173,
      `The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '${isoSeconds(authTime)}' and the TokensValidFrom date (before which tokens are not valid) for this user is '${isoSeconds(validFrom)}'.`,
      'bad_token',
    );
  }
}

export function registerToken(app: FastifyInstance, ctx: EmulatorContext, grants: GrantStore): void {
  async function respond(
    reply: FastifyReply,
    client: Client,
    user: UserRecord,
    requested: string[],
    session: { authTime: number; sessionState: string; family: string; nonce?: string },
    grant: { refuseUnconsented?: boolean } = {},
  ) {
    const scopes = grantScopes(client, requested, grant);
    const now = ctx.clock.nowMs();
    const body: Record<string, string | number> = {
      token_type: 'Bearer',
      scope: responseScope(scopes),
      expires_in: ACCESS_TOKEN_LIFETIME_S - 1,
      ext_expires_in: ACCESS_TOKEN_LIFETIME_S - 1,
      access_token: await graphAccessToken(ctx, user, client, scopes),
    };
    if (scopes.oidc.has('offline_access')) {
      body.refresh_token = grants.issueRefreshToken(
        { clientId: client.clientId, userId: user.id, authTime: session.authTime, sessionState: session.sessionState, family: session.family },
        now,
      );
    }
    if (scopes.oidc.has('openid')) {
      body.id_token = await idToken(ctx, user, client, {
        ...(session.nonce !== undefined ? { nonce: session.nonce } : {}),
        sessionState: session.sessionState,
        authTime: session.authTime,
        email: scopes.oidc.has('email'),
      });
    }
    body.client_info = clientInfo(ctx, user);
    return reply.header('Cache-Control', 'no-store, no-cache').header('Pragma', 'no-cache').send(body);
  }

  async function redeemCode(reply: FastifyReply, form: Record<string, string>) {
    const g = parse(AuthCodeGrant, form);
    const client = findClient(ctx, g.client_id);
    if (!client) throw unknownClient(ctx, g.client_id);
    const entry = grants.codes.get(g.code);
    if (!entry) throw malformedGrant();
    const now = ctx.clock.nowMs();
    if (entry.redeemedAt !== null) {
      // A replayed code also revokes what it bought (RFC 6749 4.1.2).
      grants.revokeFamily(entry.family);
      throw new OAuthError(
        'invalid_grant',
        54005,
        'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
      );
    }
    if (now >= entry.expiresAt) {
      throw new OAuthError(
        'invalid_grant',
        70008,
        'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
      );
    }
    if (entry.request.clientId !== client.clientId) throw wrongClient();
    // Any redemption attempt by the right client uses the code up, so a verifier cannot be guessed.
    entry.redeemedAt = now;
    if (g.redirect_uri !== entry.request.redirectUri) {
      throw new OAuthError(
        'invalid_grant',
        50011,
        `The reply address '${g.redirect_uri}' does not match the reply address '${entry.request.redirectUri}' provided when requesting Authorization code.`,
      );
    }
    if (!sameString(s256(g.code_verifier), entry.request.codeChallenge)) {
      throw new OAuthError('invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.');
    }
    const user = ctx.state.users.get(entry.userId);
    assertGrantStillValid(user, entry.authTime);
    // Entra issues what the authorization asked for; a `scope` sent here narrows nothing. [INF]
    return respond(reply, client, user!, entry.request.scopes, {
      authTime: entry.authTime,
      sessionState: entry.sessionState,
      family: entry.family,
      ...(entry.request.nonce !== undefined ? { nonce: entry.request.nonce } : {}),
    });
  }

  async function refresh(reply: FastifyReply, form: Record<string, string>) {
    const g = parse(RefreshGrant, form);
    const client = findClient(ctx, g.client_id);
    if (!client) throw unknownClient(ctx, g.client_id);
    const entry = grants.refreshTokens.get(g.refresh_token);
    if (!entry) throw malformedGrant();
    if (entry.clientId !== client.clientId) throw wrongClient();
    const now = ctx.clock.nowMs();
    if (now - entry.issuedAt >= REFRESH_LIFETIME_MS) {
      grants.refreshTokens.delete(g.refresh_token);
      throw new OAuthError(
        'invalid_grant',
        700082,
        `The refresh token has expired due to inactivity. The token was issued on ${isoSeconds(entry.issuedAt)} and was inactive for 90.00:00:00.`,
        'bad_token',
      );
    }
    const user = ctx.state.users.get(entry.userId);
    assertGrantStillValid(user, entry.authTime);
    // Rotation: a new refresh token every time; the old one stays valid until it expires or is revoked,
    // as Entra's do (it does not invalidate a refresh token on use).
    return respond(
      reply,
      client,
      user!,
      splitScopes(g.scope),
      { authTime: entry.authTime, sessionState: entry.sessionState, family: entry.family },
      { refuseUnconsented: true },
    );
  }

  /** Polled by the device until the user signs in on the verification page; then redeemable once. */
  async function redeemDeviceCode(reply: FastifyReply, form: Record<string, string>) {
    const g = parse(DeviceGrant, form);
    const client = findClient(ctx, g.client_id);
    if (!client) throw unknownClient(ctx, g.client_id);
    const entry = grants.deviceCodes.get(g.device_code);
    if (!entry || entry.clientId !== client.clientId) {
      throw new OAuthError('bad_verification_code', 70019, "The provided value for the input parameter 'device_code' is not valid.");
    }
    if (ctx.clock.nowMs() >= entry.expiresAt) {
      throw new OAuthError('expired_token', 70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired.");
    }
    if (!entry.approval) throw new OAuthError('authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.');
    grants.deviceCodes.delete(g.device_code);
    const user = ctx.state.users.get(entry.approval.userId);
    assertGrantStillValid(user, entry.approval.authTime);
    return respond(reply, client, user!, entry.scopes, { authTime: entry.approval.authTime, sessionState: entry.approval.sessionState, family: entry.family });
  }

  app.post<{ Params: { tenant: string } }>('/:tenant/oauth2/v2.0/token', async (req, reply) => {
    tenantOrThrow(ctx, req.params.tenant);
    const form = formBody(req);
    const grantType = form.grant_type;
    if (!grantType) throw new OAuthError('invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
    if (grantType === 'authorization_code') return redeemCode(reply, form);
    if (grantType === 'refresh_token') return refresh(reply, form);
    // Entra documents the URN; msal-node sends plain `device_code` (7.5). Both are accepted.
    if (grantType === 'device_code' || grantType === 'urn:ietf:params:oauth:grant-type:device_code') return redeemDeviceCode(reply, form);
    throw new OAuthError('unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);
  });
}
