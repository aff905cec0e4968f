// The generic OData engine, part two: a request's query options and the answer of a directory collection
// ($filter / $search / $orderby / $select / $top / $skiptoken / $count, `ConsistencyLevel: eventual`), for any
// resource with a schema (odata-schema.ts): /users, memberOf, transitiveMemberOf, group members
// (entra-graph.md 5.2: aad-advanced-queries.md, query-parameters.md, paging 100 by default, 999 at most).
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context';
import { GraphError } from '../errors';
import { ODataSyntaxError, parseOrderBy, parseSearch, parseSelect, type OrderBy } from './odata';
import { QueryErrors } from './odata-errors';
import { parseFilter } from './odata-filter';
import { matchesFilter, matchesSearch, property, validateFilter, validateSearch, type PropertySpec, type ResourceSchema } from './odata-schema';

// ---------------------------------------------------------------------------------------------------------
// Query options.

export interface QueryOptions {
  raw: URLSearchParams;
  filter?: string;
  search?: string;
  select?: string;
  orderby?: string;
  top?: string;
  skiptoken?: string;
  count: boolean;
  /** `ConsistencyLevel: eventual` was sent. */
  eventual: boolean;
}

const KNOWN_OPTIONS = new Set(['$filter', '$search', '$select', '$orderby', '$top', '$skiptoken', '$count', '$expand', '$skip', '$format']);

export function readQuery(req: FastifyRequest): QueryOptions {
  const q = req.url.indexOf('?');
  const raw = new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1));
  const one = (name: string): string | undefined => {
    const all = raw.getAll(name);
    if (all.length > 1) throw QueryErrors.repeatedOption(name);
    return all[0];
  };
  for (const key of new Set(raw.keys())) {
    if (!key.startsWith('$')) continue;
    if (!KNOWN_OPTIONS.has(key)) throw QueryErrors.unsupportedOption(key);
    one(key);
  }
  if (raw.has('$skip')) throw QueryErrors.skipNotSupported();
  if (raw.has('$expand')) throw QueryErrors.unsupportedOption('$expand');
  const header = req.headers.consistencylevel;
  const eventual = (Array.isArray(header) ? header : [header ?? '']).some((h) => h.trim().toLowerCase() === 'eventual');
  const opt = (name: string) => {
    const v = one(name);
    return v === undefined || v.trim() === '' ? undefined : v;
  };
  return {
    raw,
    filter: opt('$filter'),
    search: opt('$search'),
    select: opt('$select'),
    orderby: opt('$orderby'),
    top: opt('$top'),
    skiptoken: opt('$skiptoken'),
    count: (one('$count') ?? '').toLowerCase() === 'true',
    eventual,
  };
}

/** Advanced query parameters: the header *and* $count=true (aad-advanced-queries.md). */
export const isAdvanced = (q: QueryOptions) => q.eventual && q.count;

export function selected<T>(s: ResourceSchema<T>, q: QueryOptions): PropertySpec<T>[] | null {
  if (q.select === undefined) return null;
  try {
    return parseSelect(q.select).map((n) => property(s, n));
  } catch (e) {
    if (e instanceof ODataSyntaxError) throw new GraphError(400, 'BadRequest', `Invalid $select clause: ${e.detail}.`);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Listing: filter, search, order, page, count.

const collator = new Intl.Collator('en', { sensitivity: 'base' });

interface ListResult<T> {
  items: T[];
  count: number;
  nextSkip: number | null;
}

function pageSize(q: QueryOptions): number {
  if (q.top === undefined) return 100;
  if (!/^-?\d+$/.test(q.top.trim())) throw QueryErrors.invalidTop(q.top);
  const n = Number(q.top.trim());
  if (!Number.isSafeInteger(n) || n < 1 || n > 999) throw QueryErrors.invalidPageSize(q.top.trim());
  return n;
}

function queryFingerprint(q: QueryOptions, scope: string): string {
  return createHash('sha256')
    .update(JSON.stringify([scope, q.filter ?? '', q.search ?? '', q.orderby ?? '', q.top ?? '']))
    .digest('base64url')
    .slice(0, 16);
}

function readSkipToken(q: QueryOptions, scope: string): number {
  if (q.skiptoken === undefined) return 0;
  const m = /^([0-9]{1,6})\.([A-Za-z0-9_-]{16})$/.exec(Buffer.from(q.skiptoken, 'base64url').toString('latin1'));
  if (!m || m[2] !== queryFingerprint(q, scope)) throw QueryErrors.invalidSkipToken();
  return Number(m[1]);
}

export function skipToken(q: QueryOptions, scope: string, offset: number): string {
  return Buffer.from(`${offset}.${queryFingerprint(q, scope)}`, 'latin1').toString('base64url');
}

function wrapSyntax<T>(fn: () => T, kind: '$filter' | '$search' | '$orderby'): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ODataSyntaxError) {
      const detail = `${e.detail} at position ${e.position}.`;
      if (kind === '$search') throw QueryErrors.invalidSearch(detail);
      if (kind === '$orderby') throw QueryErrors.sortingNotSupported();
      throw QueryErrors.invalidFilter(detail);
    }
    throw e;
  }
}

