// Microsoft Entra's directory audit log, the slice the kiosk's `verify --tenant` reads:
//   GET /auditLogs/directoryAudits[?$filter&$top]      list, newest first, paged with @odata.nextLink
//   GET /auditLogs/directoryAudits/{id}                one entry
// The emulator writes one entry per Temporary Access Pass it creates or deletes (methods.ts calls `recordTapAudit`).
//
// Sources:
// - Shape: the CSDL (test/fixtures/graph-metadata/v1.0-Prod.csdl, EntityType directoryAudit, ComplexTypes
//   auditActivityInitiator, userIdentity, appIdentity, targetResource, keyValue; EnumType operationResult).
// - Endpoint, permissions (AuditLog.Read.All, delegated callers also need a supported role such as Reports
//   Reader, Security Reader, Global Reader), $filter on activityDateTime (ge, le), activityDisplayName (eq,
//   startswith), loggedByService/category (eq), $top, default order newest first:
//   https://learn.microsoft.com/graph/api/directoryaudit-list?view=graph-rest-1.0 and
//   https://learn.microsoft.com/graph/api/resources/directoryaudit?view=graph-rest-1.0
// - Activity names: category UserManagement, service "Authentication Methods", activities "Admin registered
//   security info" / "Admin deleted security info"
//   (https://learn.microsoft.com/entra/identity/monitoring-health/reference-audit-activities); the result reason
//   "Admin registered temporary access pass method for user" as SigmaHQ's rule azure_tap_added.yml matches it.
//   The deletion's reason ("Admin deleted temporary access pass method for user") is by analogy, not confirmed.
// - correlationId: the emulator puts the request's client-request-id there (the kiosk's matcher does not rely on it).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { graphDate } from '../clock';
import type { EmulatorContext } from '../context';
import { GraphError, accessDenied, notFound } from '../errors';
import { Role, type UserRecord } from '../model';
import type { DirectoryAuditRecord } from '../store';
import { type Caller, authenticate, hasAnyScope } from './auth';
import { ODataSyntaxError } from './odata';
import { parseFilter, type FilterNode } from './odata-filter';

export const AUDIT_SERVICE = 'Authentication Methods';
export const TAP_AUDIT = {
  create: { activity: 'Admin registered security info', reason: 'Admin registered temporary access pass method for user', operationType: 'Add' },
  delete: { activity: 'Admin deleted security info', reason: 'Admin deleted temporary access pass method for user', operationType: 'Delete' },
} as const;

/** Roles that may read the audit log (directoryaudit-list: "least privileged roles"), of those the emulator knows. */
const AUDIT_READER_ROLES: readonly string[] = [Role.GlobalReader, Role.GlobalAdministrator];
const AUDIT_SCOPES = ['AuditLog.Read.All'];

export function recordTapAudit(ctx: EmulatorContext, req: FastifyRequest, caller: Caller, target: UserRecord, kind: DirectoryAuditRecord['kind']): void {
  ctx.state.directoryAudits.push({
    id: `Directory_${randomUUID()}`,
    at: ctx.clock.now(),
    kind,
    correlationId: req.clientRequestId || randomUUID(),
    initiator: { id: caller.user.id, userPrincipalName: caller.user.userPrincipalName, displayName: caller.user.displayName, clientId: caller.clientId },
    target: { id: target.id, userPrincipalName: target.userPrincipalName, displayName: target.displayName },
  });
}

export function auditView(entry: DirectoryAuditRecord): Record<string, unknown> {
  const activity = TAP_AUDIT[entry.kind];
  return {
    id: entry.id,
    category: 'UserManagement',
    correlationId: entry.correlationId,
    result: 'success',
    resultReason: activity.reason,
    activityDisplayName: activity.activity,
    activityDateTime: graphDate(entry.at),
    loggedByService: AUDIT_SERVICE,
    operationType: activity.operationType,
    initiatedBy: {
      app: null,
      user: { id: entry.initiator.id, displayName: entry.initiator.displayName, userPrincipalName: entry.initiator.userPrincipalName, ipAddress: null },
    },
    targetResources: [
      {
        id: entry.target.id,
        displayName: entry.target.displayName,
        type: 'User',
        userPrincipalName: entry.target.userPrincipalName,
        groupType: null,
        modifiedProperties: [],
      },
    ],
    additionalDetails: [],
  };
}

