// A small, strict OData query parser for the Graph slice: `$filter` (comparison, `in`, `not`, `and`/`or`,
// parentheses, function calls), the directory `$search` syntax, `$select` and `$orderby`.
//
// Each parser is a real tokenizer plus recursive descent, bounded in input length, depth and node count, so any
// input yields either a well-formed AST or an `ODataSyntaxError` — never another exception, never a partial
// tree that could widen a query. Anything else escaping a parser is a bug, and the fuzz tests
// (conformance/odata-fuzz.test.ts) look for exactly that. What the AST *means* for users (which property
// supports which operator, by default or only as an advanced query) is decided in users.ts, not here.

/** Longest `$filter` / `$search` accepted (Graph limits advanced-query URLs to 2,048 characters). */
export const MAX_QUERY_LENGTH = 2048;
/** Nesting of parentheses and `not`. */
export const MAX_DEPTH = 32;
/** Comparisons, calls and `in` values in one expression. */
export const MAX_NODES = 256;

export class ODataSyntaxError extends Error {
  override readonly name = 'ODataSyntaxError';
  constructor(
    readonly option: '$filter' | '$search' | '$select' | '$orderby',
    readonly detail: string,
    readonly position: number,
  ) {
    super(`${option}: ${detail} (at position ${position})`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// $filter

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'number'; value: number }
  | { kind: 'dateTime'; value: Date; text: string };

export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type FilterArgument = { kind: 'property'; name: string; position: number } | { kind: 'literal'; value: Literal; position: number };

export type FilterNode =
  | { type: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { type: 'not'; operand: FilterNode; position: number }
  | { type: 'compare'; op: ComparisonOperator; property: string; value: Literal; position: number }
  | { type: 'in'; property: string; values: Literal[]; position: number }
  /** A function call used as a boolean (`startsWith(p,'x')`, or `startsWith(p,'x') eq true`). */
  | { type: 'call'; name: string; args: FilterArgument[]; position: number; negated: boolean };

type FilterTokenKind = 'lparen' | 'rparen' | 'comma' | 'string' | 'number' | 'dateTime' | 'word' | 'end';
interface FilterToken {
  kind: FilterTokenKind;
  text: string;
  position: number;
  value?: Literal;
}

const COMPARISON = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const RESERVED = new Set<string>([...COMPARISON, 'and', 'or', 'not', 'in', 'true', 'false', 'null', 'has']);

function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
}
const isDigit = (c: string) => c.length === 1 && c >= '0' && c <= '9';
const isLetter = (c: string) => c.length === 1 && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
const isIdentStart = (c: string) => isLetter(c) || c === '_';
const isIdentPart = (c: string) => isIdentStart(c) || isDigit(c) || c === '.';

function checkInput(option: ODataSyntaxError['option'], input: string): void {
  if (typeof input !== 'string') throw new ODataSyntaxError(option, 'the value is not a string', 0);
  if (input.length > MAX_QUERY_LENGTH) {
    throw new ODataSyntaxError(option, `the expression is longer than ${MAX_QUERY_LENGTH} characters`, MAX_QUERY_LENGTH);
  }
  for (let i = 0; i < input.length; i++) {
    if (isControl(input.charCodeAt(i))) throw new ODataSyntaxError(option, 'control characters are not allowed', i);
  }
  // A lone surrogate (from a bad percent-escape) is not text.
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(input)) {
    throw new ODataSyntaxError(option, 'the expression is not well-formed Unicode', 0);
  }
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2}))?/;

