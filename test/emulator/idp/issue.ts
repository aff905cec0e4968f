// Scopes and the tokens the identity provider hands out: a Graph access token, an id_token and client_info
// (entra-graph.md 7.1 account fields, 7.5 response).
import { createHash } from 'node:crypto';
import type { EmulatorContext } from '../context';
import { OAuthError } from '../errors';
import type { Seed, UserRecord } from '../model';
import { GRAPH_AUDIENCE } from '../tokens';

export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;
const GRAPH_PREFIXES = [`${GRAPH_AUDIENCE}/`, '00000003-0000-0000-c000-000000000000/'];

/** Access tokens live an hour; MSAL is told a second less so it never holds an expired one. */
export const ACCESS_TOKEN_LIFETIME_S = 3600;
export const ID_TOKEN_LIFETIME_S = 3600;

export type Client = Seed['clients'][number];

export function findClient(ctx: EmulatorContext, clientId: string): Client | undefined {
  return ctx.state.seed.clients.find((c) => c.clientId.toLowerCase() === clientId.toLowerCase());
}

export const unknownClient = (ctx: EmulatorContext, clientId: string) =>
  new OAuthError(
    'unauthorized_client',
    700016,
    `Application with identifier '${clientId}' was not found in the directory '${ctx.state.seed.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  );

export const splitScopes = (scope: string | undefined): string[] => (scope ?? '').split(/\s+/).filter(Boolean);

export interface ScopeGrant {
  /** Graph permissions for `scp`, without the resource prefix: requested ∩ consented for the app. */
  graph: string[];
  /** The OIDC scopes that were asked for (decide id_token and refresh_token). */
  oidc: Set<string>;
}

/**
 * What a scope string grants. Bare scopes and `https://graph.microsoft.com/...` both mean Graph, as in Entra;
 * `/.default` means everything consented. A scope for any other resource is refused (AADSTS500011). When no
 * Graph scope is asked for, Entra still issues a Graph token for User.Read; so do we, if it is consented.
 */
export function grantScopes(client: Client, requested: readonly string[], options: { refuseUnconsented?: boolean } = {}): ScopeGrant {
  const oidc = new Set<string>();
  const wanted = new Set<string>();
  let graphAsked = false;
  for (const raw of requested) {
    const lower = raw.toLowerCase();
    if ((OIDC_SCOPES as readonly string[]).includes(lower)) {
      oidc.add(lower);
      continue;
    }
    const prefix = GRAPH_PREFIXES.find((p) => lower.startsWith(p.toLowerCase()));
    if (!prefix && raw.includes('/')) {
      const resource = raw.slice(0, raw.lastIndexOf('/'));
      throw new OAuthError(
        'invalid_resource',
        500011,
        `The resource principal named ${resource} was not found in the tenant named ${client.displayName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      );
    }
    graphAsked = true;
    const name = prefix ? raw.slice(prefix.length) : raw;
    if (name.toLowerCase() === '.default') for (const s of client.delegatedScopes) wanted.add(s.toLowerCase());
    else wanted.add(name.toLowerCase());
  }
  if (!graphAsked) wanted.add('user.read');
  const graph = client.delegatedScopes.filter((s) => wanted.has(s.toLowerCase()));
  if (options.refuseUnconsented && graph.length < wanted.size) {
    // A silent (refresh token) request for a permission nobody consented: Entra cannot ask the user here and
    // answers invalid_grant AADSTS65001 (body as in AzureAD/azure-activedirectory-library-for-python#37: "AADSTS65001:
    // The user or administrator has not consented to use the application with ID '…'. Send an interactive
    // authorization request for this user and resource."; today's text also names the app). The suberror
    // `consent_required` is what MSAL reads as "interaction required" (msal-common InteractionRequiredAuthError).
    throw new OAuthError(
      'invalid_grant',
      65001,
      `The user or administrator has not consented to use the application with ID '${client.clientId}' named '${client.displayName}'. Send an interactive authorization request for this user and resource.`,
      'consent_required',
    );
  }
  return { graph, oidc };
}

/** The `scope` of a token response: the Graph scopes with their resource, plus the OIDC scopes granted. */
export function responseScope(grant: ScopeGrant): string {
  const oidc = ['openid', 'profile', 'email'].filter((s) => grant.oidc.has(s));
  return [...grant.graph.map((s) => `${GRAPH_AUDIENCE}/${s}`), ...oidc].join(' ');
}

/** base64url of `{"uid":"<oid>","utid":"<tid>"}`: MSAL builds homeAccountId from it. */
export function clientInfo(ctx: EmulatorContext, user: UserRecord): string {
  return Buffer.from(JSON.stringify({ uid: user.id, utid: ctx.state.tenantId })).toString('base64url');
}

/** Entra's `sub` is pairwise: stable per user and app, different across apps. */
export function pairwiseSub(user: UserRecord, clientId: string): string {
  return createHash('sha256').update(`${user.id}|${clientId.toLowerCase()}`).digest('base64url').slice(0, 43);
}

export async function graphAccessToken(ctx: EmulatorContext, user: UserRecord, client: Client, grant: ScopeGrant): Promise<string> {
  return ctx.tokens.sign(
    {
      oid: user.id,
      sub: pairwiseSub(user, GRAPH_AUDIENCE),
      tid: ctx.state.tenantId,
      scp: grant.graph.join(' '),
      wids: ctx.state.rolesOf(user),
      upn: user.userPrincipalName,
      preferred_username: user.userPrincipalName,
      unique_name: user.userPrincipalName,
      name: user.displayName,
      ...(user.givenName ? { given_name: user.givenName } : {}),
      ...(user.surname ? { family_name: user.surname } : {}),
      appid: client.clientId,
      azp: client.clientId,
      app_displayname: client.displayName,
      idtyp: 'user',
      amr: ['pwd'],
    },
    GRAPH_AUDIENCE,
    ACCESS_TOKEN_LIFETIME_S,
  );
}

export async function idToken(
  ctx: EmulatorContext,
  user: UserRecord,
  client: Client,
  extra: { nonce?: string; sessionState: string; authTime: number; email: boolean },
): Promise<string> {
  return ctx.tokens.sign(
    {
      oid: user.id,
      sub: pairwiseSub(user, client.clientId),
      tid: ctx.state.tenantId,
      preferred_username: user.userPrincipalName,
      name: user.displayName,
      ...(extra.email && user.mail ? { email: user.mail } : {}),
      ...(extra.nonce !== undefined ? { nonce: extra.nonce } : {}),
      sid: extra.sessionState,
      auth_time: Math.floor(extra.authTime / 1000),
    },
    client.clientId,
    ID_TOKEN_LIFETIME_S,
  );
}
