// The signed-in operator's active directory roles: from Graph (entra-graph.md 5.5), or, only when that call fails,
// from the `wids` claim of the tokens. Graph is preferred because it is current and covers roles held through a
// role-assignable group; `wids` is what the identity provider knew at sign-in and may be absent entirely.
import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';

export interface ActiveRole {
  roleTemplateId: string;
  /** The directory's display name, when Graph said it. */
  displayName: string | null;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DIRECTORY_ROLE = '#microsoft.graph.directoryRole';
/** Pages are 100 entries by default; nobody holds a thousand roles. A bound, so a looping nextLink ends. */
const MAX_PAGES = 10;

/** A page of the directoryRole cast, as the operator's role reading accepts it. */
export const RolePage = z.object({
  value: z.array(
    z.looseObject({
      '@odata.type': z.string().optional(),
      roleTemplateId: z.string().regex(GUID).nullish(),
      displayName: z.string().max(256).nullish(),
    }),
  ),
  '@odata.nextLink': z.string().optional(),
});

/**
 * `GET /me/transitiveMemberOf/microsoft.graph.directoryRole` with the advanced query parameters the OData cast
 * needs (`ConsistencyLevel: eventual`, `$count=true`), every page. Only directoryRole entries count: the
 * service has been seen to ignore the cast and list groups too, so an entry is a role when its `@odata.type`
 * says so, or when it has no `@odata.type` but a `roleTemplateId` (only roles have one). A role's displayName
 * may be null (low scopes, issue 10 3m); a role without roleTemplateId makes the read fail, so that the session
 * falls back to the token's `wids`. A nextLink to another
 * origin than Graph's is not followed (the token would go with it).
 */
export async function readActiveRoles(client: Client, graphOrigin: string): Promise<ActiveRole[]> {
  const roles = new Map<string, ActiveRole>();
  let next: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const request = next === undefined ? client.api('/me/transitiveMemberOf/microsoft.graph.directoryRole').query({ $count: 'true' }) : client.api(next);
    const body: unknown = await request.header('ConsistencyLevel', 'eventual').get();
    const parsed = RolePage.parse(body);
    for (const entry of parsed.value) {
      const type = entry['@odata.type'];
      const isRole = type === DIRECTORY_ROLE || (type === undefined && entry.roleTemplateId != null);
      if (!isRole) continue;
      // A role Graph lists with "limited information" (no scope to read directory roles: only @odata.type and id,
      // other properties null) cannot be told apart from any other; the caller then falls back to `wids`.
      // A null displayName alone is fine: roles.ts names the built-in roles itself (issue 10, 3m).
      if (!entry.roleTemplateId) throw new Error('Graph listed a directory role without its roleTemplateId (limited information); not usable');
      const id = entry.roleTemplateId.toLowerCase();
      if (!roles.has(id)) roles.set(id, { roleTemplateId: id, displayName: entry.displayName ?? null });
    }
    next = parsed['@odata.nextLink'];
    if (next === undefined) return [...roles.values()];
    if (new URL(next).origin !== graphOrigin) throw new Error('Graph returned a nextLink to another origin; not followed');
  }
  throw new Error(`Graph listed more than ${MAX_PAGES} pages of directory roles; not read further`);
}

/**
 * Every user's tokens carry the built-in "User" role template in `wids`; it grants nothing here and is not a
 * directory role anyone assigned, so it is not shown.
 */
const DEFAULT_USER_ROLE = 'b79fbf4d-3ef9-4689-8143-76b194e85509';

const WidsClaim = z.object({ wids: z.array(z.string()).max(500).optional() }).loose();

/** The `wids` claim of a decoded claims object, GUIDs only; null when the claim is absent. */
export function widsFromClaims(claims: unknown): string[] | null {
  const parsed = WidsClaim.safeParse(claims);
  if (!parsed.success || !parsed.data.wids) return null;
  return [...new Set(parsed.data.wids.filter((w) => GUID.test(w)).map((w) => w.toLowerCase()))].filter((w) => w !== DEFAULT_USER_ROLE);
}

/**
 * The claims of a JWT without verifying it (the token came straight from the identity provider over TLS, and
 * this only decides what to show; Graph decides what the operator may actually do). Null when not a JWT.
 */
export function unverifiedJwtClaims(token: string): unknown {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
  } catch {
    return null;
  }
}