const badFilter = (detail: string) => new GraphError(400, 'BadRequest', `Invalid filter clause: ${detail}`);

/** The supported clauses, joined by `and`: what the list doc says the service filters on. */
function matcher(node: FilterNode): (entry: Record<string, unknown>) => boolean {
  if (node.type === 'and') {
    const left = matcher(node.left);
    const right = matcher(node.right);
    return (e) => left(e) && right(e);
  }
  if (node.type === 'compare') {
    const { property, op, value } = node;
    if (property === 'activityDateTime' && (op === 'ge' || op === 'le') && value.kind === 'dateTime') {
      const limit = value.value.getTime();
      return (e) => {
        const at = Date.parse(String(e['activityDateTime']));
        return op === 'ge' ? at >= limit : at <= limit;
      };
    }
    if ((property === 'activityDisplayName' || property === 'loggedByService' || property === 'category') && op === 'eq' && value.kind === 'string') {
      return (e) => e[property] === value.value;
    }
    throw badFilter(`${property} ${op} is not supported on directoryAudits`);
  }
  if (node.type === 'call' && !node.negated && node.name.toLowerCase() === 'startswith') {
    const [prop, lit] = node.args;
    if (prop?.kind === 'property' && prop.name === 'activityDisplayName' && lit?.kind === 'literal' && lit.value.kind === 'string') {
      const prefix = lit.value.value.toLowerCase();
      return (e) => String(e['activityDisplayName']).toLowerCase().startsWith(prefix);
    }
  }
  throw badFilter('only activityDateTime ge/le, activityDisplayName eq/startswith, loggedByService eq and category eq are supported here');
}

export function registerAuditLogs(app: FastifyInstance, ctx: EmulatorContext): void {
  const authorize = async (req: FastifyRequest): Promise<void> => {
    const caller = await authenticate(req, ctx);
    if (!hasAnyScope(caller, AUDIT_SCOPES)) throw accessDenied();
    if (!ctx.state.rolesOf(caller.user).some((r) => AUDIT_READER_ROLES.includes(r))) {
      throw new GraphError(403, 'Authentication_RequestFromUnsupportedUserRole', 'User is not in the allowed roles');
    }
  };
  const context = (req: FastifyRequest) => `${ctx.urls.origin}/${/^\/beta(\/|$)/.test(req.url) ? 'beta' : 'v1.0'}/$metadata#auditLogs/directoryAudits`;

  app.get('/auditLogs/directoryAudits', async (req) => {
    await authorize(req);
    const query = req.query as Record<string, string | undefined>;
    let keep: (e: Record<string, unknown>) => boolean = () => true;
    if (query['$filter'] !== undefined) {
      try {
        keep = matcher(parseFilter(query['$filter']));
      } catch (error) {
        if (error instanceof ODataSyntaxError) throw badFilter(error.message);
        throw error;
      }
    }
    const top = query['$top'] === undefined ? 1000 : Number(query['$top']);
    if (!Number.isInteger(top) || top < 1 || top > 1000) throw new GraphError(400, 'BadRequest', `Invalid value '${query['$top']}' for $top.`);
    const skip = query['$skiptoken'] === undefined ? 0 : Number(query['$skiptoken']);
    if (!Number.isInteger(skip) || skip < 0) throw new GraphError(400, 'BadRequest', 'Invalid $skiptoken.');
    const all = [...ctx.state.directoryAudits]
      .sort((a, b) => b.at.getTime() - a.at.getTime())
      .map(auditView)
      .filter(keep);
    const page = all.slice(skip, skip + top);
    const body: Record<string, unknown> = { '@odata.context': context(req), value: page };
    if (skip + top < all.length) {
      const url = new URL(req.url, ctx.urls.origin);
      url.searchParams.set('$skiptoken', String(skip + top));
      body['@odata.nextLink'] = url.toString();
    }
    return body;
  });

  app.get('/auditLogs/directoryAudits/:id', async (req) => {
    await authorize(req);
    const id = (req.params as { id: string }).id;
    const found = ctx.state.directoryAudits.find((e) => e.id === id);
    if (!found) throw notFound(id);
    return { '@odata.context': `${context(req)}/$entity`, ...auditView(found) };
  });
}
