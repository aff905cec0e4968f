// Who may read what of a user (entra-graph.md 5.2, 5.3, 5.5): the delegated scopes for the full profile, the basic
// set, oneself, and memberships; and the target of a `/me/…` or `/users/{id}/…` route, found only after the
// scope check.
import type { FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context';
import { authorizationDenied, notFound } from '../errors';
import type { UserRecord } from '../model';
import { authenticate, hasAnyScope, type Caller } from './auth';

export const USER_READ_ALL = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All', 'Directory.AccessAsUser.All'];
export const USER_READ_BASIC = ['User.ReadBasic.All'];
export const USER_READ_SELF = ['User.Read', 'User.ReadWrite'];
export const MEMBERSHIP_READ_OTHERS = [...USER_READ_ALL, ...USER_READ_BASIC, 'GroupMember.Read.All', 'Group.Read.All'];
/** group-list-members.md: GroupMember.Read.All is the least privileged; the write permissions include reading. */
export const GROUP_MEMBER_READ = [
  'GroupMember.Read.All',
  'GroupMember.ReadWrite.All',
  'Group.Read.All',
  'Group.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
  'Directory.AccessAsUser.All',
];

export type Access = 'full' | 'basic';

/** Full profile with User.Read.All (or User.Read for oneself); the basic set with User.ReadBasic.All. */
export function accessTo(caller: Caller, target: UserRecord): Access | null {
  if (hasAnyScope(caller, USER_READ_ALL)) return 'full';
  if (caller.user.id === target.id && hasAnyScope(caller, USER_READ_SELF)) return 'full';
  if (hasAnyScope(caller, USER_READ_BASIC)) return 'basic';
  return null;
}

export function requireListAccess(caller: Caller): void {
  if (!hasAnyScope(caller, [...USER_READ_ALL, ...USER_READ_BASIC])) throw authorizationDenied();
}

function findTarget(ctx: EmulatorContext, key: string): UserRecord {
  const user = ctx.state.findUser(key);
  if (!user) throw notFound(key);
  return user;
}

export type IdParams = { Params: { id: string } };

/** The caller and the user a route is about: `me` for `/me/…`, `them` for `/users/{id}/…`. */
export function userTargets(ctx: EmulatorContext) {
  const me = async (req: FastifyRequest) => {
    const caller = await authenticate(req, ctx);
    return { caller, target: caller.user };
  };
  const them = async (req: FastifyRequest<IdParams>) => {
    const caller = await authenticate(req, ctx);
    return { caller, target: findTargetAfterScope(caller, req.params.id) };
  };
  // The scope check comes before the lookup: without one, Graph does not reveal whether a user exists.
  const findTargetAfterScope = (caller: Caller, key: string) => {
    const anyRead = hasAnyScope(caller, [...USER_READ_ALL, ...USER_READ_BASIC, ...MEMBERSHIP_READ_OTHERS]);
    const target = ctx.state.findUser(key);
    if (!anyRead && !(target && target.id === caller.user.id && hasAnyScope(caller, USER_READ_SELF))) throw authorizationDenied();
    return target ?? findTarget(ctx, key);
  };
  return { me, them };
}
