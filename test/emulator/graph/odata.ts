// A small, strict OData query parser for the Graph slice: the directory `$search` syntax, `$select` and
// `$orderby` here, `$filter` (comparison, `in`, `not`, `and`/`or`, parentheses, function calls) in odata-filter.ts.
//
// Each parser is a real tokenizer plus recursive descent, bounded in input length, depth and node count, so any
// input yields either a well-formed AST or an `ODataSyntaxError` — never another exception, never a partial
// tree that could widen a query. Anything else escaping a parser is a bug, and the fuzz tests
// (conformance/odata-fuzz.test.ts) look for exactly that. What the AST *means* for a resource (which property
// supports which operator, by default or only as an advanced query) is decided in odata-schema.ts, not here.

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

function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
}

/** What every option's text must be before it is parsed: a bounded, well-formed string without control characters. */
export function checkInput(option: ODataSyntaxError['option'], input: string): void {
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
