/**
 * `verify --tenant`: the journal against Microsoft Entra's own directory audit log, in both directions.
 *
 * Entra logs every Temporary Access Pass an administrator creates or deletes, whoever's software made the call
 * (GET /auditLogs/directoryAudits; https://learn.microsoft.com/graph/api/directoryaudit-list). The station
 * cannot edit that log, so it is the witness a rewritten or shortened journal cannot argue with:
 * - `created-without-record`: Entra shows a pass created for someone by one of this station's operators, and the
 *   journal has no `tap.issued` for that person at that time (a record was removed, or the pass was made
 *   elsewhere by an operator of this station: either way someone must look).
 * - `deleted-without-record`: the same for a deletion and `tap.deleted`.
 * - `record-not-in-tenant`: the journal says Graph created a pass (`tap.issued` is written only after Graph's
 *   201), and Entra never logged it: a planted record. Records younger than the log's delivery delay are notes.
 * A local `tap.deleted` Entra did not log is only a note: Graph's 404 for a pass already gone (expired, or replaced
 * by a newer one) also counts as deleted locally, and Entra logs no deletion then.
 *
 * "This station's operators": everyone the journal names as an operator in the period (sign-ins, intents, ...).
 * Matching: same kind, same person (object id), the nearest in time within `toleranceMs` (default 5 minutes:
 * the record is written after Graph answers; clocks differ), one to one.
 *
 * What Entra calls these (category UserManagement, service "Authentication Methods"): "Admin registered security
 * info" and "Admin deleted security info"
 * (https://learn.microsoft.com/entra/identity/monitoring-health/reference-audit-activities). The same two
 * activities cover other methods (a FIDO2 key removed), so an entry counts as a pass only when its resultReason
 * or details name the Temporary Access Pass ("Admin registered temporary access pass method for user", as
 * SigmaHQ's rule azure_tap_added.yml matches it); the deletion's wording is assumed to follow the same pattern.
 *
 * Needs the optional permission AuditLog.Read.All (with Directory.Read.All) and, for a signed-in caller, a role
 * that may read audit logs (Reports Reader, Security Reader, Global Reader, ...). Entra keeps the log 7 days
 * (no P1/P2) or 30 days: older journal days cannot be cross-checked.
 */
import { z } from 'zod';
import { decodeLine, type AuditRecord } from './record';
import { listJournal, readLines } from './folder';
import type { StationKeyring } from './keys';

export const TAP_ACTIVITIES = { create: 'Admin registered security info', delete: 'Admin deleted security info' } as const;
export const AUDIT_SERVICE = 'Authentication Methods';

/** The part of Graph's directoryAudit the check reads (validated at the boundary; other fields are ignored). */
const directoryAuditSchema = z.object({
  id: z.string(),
  activityDateTime: z.iso.datetime({ offset: true }),
  activityDisplayName: z.string(),
  loggedByService: z.string().nullish(),
  correlationId: z.string().nullish(),
  resultReason: z.string().nullish(),
  result: z.string().nullish(),
  initiatedBy: z.object({
    user: z.object({ id: z.string().nullish(), userPrincipalName: z.string().nullish() }).nullish(),
  }),
  targetResources: z.array(z.object({ id: z.string().nullish(), type: z.string().nullish(), userPrincipalName: z.string().nullish() })).nullish(),
  additionalDetails: z.array(z.object({ key: z.string().nullish(), value: z.string().nullish() })).nullish(),
});
const pageSchema = z.object({ value: z.array(z.unknown()), '@odata.nextLink': z.string().optional() });

export interface TenantTapEntry {
  id: string;
  kind: 'create' | 'delete';
  at: Date;
  userId: string;
  userUpn: string | null;
  operatorId: string | null;
  operatorUpn: string | null;
  correlationId: string | null;
}

export interface LocalTapEvent {
  kind: 'create' | 'delete';
  at: Date;
  userId: string;
  userUpn: string;
  seq: number;
  tapMethodId: string;
  requestId: string | null;
}

export type TenantMismatch =
  | { kind: 'created-without-record' | 'deleted-without-record'; entry: TenantTapEntry; message: string }
  | { kind: 'record-not-in-tenant'; local: LocalTapEvent; message: string };

export interface CrossCheckResult {
  ok: boolean;
  mismatches: TenantMismatch[];
  matched: number;
  notes: string[];
}