function tokenizeFilter(input: string): FilterToken[] {
  checkInput('$filter', input);
  const tokens: FilterToken[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    const start = i;
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c === '(' ? 'lparen' : c === ')' ? 'rparen' : 'comma', text: c, position: start });
      i++;
      continue;
    }
    if (c === "'") {
      // OData string literal: a quote inside is written twice ('O''Brien').
      let value = '';
      i++;
      for (;;) {
        if (i >= input.length) throw new ODataSyntaxError('$filter', 'unterminated string literal', start);
        const ch = input[i] as string;
        if (ch === "'") {
          if (input[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += ch;
        i++;
      }
      tokens.push({ kind: 'string', text: input.slice(start, i), position: start, value: { kind: 'string', value } });
      continue;
    }
    if (isDigit(c) || (c === '-' && isDigit(input[i + 1] ?? ''))) {
      const dt = DATE_TIME.exec(input.slice(i));
      if (dt && dt[0].length >= 10 && c !== '-') {
        const date = new Date(dt[0].length === 10 ? `${dt[0]}T00:00:00Z` : dt[0]);
        if (Number.isNaN(date.getTime())) throw new ODataSyntaxError('$filter', `invalid date '${dt[0]}'`, start);
        i += dt[0].length;
        tokens.push({ kind: 'dateTime', text: dt[0], position: start, value: { kind: 'dateTime', value: date, text: dt[0] } });
        continue;
      }
      i++;
      while (i < input.length && /[0-9.]/.test(input[i] as string)) i++;
      const text = input.slice(start, i);
      if (!/^-?\d{1,15}(\.\d{1,15})?$/.test(text)) throw new ODataSyntaxError('$filter', `invalid number '${text}'`, start);
      tokens.push({ kind: 'number', text, position: start, value: { kind: 'number', value: Number(text) } });
      continue;
    }
    if (isIdentStart(c)) {
      i++;
      while (i < input.length && isIdentPart(input[i] as string)) i++;
      if (i - start > 128) throw new ODataSyntaxError('$filter', 'identifier too long', start);
      tokens.push({ kind: 'word', text: input.slice(start, i), position: start });
      continue;
    }
    throw new ODataSyntaxError('$filter', `character '${c}' is not valid`, start);
  }
  tokens.push({ kind: 'end', text: '', position: input.length });
  return tokens;
}

class FilterParser {
  private pos = 0;
  private depth = 0;
  private nodes = 0;
  constructor(private readonly tokens: FilterToken[]) {}

  private peek(offset = 0): FilterToken {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)] as FilterToken;
  }
  private next(): FilterToken {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }
  private fail(detail: string, at = this.peek()): never {
    throw new ODataSyntaxError('$filter', detail, at.position);
  }
  private isWord(t: FilterToken, word: string): boolean {
    return t.kind === 'word' && t.text.toLowerCase() === word;
  }
  private expect(kind: FilterTokenKind, what: string): FilterToken {
    const t = this.peek();
    if (t.kind !== kind) this.fail(`expected ${what}`);
    return this.next();
  }
  private count(): void {
    if (++this.nodes > MAX_NODES) this.fail(`more than ${MAX_NODES} terms`);
  }
  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH}`);
  }

  parse(): FilterNode {
    if (this.peek().kind === 'end') this.fail('empty expression');
    const node = this.or();
    if (this.peek().kind !== 'end') this.fail(`unexpected '${this.peek().text}'`);
    return node;
  }

  private or(): FilterNode {
    let left = this.and();
    while (this.isWord(this.peek(), 'or')) {
      this.next();
      left = { type: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): FilterNode {
    let left = this.unary();
    while (this.isWord(this.peek(), 'and')) {
      this.next();
      left = { type: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): FilterNode {
    const t = this.peek();
    if (this.isWord(t, 'not')) {
      this.next();
      this.enter();
      const operand = this.unary();
      this.depth--;
      return { type: 'not', operand, position: t.position };
    }
    return this.primary();
  }

  private primary(): FilterNode {
    const t = this.peek();
    if (t.kind === 'lparen') {
      this.next();
      this.enter();
      const inner = this.or();
      this.depth--;
      this.expect('rparen', "')'");
      return inner;
    }
    if (t.kind !== 'word' || RESERVED.has(t.text.toLowerCase())) this.fail(t.kind === 'end' ? 'unexpected end of expression' : `unexpected '${t.text}'`);
    if (this.peek(1).kind === 'lparen') return this.call();
    return this.comparison();
  }

  private call(): FilterNode {
    const name = this.next();
    this.expect('lparen', "'('");
    const args: FilterArgument[] = [];
    if (this.peek().kind !== 'rparen') {
      for (;;) {
        args.push(this.argument());
        if (args.length > 8) this.fail('too many function arguments');
        if (this.peek().kind === 'comma') {
          this.next();
          continue;
        }
        break;
      }
    }
    this.expect('rparen', "')'");
    this.count();
    // `startsWith(p,'x') eq true` is the same call; `... eq false` its negation.
    let negated = false;
    const op = this.peek();
    if (op.kind === 'word' && (op.text.toLowerCase() === 'eq' || op.text.toLowerCase() === 'ne')) {
      this.next();
      const v = this.next();
      if (v.kind !== 'word' || !['true', 'false'].includes(v.text.toLowerCase())) this.fail('a function result can only be compared with true or false', v);
      negated = (v.text.toLowerCase() === 'true') !== (op.text.toLowerCase() === 'eq');
    }
    return { type: 'call', name: name.text, args, position: name.position, negated };
  }

  private argument(): FilterArgument {
    const t = this.peek();
    if (t.kind === 'word' && !RESERVED.has(t.text.toLowerCase())) {
      if (this.peek(1).kind === 'lparen') this.fail('nested function calls are not supported');
      this.next();
      return { kind: 'property', name: t.text, position: t.position };
    }
    return { kind: 'literal', value: this.literal(), position: t.position };
  }

  private literal(): Literal {
    const t = this.next();
    if ((t.kind === 'string' || t.kind === 'number' || t.kind === 'dateTime') && t.value) return t.value;
    if (t.kind === 'word') {
      const w = t.text.toLowerCase();
      if (w === 'true' || w === 'false') return { kind: 'boolean', value: w === 'true' };
      if (w === 'null') return { kind: 'null' };
    }
    return this.fail(t.kind === 'end' ? 'expected a literal' : `expected a literal, found '${t.text}'`, t);
  }

  private comparison(): FilterNode {
    const property = this.next();
    const op = this.peek();
    const word = op.kind === 'word' ? op.text.toLowerCase() : '';
    if (COMPARISON.has(word)) {
      this.next();
      const value = this.literal();
      this.count();
      return { type: 'compare', op: word as ComparisonOperator, property: property.text, value, position: property.position };
    }
    if (word === 'in') {
      this.next();
      this.expect('lparen', "'(' after 'in'");
      const values: Literal[] = [];
      for (;;) {
        values.push(this.literal());
        this.count();
        if (this.peek().kind === 'comma') {
          this.next();
          continue;
        }
        break;
      }
      this.expect('rparen', "')'");
      return { type: 'in', property: property.text, values, position: property.position };
    }
    return this.fail(op.kind === 'end' ? `expected an operator after '${property.text}'` : `unknown operator '${op.text}'`, op);
  }
}

/** Parses a `$filter` expression. Throws only `ODataSyntaxError`. */
export function parseFilter(input: string): FilterNode {
  return new FilterParser(tokenizeFilter(input)).parse();
}

// ---------------------------------------------------------------------------------------------------------
// $search (directory objects): `"property:value"` clauses joined by AND / OR outside the quotes.

export type SearchNode = { type: 'and' | 'or'; left: SearchNode; right: SearchNode } | { type: 'term'; property: string; value: string; position: number };

type SearchToken = { kind: 'clause'; text: string; position: number } | { kind: 'and' | 'or' | 'lparen' | 'rparen' | 'end'; position: number };

function tokenizeSearch(input: string): SearchToken[] {
  checkInput('$search', input);
  const tokens: SearchToken[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    const start = i;
    if (c === ' ') {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'lparen' : 'rparen', position: i });
      i++;
      continue;
    }
    if (c === '"') {
      let text = '';
      i++;
      for (;;) {
        if (i >= input.length) throw new ODataSyntaxError('$search', 'unterminated quoted clause', start);
        const ch = input[i] as string;
        if (ch === '\\') {
          const escaped = input[i + 1];
          if (escaped !== '"' && escaped !== '\\') throw new ODataSyntaxError('$search', 'only \\" and \\\\ may be escaped', i);
          text += escaped;
          i += 2;
          continue;
        }
        if (ch === '"') {
          i++;
          break;
        }
        text += ch;
        i++;
      }
      tokens.push({ kind: 'clause', text, position: start });
      continue;
    }
    if (input.startsWith('AND', i) || input.startsWith('OR', i)) {
      const word = input.startsWith('AND', i) ? 'AND' : 'OR';
      const after = input[i + word.length];
      if (after === undefined || after === ' ' || after === '(' || after === '"') {
        tokens.push({ kind: word === 'AND' ? 'and' : 'or', position: i });
        i += word.length;
        continue;
      }
    }
    throw new ODataSyntaxError('$search', `character '${c}' is not valid outside a quoted clause`, start);
  }
  tokens.push({ kind: 'end', position: input.length });
  return tokens;
}

class SearchParser {
  private pos = 0;
  private depth = 0;
  private nodes = 0;
  constructor(private readonly tokens: SearchToken[]) {}
  private peek(): SearchToken {
    return this.tokens[Math.min(this.pos, this.tokens.length - 1)] as SearchToken;
  }
  private next(): SearchToken {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }
  private fail(detail: string, at = this.peek()): never {
    throw new ODataSyntaxError('$search', detail, at.position);
  }
  parse(): SearchNode {
    if (this.peek().kind === 'end') this.fail('empty search');
    const node = this.or();
    if (this.peek().kind !== 'end') this.fail('expected AND or OR between clauses');
    return node;
  }
  private or(): SearchNode {
    let left = this.and();
    while (this.peek().kind === 'or') {
      this.next();
      left = { type: 'or', left, right: this.and() };
    }
    return left;
  }
  private and(): SearchNode {
    let left = this.primary();
    while (this.peek().kind === 'and') {
      this.next();
      left = { type: 'and', left, right: this.primary() };
    }
    return left;
  }
  private primary(): SearchNode {
    const t = this.next();
    if (t.kind === 'lparen') {
      if (++this.depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH}`, t);
      const inner = this.or();
      this.depth--;
      if (this.next().kind !== 'rparen') this.fail("expected ')'", t);
      return inner;
    }
    if (t.kind !== 'clause') return this.fail(t.kind === 'end' ? 'unexpected end of search' : 'expected a quoted "property:value" clause', t);
    if (++this.nodes > MAX_NODES) this.fail(`more than ${MAX_NODES} clauses`, t);
    const colon = t.text.indexOf(':');
    if (colon <= 0) this.fail('the property name is mandatory ("property:value")', t);
    const property = t.text.slice(0, colon).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(property)) this.fail(`invalid property name '${property}'`, t);
    return { type: 'term', property, value: t.text.slice(colon + 1), position: t.position };
  }
}

