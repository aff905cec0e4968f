// A user's memberships (entra-graph.md 5.5): memberOf and transitiveMemberOf as a mixed directoryObject
// collection of groups and active directory roles, and the caller's directory roles (transitiveMemberOf cast to
// directoryRole). Paged and queried by the generic engine (odata-collection.ts).
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context';
import { authorizationDenied } from '../errors';
import { ROLE_NAMES, Role, type UserRecord } from '../model';
import { hasAnyScope, type Caller } from './auth';
import { asSeenBy } from './limited-info';
import { isAdvanced, readQuery, sendCollection, shapeGeneric } from './odata-collection';
import { A, D, schema } from './odata-schema';
import { MEMBERSHIP_READ_OTHERS, USER_READ_SELF, userTargets, type IdParams } from './user-access';

interface DirectoryRole {
  '@odata.type': '#microsoft.graph.directoryRole';
  id: string;
  deletedDateTime: null;
  description: string;
  displayName: string;
  roleTemplateId: string;
}

const ROLE = schema<DirectoryRole>('DirectoryRole', [
  { name: 'id', type: 'string', get: (r) => r.id, filter: { eq: D } },
  { name: 'deletedDateTime', type: 'dateTime', get: () => null },
  { name: 'description', type: 'string', get: (r) => r.description, filter: { eq: A, startsWith: A, eqNull: A }, search: 'tokenized' },
  { name: 'displayName', type: 'string', get: (r) => r.displayName, filter: { eq: D, startsWith: A, eqNull: A }, search: 'tokenized', orderBy: A },
  { name: 'roleTemplateId', type: 'string', get: (r) => r.roleTemplateId, filter: { eq: D } },
]);

/** Built-in role descriptions (entra-docs permissions-reference.md), for the directoryRole objects. */
const ROLE_DESCRIPTIONS: Record<string, string> = {
  [Role.GlobalAdministrator]: 'Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.',
  [Role.PrivilegedAuthenticationAdministrator]: 'Can access to view, set and reset authentication method information for any user (admin or non-admin).',
  [Role.AuthenticationAdministrator]: 'Can access to view, set and reset authentication method information for any non-admin user.',
  [Role.AuthenticationPolicyAdministrator]:
    'Can create and manage the authentication methods policy, tenant-wide MFA settings, password protection policy, and verifiable credentials.',
  [Role.GlobalReader]: 'Can read everything that a Global Administrator can, but not update anything.',
  [Role.PrivilegedRoleAdministrator]: 'Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.',
  [Role.UserAdministrator]: 'Can manage all aspects of users and groups, including resetting passwords for limited admins.',
  [Role.HelpdeskAdministrator]: 'Can reset passwords for non-administrators and Helpdesk Administrators.',
};