/** One directoryAudit entry as a TAP event, or undefined when it is about something else. */
export function tapEntry(raw: unknown): TenantTapEntry | undefined {
  const parsed = directoryAuditSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const e = parsed.data;
  const kind = e.activityDisplayName === TAP_ACTIVITIES.create ? 'create' : e.activityDisplayName === TAP_ACTIVITIES.delete ? 'delete' : undefined;
  if (!kind || (e.result && e.result !== 'success')) return undefined;
  const words = [e.resultReason ?? '', ...(e.additionalDetails ?? []).map((d) => `${d.key ?? ''} ${d.value ?? ''}`)].join(' ');
  if (!/temporary\s*access\s*pass/i.test(words)) return undefined;
  const target = (e.targetResources ?? []).find((t) => (t.type ?? 'User').toLowerCase() === 'user' && t.id);
  if (!target?.id) return undefined;
  return {
    id: e.id,
    kind,
    at: new Date(e.activityDateTime),
    userId: target.id.toLowerCase(),
    userUpn: target.userPrincipalName ?? null,
    operatorId: e.initiatedBy.user?.id?.toLowerCase() ?? null,
    operatorUpn: e.initiatedBy.user?.userPrincipalName ?? null,
    correlationId: e.correlationId ?? null,
  };
}

export class TenantAuditError extends Error {
  override readonly name = 'TenantAuditError';
}

export interface FetchAuditsOptions {
  /** Graph's base, e.g. https://graph.microsoft.com/v1.0 */
  graph: string;
  token: string;
  since: Date;
  until: Date;
  fetch?: typeof fetch;
}

