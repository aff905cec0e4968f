// Groups for event mode: read one group, and add or remove a member by reference
// (Microsoft Learn: group-get.md, group-post-members.md, group-delete-members.md). Listing the members is in
// users.ts (it shapes users with the same $select/$top/$skiptoken machinery as /users).
//
// Who may change members (group-post-members.md, "Permissions"): delegated GroupMember.ReadWrite.All is the least
// privileged permission (Group.ReadWrite.All, Directory.ReadWrite.All are higher), AND the signed-in user must own
// the group or hold one of Directory Writers, Groups Administrator, User Administrator (or Global Administrator).
// A role-assignable group needs Privileged Role Administrator and RoleManagement.ReadWrite.Directory: refused here.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context';
import { GraphError, authorizationDenied, notFound } from '../errors';
import { Role, type GroupRecord } from '../model';
import { authenticate, hasAnyScope, type Caller } from './auth';
import { GROUP_MEMBER_READ } from './user-access';

export const GROUP_MEMBER_WRITE = ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All', 'Directory.AccessAsUser.All'];
const MEMBER_ADMIN_ROLES: string[] = [Role.GlobalAdministrator, Role.DirectoryWriters, Role.GroupsAdministrator, Role.UserAdministrator];

export const GroupErrors = {
  /** [DOC] group-post-members.md: "400 Bad Request ... when the object is already a member of the group". The code
   *  and text [OBS] as public clients match them, e.g. ansible-collections/azure#1519 (the body in a traceback) and
   *  Microsoft Graph PowerShell scripts testing `Add-MgGroupMember`'s message. */
  alreadyMember: () =>
    new GraphError(400, 'Request_BadRequest', "One or more added object references already exist for the following modified properties: 'members'."),
  /** [INF] an @odata.id that is not a directoryObjects/users URL of this service. */
  invalidReference: () => new GraphError(400, 'Request_BadRequest', 'Invalid object identifier in the @odata.id reference.'),
};

function requireWriter(ctx: EmulatorContext, caller: Caller, group: GroupRecord): void {
  if (!hasAnyScope(caller, GROUP_MEMBER_WRITE)) throw authorizationDenied();
  if (group.isAssignableToRole) throw authorizationDenied();
  const roles = ctx.state.rolesOf(caller.user);
  if (!group.owners.includes(caller.user.id) && !roles.some((r) => MEMBER_ADMIN_ROLES.includes(r))) throw authorizationDenied();
}

function findGroup(ctx: EmulatorContext, id: string): GroupRecord {
  const group = ctx.state.groups.get(id.toLowerCase());
  if (!group) throw notFound(id);
  return group;
}

/** `https://graph.microsoft.com/v1.0/directoryObjects/{id}` (or users/{id}) → the id. */
function referencedId(body: unknown): string {
  const ref = body && typeof body === 'object' ? (body as Record<string, unknown>)['@odata.id'] : undefined;
  if (typeof ref !== 'string') throw GroupErrors.invalidReference();
  const m = /\/(?:v1\.0|beta)\/(?:directoryObjects|users)\/([^/?#]+)$/i.exec(ref);
  if (!m?.[1]) throw GroupErrors.invalidReference();
  return decodeURIComponent(m[1]);
}

export function groupObject(ctx: EmulatorContext, req: FastifyRequest, g: GroupRecord): Record<string, unknown> {
  const base = req.url.startsWith('/beta') ? ctx.urls.graphBeta : ctx.urls.graph;
  return {
    '@odata.context': `${base}/$metadata#groups/$entity`,
    id: g.id,
    deletedDateTime: null,
    createdDateTime: g.createdDateTime.toISOString(),
    description: g.description,
    displayName: g.displayName,
    groupTypes: [],
    isAssignableToRole: g.isAssignableToRole,
    mail: null,
    mailEnabled: false,
    mailNickname: g.displayName.replace(/[^A-Za-z0-9]/g, '').toLowerCase() || g.id.slice(0, 8),
    securityEnabled: true,
    visibility: null,
  };
}

type IdParams = { Params: { id: string } };

export function registerGroups(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get<IdParams>('/groups/:id', async (req) => {
    const caller = await authenticate(req, ctx);
    if (!hasAnyScope(caller, GROUP_MEMBER_READ)) throw authorizationDenied();
    return groupObject(ctx, req, findGroup(ctx, req.params.id));
  });

  // group-post-members.md: 204 No Content; 400 when already a member; 404 when the object does not exist.
  app.post<IdParams>('/groups/:id/members/$ref', async (req, reply) => {
    const caller = await authenticate(req, ctx);
    if (!hasAnyScope(caller, GROUP_MEMBER_WRITE)) throw authorizationDenied();
    const group = findGroup(ctx, req.params.id);
    requireWriter(ctx, caller, group);
    const memberId = referencedId(req.body);
    const user = ctx.state.users.get(memberId.toLowerCase());
    if (!user) throw notFound(memberId);
    if (user.groups.includes(group.id)) throw GroupErrors.alreadyMember();
    user.groups = [...user.groups, group.id];
    return reply.code(204).send();
  });

  // group-delete-members.md: 204 No Content. [INF] a reference that is not there: 404 Request_ResourceNotFound.
  app.delete<{ Params: { id: string; memberId: string } }>('/groups/:id/members/:memberId/$ref', async (req, reply) => {
    const caller = await authenticate(req, ctx);
    if (!hasAnyScope(caller, GROUP_MEMBER_WRITE)) throw authorizationDenied();
    const group = findGroup(ctx, req.params.id);
    requireWriter(ctx, caller, group);
    const user = ctx.state.users.get(req.params.memberId.toLowerCase());
    if (!user || !user.groups.includes(group.id)) throw notFound(req.params.memberId);
    user.groups = user.groups.filter((g) => g !== group.id);
    return reply.code(204).send();
  });
}