/** Parses a directory `$search` value. Throws only `ODataSyntaxError`. */
export function parseSearch(input: string): SearchNode {
  return new SearchParser(tokenizeSearch(input)).parse();
}

// ---------------------------------------------------------------------------------------------------------
// $select and $orderby

/** `$select=a,b,c`: property names as written (the caller maps them to the schema, case-insensitively). */
export function parseSelect(input: string): string[] {
  checkInput('$select', input);
  const names: string[] = [];
  let at = 0;
  for (const raw of input.split(',')) {
    const name = raw.trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) throw new ODataSyntaxError('$select', `invalid property '${name}'`, at);
    if (!names.includes(name)) names.push(name);
    at += raw.length + 1;
  }
  return names;
}

export interface OrderBy {
  property: string;
  descending: boolean;
}

/** `$orderby=displayName` / `displayName desc`, comma-separated. */
export function parseOrderBy(input: string): OrderBy[] {
  checkInput('$orderby', input);
  const out: OrderBy[] = [];
  let at = 0;
  for (const raw of input.split(',')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]{0,127})(?:\s+(asc|desc))?\s*$/i.exec(raw);
    if (!m?.[1]) throw new ODataSyntaxError('$orderby', `invalid sort clause '${raw.trim()}'`, at);
    out.push({ property: m[1], descending: (m[2] ?? '').toLowerCase() === 'desc' });
    at += raw.length + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Key-as-parenthesis: `/users('$x@y.com')/...` is the same resource as `/users/%24x%40y.com/...`
// (user-get.md: a UPN that starts with `$` must use this form).

const KEY_SEGMENT = /^(\/(?:v1\.0|beta)\/users)\('((?:[^']|'')*)'\)(\/[^?]*)?(\?.*)?$/;

/** Rewrites the parenthesised key form to a plain, percent-encoded path segment; other URLs pass unchanged. */
export function rewriteKeySegment(url: string): string {
  if (!/^\/(?:v1\.0|beta)\/users(?:\(|%28)/i.test(url)) return url;
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).replace(/%27/gi, "'").replace(/%28/gi, '(').replace(/%29/gi, ')');
  const m = KEY_SEGMENT.exec(path + (q < 0 ? '' : url.slice(q)));
  if (!m) return url;
  const [, base, rawKey = '', rest = '', query = ''] = m;
  let key: string;
  try {
    key = decodeURIComponent(rawKey);
  } catch {
    return url;
  }
  return `${base}/${encodeURIComponent(key.replaceAll("''", "'"))}${rest}${query}`;
}