/** A directoryRole's object id differs from its template id and is stable for the tenant. */
export function directoryRoleObjectId(tenantId: string, roleTemplateId: string): string {
  const h = createHash('sha256').update(`directoryRole:${tenantId}:${roleTemplateId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16] ?? '8', 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function directoryRole(ctx: EmulatorContext, roleTemplateId: string): DirectoryRole {
  return {
    '@odata.type': '#microsoft.graph.directoryRole',
    id: directoryRoleObjectId(ctx.state.tenantId, roleTemplateId),
    deletedDateTime: null,
    description: ROLE_DESCRIPTIONS[roleTemplateId] ?? '',
    displayName: ROLE_NAMES[roleTemplateId] ?? roleTemplateId,
    roleTemplateId,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Memberships: groups and active directory roles.

function groupObject(g: { id: string; displayName: string; isAssignableToRole: boolean }) {
  return {
    '@odata.type': '#microsoft.graph.group',
    id: g.id,
    deletedDateTime: null,
    displayName: g.displayName,
    isAssignableToRole: g.isAssignableToRole,
    mailEnabled: false,
    securityEnabled: true,
    groupTypes: [] as string[],
  };
}

type Membership = ReturnType<typeof groupObject> | DirectoryRole;

function memberships(ctx: EmulatorContext, user: UserRecord, transitive: boolean): Membership[] {
  const groups = ctx.state.groupsOf(user).map(groupObject);
  const roleIds = transitive ? ctx.state.rolesOf(user) : user.roles;
  return [...groups, ...roleIds.map((r) => directoryRole(ctx, r))];
}

/** A mixed collection: $select may name a property of either type; an object without it leaves it out. */
const field = (name: string) => (m: Membership) => (m as unknown as Record<string, unknown>)[name];
const MEMBER = schema<Membership>('DirectoryObject', [
  { name: 'id', type: 'string', get: (m) => m.id, filter: { eq: D } },
  { name: 'displayName', type: 'string', get: (m) => m.displayName, filter: { eq: D, startsWith: D }, search: 'tokenized', orderBy: A },
  { name: 'deletedDateTime', type: 'dateTime', get: field('deletedDateTime') },
  { name: 'description', type: 'string', get: field('description') },
  { name: 'roleTemplateId', type: 'string', get: field('roleTemplateId'), filter: { eq: D } },
  { name: 'isAssignableToRole', type: 'boolean', get: field('isAssignableToRole') },
  { name: 'mailEnabled', type: 'boolean', get: field('mailEnabled') },
  { name: 'securityEnabled', type: 'boolean', get: field('securityEnabled') },
  { name: 'groupTypes', type: 'strings', get: field('groupTypes') },
]);

async function rolesOf(ctx: EmulatorContext, req: FastifyRequest, caller: Caller, target: UserRecord) {
  if (caller.user.id === target.id ? !hasAnyScope(caller, [...USER_READ_SELF, ...MEMBERSHIP_READ_OTHERS]) : !hasAnyScope(caller, MEMBERSHIP_READ_OTHERS)) {
    throw authorizationDenied();
  }
  const q = readQuery(req);
  const path = req.url.split('?')[0]?.replace(/^\/(v1\.0|beta)/, '') ?? '';
  // The OData cast needs the advanced query parameters (user-list-transitivememberof.md). Without them the
  // service has been seen to ignore the cast and list every membership (microsoft-graph-docs#17604), so a
  // client that reads only `@odata.type == directoryRole` entries stays correct either way.
  if (isAdvanced(q)) {
    const roles = ctx.state.rolesOf(target).map((r) => directoryRole(ctx, r));
    return sendCollection(ctx, req, roles, ROLE, q, path, 'directoryRoles', (r, p) =>
      shapeGeneric(asSeenBy(caller, r) as DirectoryRole & Record<string, unknown>, p),
    );
  }
  return sendCollection(ctx, req, memberships(ctx, target, true), MEMBER, q, path, 'directoryObjects', (m, p) =>
    shapeGeneric(asSeenBy(caller, m) as Membership & Record<string, unknown>, p),
  );
}

async function membersOf(ctx: EmulatorContext, req: FastifyRequest, caller: Caller, target: UserRecord, transitive: boolean) {
  if (caller.user.id === target.id ? !hasAnyScope(caller, [...USER_READ_SELF, ...MEMBERSHIP_READ_OTHERS]) : !hasAnyScope(caller, MEMBERSHIP_READ_OTHERS)) {
    throw authorizationDenied();
  }
  const q = readQuery(req);
  const path = req.url.split('?')[0]?.replace(/^\/(v1\.0|beta)/, '') ?? '';
  return sendCollection(ctx, req, memberships(ctx, target, transitive), MEMBER, q, path, 'directoryObjects', (m, p) =>
    shapeGeneric(asSeenBy(caller, m) as Membership & Record<string, unknown>, p),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Routes.

export function registerMemberships(app: FastifyInstance, ctx: EmulatorContext): void {
  const { me, them } = userTargets(ctx);

  app.get('/me/transitiveMemberOf/microsoft.graph.directoryRole', async (req) => {
    const { caller, target } = await me(req);
    return rolesOf(ctx, req, caller, target);
  });
  app.get<IdParams>('/users/:id/transitiveMemberOf/microsoft.graph.directoryRole', async (req) => {
    const { caller, target } = await them(req);
    return rolesOf(ctx, req, caller, target);
  });
  app.get('/me/memberOf', async (req) => {
    const { caller, target } = await me(req);
    return membersOf(ctx, req, caller, target, false);
  });
  app.get<IdParams>('/users/:id/memberOf', async (req) => {
    const { caller, target } = await them(req);
    return membersOf(ctx, req, caller, target, false);
  });
  app.get('/me/transitiveMemberOf', async (req) => {
    const { caller, target } = await me(req);
    return membersOf(ctx, req, caller, target, true);
  });
  app.get<IdParams>('/users/:id/transitiveMemberOf', async (req) => {
    const { caller, target } = await them(req);
    return membersOf(ctx, req, caller, target, true);
  });
}
