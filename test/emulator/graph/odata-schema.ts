// The generic OData engine, part one: a resource's queryable schema, and what a parsed `$filter` / `$search`
// (odata-filter.ts, odata.ts) means against it. Each property says how it supports $filter / $search / $orderby,
// by default or only as an advanced query (concepts/includes/filter-directory-objects.md); a query is first
// validated (throwing the error Graph would answer with) and then evaluated per item. The schemas themselves
// live with their resources: user-schema.ts, memberships.ts.
import { QueryErrors } from './odata-errors';
import type { FilterArgument, FilterNode, Literal } from './odata-filter';
import type { SearchNode } from './odata';

/** Whether a property supports an operator by default or only with the advanced query parameters. */
export type Support = 'default' | 'advanced';
type PropertyType = 'string' | 'boolean' | 'dateTime' | 'strings';

export interface PropertySpec<T> {
  name: string;
  type: PropertyType;
  get: (item: T) => unknown;
  filter?: { eq?: Support; startsWith?: Support; endsWith?: Support; eqNull?: Support; range?: Support };
  search?: 'tokenized' | 'startsWith';
  orderBy?: Support;
}

export interface ResourceSchema<T> {
  /** As the directory names it in errors: 'User', 'DirectoryRole'. */
  resource: string;
  properties: Map<string, PropertySpec<T>>;
}

export function schema<T>(resource: string, specs: PropertySpec<T>[]): ResourceSchema<T> {
  return { resource, properties: new Map(specs.map((s) => [s.name.toLowerCase(), s])) };
}

/** Supported by default. */
export const D: Support = 'default';
/** Supported only as an advanced query (`ConsistencyLevel: eventual` and `$count=true`). */
export const A: Support = 'advanced';

export function property<T>(s: ResourceSchema<T>, name: string): PropertySpec<T> {
  const p = s.properties.get(name.toLowerCase());
  if (!p) throw QueryErrors.unknownProperty(name, s.resource);
  return p;
}

// ---------------------------------------------------------------------------------------------------------
// $filter: validate against the schema, then evaluate.

const ODATA_FUNCTIONS = new Set([
  'contains',
  'substringof',
  'tolower',
  'toupper',
  'trim',
  'length',
  'indexof',
  'substring',
  'concat',
  'year',
  'month',
  'day',
  'hour',
  'minute',
  'second',
  'date',
  'time',
  'now',
  'round',
  'floor',
  'ceiling',
  'cast',
  'isof',
  'any',
  'all',
  'matchespattern',
]);

function requireSupport(level: Support | undefined, advanced: boolean, property: string, resource: string): void {
  if (level === undefined || (level === 'advanced' && !advanced)) throw QueryErrors.unsupportedClause(property, resource);
}

function checkLiteral(spec: PropertySpec<unknown>, value: Literal): void {
  if (value.kind === 'null') return;
  const ok =
    (spec.type === 'string' && value.kind === 'string') ||
    (spec.type === 'boolean' && value.kind === 'boolean') ||
    (spec.type === 'dateTime' && value.kind === 'dateTime');
  if (!ok) throw QueryErrors.invalidFilter(`A binary operator with incompatible types was detected: '${spec.name}' and a ${value.kind} literal.`);
}

function callShape<T>(s: ResourceSchema<T>, args: FilterArgument[], fn: string): { spec: PropertySpec<T>; value: string } {
  const [a, b] = args;
  if (args.length !== 2 || a?.kind !== 'property' || b?.kind !== 'literal' || b.value.kind !== 'string') {
    throw QueryErrors.invalidFilter(`${fn} takes a property and a string literal.`);
  }
  return { spec: property(s, a.name), value: b.value.value };
}

/** Throws the error Graph would answer with; returns when the filter is acceptable for this request. */
export function validateFilter<T>(node: FilterNode, s: ResourceSchema<T>, advanced: boolean): void {
  switch (node.type) {
    case 'and':
    case 'or':
      validateFilter(node.left, s, advanced);
      validateFilter(node.right, s, advanced);
      return;
    case 'not':
      if (!advanced) throw QueryErrors.operatorNeedsAdvanced('not');
      validateFilter(node.operand, s, advanced);
      return;
    case 'compare': {
      const spec = property(s, node.property);
      if (node.op === 'ne' && !advanced) throw QueryErrors.operatorNeedsAdvanced('ne');
      const f = spec.filter ?? {};
      if (node.op === 'eq' || node.op === 'ne') requireSupport(node.value.kind === 'null' ? f.eqNull : f.eq, advanced, spec.name, s.resource);
      else requireSupport(f.range, advanced, spec.name, s.resource);
      if (node.value.kind === 'null' && node.op !== 'eq' && node.op !== 'ne') throw QueryErrors.invalidFilter('null can only be compared with eq or ne.');
      checkLiteral(spec as PropertySpec<unknown>, node.value);
      return;
    }
    case 'in': {
      const spec = property(s, node.property);
      requireSupport(spec.filter?.eq, advanced, spec.name, s.resource);
      if (!advanced && node.values.length > 15) throw QueryErrors.tooManyClauses(node.values.length);
      for (const v of node.values) {
        if (v.kind === 'null') throw QueryErrors.invalidFilter("null is not allowed in an 'in' list.");
        checkLiteral(spec as PropertySpec<unknown>, v);
      }
      return;
    }
    case 'call': {
      const fn = node.name.toLowerCase();
      if (node.negated && !advanced) throw QueryErrors.operatorNeedsAdvanced('not');
      if (fn === 'startswith') {
        const { spec } = callShape(s, node.args, node.name);
        requireSupport(spec.filter?.startsWith, advanced, spec.name, s.resource);
        return;
      }
      if (fn === 'endswith') {
        if (!advanced) throw QueryErrors.operatorNeedsAdvanced('endsWith');
        const { spec } = callShape(s, node.args, node.name);
        requireSupport(spec.filter?.endsWith, advanced, spec.name, s.resource);
        return;
      }
      if (ODATA_FUNCTIONS.has(fn)) {
        const p = node.args.find((a) => a.kind === 'property');
        if (p?.kind === 'property') throw QueryErrors.unsupportedClause(property(s, p.name).name, s.resource);
        throw QueryErrors.invalidFilter(`The function '${node.name}' is not supported.`);
      }
      throw QueryErrors.invalidFilter(`An unknown function with name '${node.name}' was found.`);
    }
  }
}

