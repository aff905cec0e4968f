// Tenant resolution, the OpenID Connect discovery document and the signing keys (entra-graph.md 7.1, 7.3).
import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context';
import { GraphError, OAuthError } from '../errors';

/** A tenant segment in the path: the tenant id, its domain name, or one of the multi-tenant aliases. */
export type TenantRef = { kind: 'tenant'; segment: string } | { kind: 'multi'; segment: 'organizations' | 'common' };

export function resolveTenant(ctx: EmulatorContext, segment: string): TenantRef | null {
  const s = segment.toLowerCase();
  if (s === ctx.state.tenantId || s === ctx.state.seed.domain.toLowerCase()) return { kind: 'tenant', segment };
  if (s === 'organizations' || s === 'common') return { kind: 'multi', segment: s };
  return null;
}

export const tenantNotFound = (segment: string) =>
  new OAuthError(
    'invalid_tenant',
    90002,
    `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  );

export function tenantOrThrow(ctx: EmulatorContext, segment: string): TenantRef {
  const tenant = resolveTenant(ctx, segment);
  if (!tenant) throw tenantNotFound(segment);
  return tenant;
}

/** The document a real tenant serves, with every endpoint on the emulator's origin. */
export function openIdConfiguration(ctx: EmulatorContext, tenant: TenantRef) {
  const origin = ctx.urls.origin;
  // Entra answers a domain-name authority with the tenant's id in every URL; the multi-tenant aliases keep
  // their segment in the endpoints and put the `{tenantid}` placeholder in the issuer (7.3).
  const base = `${origin}/${tenant.kind === 'tenant' ? ctx.state.tenantId : tenant.segment}`;
  const issuer = tenant.kind === 'tenant' ? ctx.urls.issuer : `${origin}/{tenantid}/v2.0`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${origin}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: [
      'sub',
      'iss',
      'cloud_instance_name',
      'cloud_instance_host_name',
      'cloud_graph_host_name',
      'msgraph_host',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'acr',
      'nonce',
      'preferred_username',
      'name',
      'tid',
      'ver',
      'at_hash',
      'c_hash',
      'email',
    ],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

export function registerDiscovery(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get<{ Params: { tenant: string } }>('/:tenant/v2.0/.well-known/openid-configuration', async (req, reply) => {
    const tenant = tenantOrThrow(ctx, req.params.tenant);
    void reply.header('Cache-Control', 'max-age=86400, private').header('Access-Control-Allow-Origin', '*');
    return openIdConfiguration(ctx, tenant);
  });
  app.get<{ Params: { tenant: string } }>('/:tenant/discovery/v2.0/keys', async (req, reply) => {
    tenantOrThrow(ctx, req.params.tenant);
    void reply.header('Cache-Control', 'max-age=86400, private').header('Access-Control-Allow-Origin', '*');
    return ctx.tokens.jwks;
  });
}

/** The OIDC userinfo endpoint the discovery document names (Graph serves it at /oidc/userinfo). */
export function registerUserInfo(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/oidc/userinfo', async (req) => {
    const m = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    if (!m?.[1]) throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    const claims = await ctx.tokens.verifyAccessToken(m[1]).catch(() => {
      throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token validation failure.');
    });
    const user = ctx.state.users.get(claims.oid);
    if (!user || !user.accountEnabled) throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token validation failure.');
    return {
      sub: claims.sub,
      name: user.displayName,
      ...(user.givenName ? { given_name: user.givenName } : {}),
      ...(user.surname ? { family_name: user.surname } : {}),
      ...(user.mail ? { email: user.mail } : {}),
      picture: `${ctx.urls.graph}/me/photo/$value`,
    };
  });
}