/** The TAP creations and deletions Entra logged between `since` and `until`, every page. */
export async function fetchTenantTapEntries(options: FetchAuditsOptions): Promise<TenantTapEntry[]> {
  const doFetch = options.fetch ?? fetch;
  const filter = `activityDateTime ge ${options.since.toISOString()} and activityDateTime le ${options.until.toISOString()} and loggedByService eq '${AUDIT_SERVICE}'`;
  let url: string | undefined = `${options.graph.replace(/\/$/, '')}/auditLogs/directoryAudits?$filter=${encodeURIComponent(filter)}`;
  const entries: TenantTapEntry[] = [];
  for (let page = 0; url && page < 1000; page += 1) {
    const response = await doFetch(url, { headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' } });
    const text = await response.text();
    if (response.status === 401 || response.status === 403) {
      throw new TenantAuditError(
        `Graph refused to read the directory audit log (HTTP ${response.status}): the token needs AuditLog.Read.All and Directory.Read.All, and a signed-in caller a role that may read audit logs (Reports Reader, Security Reader, Global Reader)`,
      );
    }
    if (!response.ok) throw new TenantAuditError(`Graph answered HTTP ${response.status} to the directory audit log request: ${text.slice(0, 300)}`);
    let body: z.output<typeof pageSchema>;
    try {
      body = pageSchema.parse(JSON.parse(text));
    } catch {
      throw new TenantAuditError('Graph answered the directory audit log request with something that is not a collection');
    }
    for (const raw of body.value) {
      const entry = tapEntry(raw);
      if (entry) entries.push(entry);
    }
    url = body['@odata.nextLink'];
  }
  return entries;
}

export interface StationTapHistory {
  events: LocalTapEvent[];
  /** Object ids of everyone the journal names as an operator. */
  operators: Set<string>;
  first: Date | undefined;
  last: Date | undefined;
}

/** The station's pass creations and deletions, from records that carry the station key's mac (others are skipped). */
export async function stationTapHistory(folder: string, station: string, keyring: StationKeyring): Promise<StationTapHistory> {
  const key = await keyring.store(station).readKey();
  const history: StationTapHistory = { events: [], operators: new Set(), first: undefined, last: undefined };
  if (!key) return history;
  const files = (await listJournal(folder)).get(station) ?? [];
  const intents = new Map<string, { at: Date; issued: boolean }>();
  for (const file of files) {
    for (const line of (await readLines(file.path)).lines) {
      const decoded = decodeLine(line, key);
      if (decoded.kind !== 'record') continue;
      addRecord(history, decoded.record, intents);
    }
  }
  return history;
}

function addRecord(history: StationTapHistory, record: AuditRecord, intents: Map<string, { at: Date; issued: boolean }>): void {
  const at = new Date(record.ts);
  const event = record.event;
  if (event.type === 'tap.intent') intents.set(event.intentId, { at, issued: false });
  if (event.type === 'tap.issued') {
    const intent = intents.get(event.intentId);
    if (intent) intent.issued = true;
  }
  if (event.type === 'tap.deleted' && (event.reason === 'reconciliation' || event.reason === 'crash-recovery')) {
    // The create call's answer was lost (or the station crashed) but the pass existed: it was created at about
    // the time of the intent, and Entra logged that creation.
    const intent = intents.get(event.intentId);
    if (intent && !intent.issued) {
      intent.issued = true;
      history.events.push({
        kind: 'create',
        at: intent.at,
        userId: event.user.id.toLowerCase(),
        userUpn: event.user.upn,
        seq: record.seq,
        tapMethodId: event.tapMethodId,
        requestId: null,
      });
    }
  }
  history.first ??= at;
  history.last = at;
  if ('operator' in event && event.operator) history.operators.add(event.operator.id.toLowerCase());
  if (event.type === 'tap.issued' || event.type === 'tap.deleted') {
    history.events.push({
      kind: event.type === 'tap.issued' ? 'create' : 'delete',
      at,
      userId: event.user.id.toLowerCase(),
      userUpn: event.user.upn,
      seq: record.seq,
      tapMethodId: event.tapMethodId,
      requestId: event.requestId ?? null,
    });
  }
}

export interface CrossCheckOptions {
  /** How far apart the journal's and Entra's times of one event may be. Default 5 minutes. */
  toleranceMs?: number;
  /** Local creations after this are only noted when Entra has not logged them yet (its delivery delay). */
  settledBefore?: Date;
}

/** Match the journal's pass creations and deletions with Entra's, one to one, and name what is left on either side. */
export function crossCheck(history: StationTapHistory, tenant: TenantTapEntry[], options: CrossCheckOptions = {}): CrossCheckResult {
  const tolerance = options.toleranceMs ?? 5 * 60_000;
  const mine = tenant.filter((e) => e.operatorId !== null && history.operators.has(e.operatorId));
  const unmatched = new Set(mine);
  const mismatches: TenantMismatch[] = [];
  const notes: string[] = [];
  let matched = 0;
  for (const local of [...history.events].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    let best: TenantTapEntry | undefined;
    for (const entry of unmatched) {
      if (entry.kind !== local.kind || entry.userId !== local.userId) continue;
      const distance = Math.abs(entry.at.getTime() - local.at.getTime());
      if (distance > tolerance) continue;
      const bestDistance = best ? Math.abs(best.at.getTime() - local.at.getTime()) : Infinity;
      const byId = local.requestId !== null && entry.correlationId === local.requestId;
      if (byId || distance < bestDistance) best = entry;
      if (byId) break;
    }
    if (best) {
      unmatched.delete(best);
      matched += 1;
      continue;
    }
    const what = `seq ${local.seq} (${local.at.toISOString()}, ${local.userUpn}, method ${local.tapMethodId})`;
    if (local.kind === 'delete') {
      notes.push(`record ${what}: a deletion Entra did not log (the pass was already gone: expired or replaced)`);
    } else if (options.settledBefore && local.at > options.settledBefore) {
      notes.push(`record ${what}: a pass Entra has not logged yet (recent; its audit log can lag)`);
    } else {
      mismatches.push({
        kind: 'record-not-in-tenant',
        local,
        message: `journal record ${what} says a pass was created, but Entra's audit log has no such creation: a record the tenant never saw`,
      });
    }
  }
  for (const entry of [...unmatched].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const verb = entry.kind === 'create' ? 'created' : 'deleted';
    mismatches.push({
      kind: entry.kind === 'create' ? 'created-without-record' : 'deleted-without-record',
      entry,
      message: `Entra logged a pass ${verb} for ${entry.userUpn ?? entry.userId} by ${entry.operatorUpn ?? entry.operatorId ?? '?'} at ${entry.at.toISOString()} (audit id ${entry.id}), and the journal has no record of it`,
    });
  }
  return { ok: mismatches.length === 0, mismatches, matched, notes };
}