/** Directory string comparison ignores case. */
const fold = (s: string) => s.normalize('NFC').toLowerCase();

function equals(actual: unknown, literal: Literal): boolean {
  if (literal.kind === 'null') return actual === null || actual === undefined;
  if (actual === null || actual === undefined) return false;
  if (literal.kind === 'string') return typeof actual === 'string' && fold(actual) === fold(literal.value);
  if (literal.kind === 'boolean') return actual === literal.value;
  if (literal.kind === 'dateTime') return typeof actual === 'string' && Date.parse(actual) === literal.value.getTime();
  return false;
}

function compareRange(actual: unknown, op: string, literal: Literal): boolean {
  if (literal.kind !== 'dateTime' || typeof actual !== 'string') return false;
  const a = Date.parse(actual);
  const b = literal.value.getTime();
  return op === 'gt' ? a > b : op === 'ge' ? a >= b : op === 'lt' ? a < b : a <= b;
}

export function matchesFilter<T>(node: FilterNode, item: T, s: ResourceSchema<T>): boolean {
  switch (node.type) {
    case 'and':
      return matchesFilter(node.left, item, s) && matchesFilter(node.right, item, s);
    case 'or':
      return matchesFilter(node.left, item, s) || matchesFilter(node.right, item, s);
    case 'not':
      return !matchesFilter(node.operand, item, s);
    case 'compare': {
      const actual = property(s, node.property).get(item);
      if (node.op === 'eq') return equals(actual, node.value);
      if (node.op === 'ne') return !equals(actual, node.value);
      return compareRange(actual, node.op, node.value);
    }
    case 'in': {
      const actual = property(s, node.property).get(item);
      return node.values.some((v) => equals(actual, v));
    }
    case 'call': {
      const { spec, value } = callShape(s, node.args, node.name);
      const actual = spec.get(item);
      const fn = node.name.toLowerCase();
      const hit = typeof actual === 'string' && (fn === 'startswith' ? fold(actual).startsWith(fold(value)) : fold(actual).endsWith(fold(value)));
      return node.negated ? !hit : hit;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// $search: tokenized on displayName/description, startsWith on other properties (search-query-parameter.md).

/** Splits on spaces, symbols, digit/letter boundaries and lower→upper case changes. */
export function searchTokens(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let prev: 'lower' | 'upper' | 'digit' | null = null;
  for (const ch of text.normalize('NFC')) {
    const kind = /\p{Lu}|\p{Lt}/u.test(ch) ? 'upper' : /\p{L}|\p{M}/u.test(ch) ? 'lower' : /\p{Nd}/u.test(ch) ? 'digit' : null;
    if (kind === null) {
      if (current) tokens.push(current);
      current = '';
      prev = null;
      continue;
    }
    const boundary = prev !== null && ((prev === 'digit') !== (kind === 'digit') || (prev === 'lower' && kind === 'upper'));
    if (boundary && current) {
      tokens.push(current);
      current = '';
    }
    current += ch;
    prev = kind;
  }
  if (current) tokens.push(current);
  return tokens.map(fold);
}

/** Every query token must begin one of the value's tokens, or a run of them ("helloworld" ~ "hello-world"). */
export function tokenizedMatch(value: string, query: string): boolean {
  const words = searchTokens(value);
  const wanted = searchTokens(query);
  if (wanted.length === 0) return false;
  const runs = words.map((_, i) => words.slice(i).join(''));
  return wanted.every((w) => runs.some((r) => r.startsWith(w)));
}

export function validateSearch<T>(node: SearchNode, s: ResourceSchema<T>): void {
  if (node.type !== 'term') {
    validateSearch(node.left, s);
    validateSearch(node.right, s);
    return;
  }
  const spec = property(s, node.property);
  if (!spec.search) throw QueryErrors.unsupportedSearch(spec.name, s.resource);
  if (node.value.trim() === '') throw QueryErrors.invalidSearch(`The clause for '${spec.name}' has no value.`);
}

export function matchesSearch<T>(node: SearchNode, item: T, s: ResourceSchema<T>): boolean {
  if (node.type !== 'term') {
    return node.type === 'and'
      ? matchesSearch(node.left, item, s) && matchesSearch(node.right, item, s)
      : matchesSearch(node.left, item, s) || matchesSearch(node.right, item, s);
  }
  const spec = property(s, node.property);
  const actual = spec.get(item);
  if (typeof actual !== 'string') return false;
  if (spec.search === 'tokenized') return tokenizedMatch(actual, node.value);
  return fold(actual).startsWith(fold(node.value.trim()));
}
