// Graph users: get by id or UPN, list with $filter / $search / $select / $top / $count / $orderby, /me, and the
// members of a group (entra-graph.md 5.2, 6.1, 6.3). The schema is user-schema.ts, who may read what
// user-access.ts, the query engine odata-collection.ts; memberships and photos have files of their own
// (memberships.ts, photos.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context';
import { authorizationDenied, notFound } from '../errors';
import type { UserRecord } from '../model';
import { authenticate, hasAnyScope, type Caller } from './auth';
import { contextFor, graphBase, isAdvanced, list, nextLink, readQuery, selected, skipToken, type QueryOptions } from './odata-collection';
import { QueryErrors } from './odata-errors';
import { property, type PropertySpec } from './odata-schema';
import { BASIC_USER_PROPERTIES, DEFAULT_USER_PROPERTIES, USER } from './user-schema';
import { GROUP_MEMBER_READ, accessTo, requireListAccess, userTargets, type Access, type IdParams } from './user-access';

// ---------------------------------------------------------------------------------------------------------
// Shaping users.

const isBeta = (req: FastifyRequest) => req.url.startsWith('/beta');

function projectUser(u: UserRecord, props: PropertySpec<UserRecord>[], access: Access): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of props) {
    // Outside the granted scope a field is left out, not nulled.
    if (access === 'basic' && !BASIC_USER_PROPERTIES.has(p.name)) continue;
    out[p.name] = p.get(u);
  }
  return out;
}

function userProperties(req: FastifyRequest, q: QueryOptions): { props: PropertySpec<UserRecord>[]; explicit: boolean } {
  const sel = selected(USER, q);
  if (sel) return { props: sel, explicit: true };
  // v1.0 answers with the default set; beta with every property it has.
  if (isBeta(req)) return { props: [...USER.properties.values()], explicit: false };
  return { props: DEFAULT_USER_PROPERTIES.map((n) => property(USER, n)), explicit: false };
}

async function getUser(ctx: EmulatorContext, req: FastifyRequest, caller: Caller, target: UserRecord) {
  const access = accessTo(caller, target);
  if (!access) throw authorizationDenied();
  const q = readQuery(req);
  const { props, explicit } = userProperties(req, q);
  return {
    '@odata.context': contextFor(graphBase(ctx, req), 'users', explicit ? (props as PropertySpec<unknown>[]) : null, true),
    ...projectUser(target, props, access),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Routes.

export function registerUsers(app: FastifyInstance, ctx: EmulatorContext): void {
  const { me, them } = userTargets(ctx);

  app.get('/me', async (req) => {
    const { caller, target } = await me(req);
    return getUser(ctx, req, caller, target);
  });

  app.get('/users', async (req) => {
    const caller = await authenticate(req, ctx);
    requireListAccess(caller);
    const q = readQuery(req);
    const { props, explicit } = userProperties(req, q);
    const base = graphBase(ctx, req);
    const r = list([...ctx.state.users.values()], USER, q, '/users');
    return {
      '@odata.context': contextFor(base, 'users', explicit ? (props as PropertySpec<unknown>[]) : null, false),
      ...(isAdvanced(q) && q.skiptoken === undefined ? { '@odata.count': r.count } : {}),
      ...(r.nextSkip !== null ? { '@odata.nextLink': nextLink(base, '/users', q, skipToken(q, '/users', r.nextSkip)) } : {}),
      value: r.items.map((u) => projectUser(u, props, accessTo(caller, u) ?? 'basic')),
    };
  });

  app.get('/users/$count', async (req, reply) => {
    const caller = await authenticate(req, ctx);
    requireListAccess(caller);
    const q = readQuery(req);
    if (!q.eventual) throw QueryErrors.countNotSupported();
    const r = list([...ctx.state.users.values()], USER, { ...q, count: true, top: '999', skiptoken: undefined }, '/users/$count');
    return reply.header('Content-Type', 'text/plain; charset=utf-8').send(String(r.count));
  });

  app.get<IdParams>('/users/:id', async (req) => {
    const { caller, target } = await them(req);
    return getUser(ctx, req, caller, target);
  });

  // group-list-members.md: the members of a group as directoryObjects (users here), paged 100 by default with
  // @odata.nextLink; least privileged read permission GroupMember.Read.All.
  app.get<IdParams>('/groups/:id/members', async (req) => {
    const caller = await authenticate(req, ctx);
    if (!hasAnyScope(caller, GROUP_MEMBER_READ)) throw authorizationDenied();
    const group = ctx.state.groups.get(req.params.id.toLowerCase());
    if (!group) throw notFound(req.params.id);
    const q = readQuery(req);
    const { props, explicit } = userProperties(req, q);
    const base = graphBase(ctx, req);
    const path = `/groups/${group.id}/members`;
    const r = list(ctx.state.membersOf(group.id), USER, q, path);
    return {
      '@odata.context': contextFor(base, 'directoryObjects', explicit ? (props as PropertySpec<unknown>[]) : null, false),
      ...(isAdvanced(q) && q.skiptoken === undefined ? { '@odata.count': r.count } : {}),
      ...(r.nextSkip !== null ? { '@odata.nextLink': nextLink(base, path, q, skipToken(q, path, r.nextSkip)) } : {}),
      value: r.items.map((u) => ({ '@odata.type': '#microsoft.graph.user', ...projectUser(u, props, accessTo(caller, u) ?? 'basic') })),
    };
  });
}