/** Everything a directory collection does with $filter/$search/$orderby/$top/$skiptoken/$count. */
export function list<T extends { id: string }>(all: T[], s: ResourceSchema<T>, q: QueryOptions, scope: string): ListResult<T> {
  if (q.search !== undefined && !q.eventual) throw QueryErrors.searchNeedsHeader();
  const advanced = isAdvanced(q);
  const filter = q.filter === undefined ? null : wrapSyntax(() => parseFilter(q.filter as string), '$filter');
  if (filter) validateFilter(filter, s, advanced);
  const search = q.search === undefined ? null : wrapSyntax(() => parseSearch(q.search as string), '$search');
  if (search) validateSearch(search, s);
  let order: OrderBy[] = [];
  if (q.orderby !== undefined) {
    order = wrapSyntax(() => parseOrderBy(q.orderby as string), '$orderby');
    if (filter && !advanced) throw QueryErrors.sortingNotSupported();
    for (const o of order) {
      const spec = s.properties.get(o.property.toLowerCase());
      if (!spec) throw QueryErrors.unknownProperty(o.property, s.resource);
      if (!spec.orderBy || (spec.orderBy === 'advanced' && !advanced)) throw QueryErrors.sortingNotSupported();
    }
  }
  const size = pageSize(q);
  const offset = readSkipToken(q, scope);

  let items = all.filter((it) => (!filter || matchesFilter(filter, it, s)) && (!search || matchesSearch(search, it, s)));
  if (order.length > 0) {
    items = [...items].sort((a, b) => {
      for (const o of order) {
        const spec = property(s, o.property);
        const c = collator.compare(String(spec.get(a) ?? ''), String(spec.get(b) ?? ''));
        if (c !== 0) return o.descending ? -c : c;
      }
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
  }
  const page = items.slice(offset, offset + size);
  return { items: page, count: items.length, nextSkip: offset + size < items.length ? offset + size : null };
}

export function nextLink(base: string, path: string, q: QueryOptions, token: string): string {
  const parts: string[] = [];
  for (const [k, v] of q.raw) if (k !== '$skiptoken') parts.push(`${k}=${encodeURIComponent(v)}`);
  parts.push(`$skiptoken=${token}`);
  return `${base}${path}?${parts.join('&')}`;
}

// ---------------------------------------------------------------------------------------------------------
// Answering a collection.

export function graphBase(ctx: EmulatorContext, req: FastifyRequest): string {
  return req.url.startsWith('/beta') ? ctx.urls.graphBeta : ctx.urls.graph;
}

export function contextFor(base: string, entitySet: string, props: PropertySpec<unknown>[] | null, entity: boolean): string {
  const sel = props ? `(${props.map((p) => p.name).join(',')})` : '';
  return `${base}/$metadata#${entitySet}${sel}${entity ? '/$entity' : ''}`;
}

export function sendCollection<T extends { id: string }>(
  ctx: EmulatorContext,
  req: FastifyRequest,
  items: T[],
  s: ResourceSchema<T>,
  q: QueryOptions,
  path: string,
  entitySet: string,
  shape: (item: T, props: PropertySpec<T>[] | null) => Record<string, unknown>,
) {
  const base = graphBase(ctx, req);
  const props = selected(s, q);
  const r = list(items, s, q, `${path}`);
  const first = q.skiptoken === undefined;
  return {
    '@odata.context': contextFor(base, entitySet, props as PropertySpec<unknown>[] | null, false),
    ...(isAdvanced(q) && first ? { '@odata.count': r.count } : {}),
    ...(r.nextSkip !== null ? { '@odata.nextLink': nextLink(base, path, q, skipToken(q, path, r.nextSkip)) } : {}),
    value: r.items.map((it) => shape(it, props)),
  };
}

export function shapeGeneric<T>(item: T & Record<string, unknown>, props: PropertySpec<T>[] | null): Record<string, unknown> {
  if (!props) return item;
  const out: Record<string, unknown> = { '@odata.type': item['@odata.type'] };
  for (const p of props) out[p.name] = p.get(item);
  return out;
}
