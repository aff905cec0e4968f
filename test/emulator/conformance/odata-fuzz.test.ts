// The OData parser and the users endpoint under hostile input: any string gives a typed parse error or a
// well-formed AST, quickly; generated ASTs survive a print/parse round trip (quotes doubled, backslashes
// escaped); over HTTP the emulator answers 200 or the documented 400 and keeps serving. Bad tokens get the
// right 401.
import fc from 'fast-check';
import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../index';
import { MAX_DEPTH, MAX_NODES, MAX_QUERY_LENGTH, ODataSyntaxError, parseSearch, type SearchNode } from '../graph/odata';
import { parseFilter, type FilterNode, type Literal } from '../graph/odata-filter';
import { accessTokenFor } from '../support/tokens';
import { graphGet, httpRequest, type HttpResponse } from '../support/http';

const ALEX = 'alex.wilber@tapkioskdemo.onmicrosoft.com';
const SEED = 0x7a9; // fixed, so a failure reproduces; fast-check prints the counterexample

// ---------------------------------------------------------------------------------------------------------
// What a well-formed AST is.

const IDENT = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const OPS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

function literalOk(l: Literal): boolean {
  switch (l.kind) {
    case 'string':
      return typeof l.value === 'string';
    case 'boolean':
      return typeof l.value === 'boolean';
    case 'null':
      return true;
    case 'number':
      return Number.isFinite(l.value);
    case 'dateTime':
      return l.value instanceof Date && !Number.isNaN(l.value.getTime());
    default:
      return false;
  }
}

function filterWellFormed(n: FilterNode, depth = 0, count = { n: 0 }): boolean {
  if (depth > 2 * MAX_DEPTH + MAX_NODES || ++count.n > 4 * MAX_NODES) return false;
  switch (n.type) {
    case 'and':
    case 'or':
      return filterWellFormed(n.left, depth + 1, count) && filterWellFormed(n.right, depth + 1, count);
    case 'not':
      return filterWellFormed(n.operand, depth + 1, count);
    case 'compare':
      return OPS.has(n.op) && IDENT.test(n.property) && literalOk(n.value);
    case 'in':
      return IDENT.test(n.property) && n.values.length > 0 && n.values.every(literalOk);
    case 'call':
      return IDENT.test(n.name) && typeof n.negated === 'boolean' && n.args.every((a) => (a.kind === 'property' ? IDENT.test(a.name) : literalOk(a.value)));
    default:
      return false;
  }
}

function searchWellFormed(n: SearchNode): boolean {
  if (n.type === 'term') return /^[A-Za-z_][A-Za-z0-9_]*$/.test(n.property) && typeof n.value === 'string';
  return (n.type === 'and' || n.type === 'or') && searchWellFormed(n.left) && searchWellFormed(n.right);
}

/** Parses, and says which of the two allowed outcomes happened; anything else fails the property. */
function outcome<T>(parse: (s: string) => T, wellFormed: (t: T) => boolean, input: string): 'ast' | 'error' {
  const started = performance.now();
  try {
    const ast = parse(input);
    if (!wellFormed(ast)) throw new Error(`malformed AST for ${JSON.stringify(input)}`);
    return 'ast';
  } catch (e) {
    if (!(e instanceof ODataSyntaxError)) throw e;
    if (!(e.position >= 0)) throw new Error(`parse error without a position for ${JSON.stringify(input)}`);
    return 'error';
  } finally {
    // Generous for a loaded 2-core CI machine; a quadratic or runaway parse takes far longer.
    const ms = performance.now() - started;
    if (ms > 1000) throw new Error(`parsing took ${ms.toFixed(0)} ms for ${JSON.stringify(input.slice(0, 80))}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Inputs.

const VALID_FILTERS = [
  "displayName eq 'Megan Bowen'",
  "startswith(displayName,'O''Brien')",
  "startsWith(userPrincipalName, 'alex') or startsWith(mail, 'alex')",
  "(startswith(givenName,'A') or startswith(givenName,'M')) and department eq 'IT'",
  'accountEnabled eq false',
  "userType eq 'Guest'",
  "id in ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000010')",
  "not(userType eq 'Member') and accountEnabled eq true",
  "endswith(mail,'@fabrikam.com') eq true",
  'createdDateTime ge 2021-11-01T00:00:00Z',
  "employeeId eq null or employeeId eq 'E2010'",
];
const VALID_SEARCHES = [
  '"displayName:wil"',
  '"displayName:megan" OR "displayName:adele"',
  '("displayName:a" OR "displayName:m") AND "mail:adele"',
  '"displayName:\\"q\\" \\\\ x"',
];

const INJECTIONS = [
  "' or 1 eq 1",
  "') or startswith(displayName,'",
  "' or ''='",
  "x' or displayName ne '",
  "'; DROP TABLE users; --",
  '") OR ("displayName:',
  '\\" OR \\"',
  '${7*7}',
  '{{7*7}}',
  '__proto__ eq 1',
  "constructor eq 'x'",
  "displayName eq 'a' or true",
  "displayName eq 'a' or 1",
  '1 eq 1',
  'true',
  "startswith(displayName,'a')) or ((true",
  "eval('1')",
  "displayName eq 'a'\u0000 or 1 eq 1",
  "displayName eq 'a'\r\nor 1 eq 1",
  "'\u202e' or 1 eq 1",
  "displayName eq 'a' %26 mail eq 'b'",
];

const HOSTILE_CHARS = [
  "'",
  '"',
  '(',
  ')',
  ',',
  ' ',
  '\\',
  '\u0000',
  '\t',
  '\n',
  '%',
  '$',
  '/',
  ':',
  '@',
  '#',
  '&',
  '=',
  'é',
  '\u{1F600}',
  '\uD800',
  'or',
  'and',
  'not',
  'eq',
  'in',
];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...HOSTILE_CHARS) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(s: string, ms: Mutation[]): string {
  for (const m of ms) {
    const at = s.length === 0 ? 0 : m.at % (s.length + 1);
    if (m.kind === 'insert') s = s.slice(0, at) + m.text + s.slice(at);
    else if (m.kind === 'delete') s = s.slice(0, at) + s.slice(at + m.len);
    else s = s.slice(0, at) + s.slice(at, at + m.len) + s.slice(at);
  }
  return s;
}

const mutatedFilter = fc
  .tuple(fc.constantFrom(...VALID_FILTERS, ...INJECTIONS), fc.array(mutation, { minLength: 1, maxLength: 5 }))
  .map(([s, ms]) => mutate(s, ms));
const mutatedSearch = fc
  .tuple(fc.constantFrom(...VALID_SEARCHES, ...INJECTIONS), fc.array(mutation, { minLength: 1, maxLength: 5 }))
  .map(([s, ms]) => mutate(s, ms));
const hostile = (base: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 3, arbitrary: base },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
    { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...HOSTILE_CHARS, 'displayName', 'x'), maxLength: 30 }).map((s) => s) },
    { weight: 1, arbitrary: fc.constantFrom(...INJECTIONS) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 400 }).map((n) => `${'('.repeat(n)}displayName eq 'a'${')'.repeat(n)}`) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 400 }).map((n) => `${'not '.repeat(n)}displayName eq 'a'`) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 600 }).map((n) => `displayName eq 'a'${" or displayName eq 'a'".repeat(n)}`) },
    { weight: 1, arbitrary: fc.integer({ min: MAX_QUERY_LENGTH - 20, max: 6000 }).map((n) => `displayName eq '${'a'.repeat(n)}'`) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((n) => "'".repeat(n)) },
  );

// Generated ASTs, printed the way a careful client would, must parse back to themselves.
const property = fc.constantFrom('displayName', 'mail', 'userType', 'accountEnabled', 'employeeId', 'surname');
const printable = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(s));
const literal: fc.Arbitrary<Literal> = fc.oneof(
  printable.map((value) => ({ kind: 'string' as const, value })),
  fc.boolean().map((value) => ({ kind: 'boolean' as const, value })),
  fc.constant({ kind: 'null' as const }),
  fc.integer({ min: -99999, max: 99999 }).map((value) => ({ kind: 'number' as const, value })),
);
type Gen =
  | { type: 'and' | 'or'; left: Gen; right: Gen }
  | { type: 'not'; operand: Gen }
  | { type: 'compare'; op: string; property: string; value: Literal }
  | { type: 'in'; property: string; values: Literal[] }
  | { type: 'call'; name: string; args: unknown[]; negated: false };
const filterAst = fc.letrec<{ node: Gen }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ type: fc.constant('compare' as const), op: fc.constantFrom('eq', 'ne', 'gt', 'ge', 'lt', 'le'), property, value: literal }),
    fc.record({ type: fc.constant('in' as const), property, values: fc.array(literal, { minLength: 1, maxLength: 4 }) }),
    fc.tuple(fc.constantFrom('startswith', 'endsWith'), property, printable).map(([name, p, v]) => ({
      type: 'call' as const,
      name,
      args: [
        { kind: 'property', name: p },
        { kind: 'literal', value: { kind: 'string', value: v } },
      ],
      negated: false as const,
    })),
    fc.record({ type: fc.constant('not' as const), operand: tie('node') }),
    fc.record({ type: fc.constantFrom('and' as const, 'or' as const), left: tie('node'), right: tie('node') }),
  ) as fc.Arbitrary<Gen>,
}));

function printLiteral(l: Literal): string {
  if (l.kind === 'string') return `'${l.value.replaceAll("'", "''")}'`;
  if (l.kind === 'null') return 'null';
  if (l.kind === 'dateTime') return l.text;
  return String(l.value);
}
function printFilter(n: Gen): string {
  switch (n.type) {
    case 'and':
    case 'or':
      return `(${printFilter(n.left)}) ${n.type} (${printFilter(n.right)})`;
    case 'not':
      return `not (${printFilter(n.operand)})`;
    case 'compare':
      return `${n.property} ${n.op} ${printLiteral(n.value)}`;
    case 'in':
      return `${n.property} in (${n.values.map(printLiteral).join(', ')})`;
    case 'call': {
      const [p, v] = n.args as [{ name: string }, { value: Literal }];
      return `${n.name}(${p.name}, ${printLiteral(v.value)})`;
    }
  }
}
function withoutPositions(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(withoutPositions);
  if (x && typeof x === 'object')
    return Object.fromEntries(
      Object.entries(x)
        .filter(([k]) => k !== 'position')
        .map(([k, v]) => [k, withoutPositions(v)]),
    );
  return x;
}

type SGen = { type: 'and' | 'or'; left: SGen; right: SGen } | { type: 'term'; property: string; value: string };
const searchAst = fc.letrec<{ node: SGen }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ type: fc.constant('term' as const), property: fc.constantFrom('displayName', 'mail', 'givenName'), value: printable }),
    fc.record({ type: fc.constantFrom('and' as const, 'or' as const), left: tie('node'), right: tie('node') }),
  ) as fc.Arbitrary<SGen>,
}));
function printSearch(n: SGen): string {
  if (n.type === 'term') return `"${n.property}:${n.value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  return `(${printSearch(n.left)}) ${n.type.toUpperCase()} (${printSearch(n.right)})`;
}

// ---------------------------------------------------------------------------------------------------------

describe('OData parser properties', () => {
  it('parses every valid filter and search in the corpus', () => {
    for (const f of VALID_FILTERS) expect(filterWellFormed(parseFilter(f)), f).toBe(true);
    for (const s of VALID_SEARCHES) expect(searchWellFormed(parseSearch(s)), s).toBe(true);
  });

  it('$filter: any string gives a typed parse error or a well-formed AST, within bounded time', () => {
    fc.assert(
      fc.property(hostile(mutatedFilter), (s) => {
        outcome(parseFilter, (a) => filterWellFormed(a), s);
      }),
      { numRuns: 600, seed: SEED },
    );
  });

  it('$search: any string gives a typed parse error or a well-formed AST, within bounded time', () => {
    fc.assert(
      fc.property(hostile(mutatedSearch), (s) => {
        outcome(parseSearch, searchWellFormed, s);
      }),
      { numRuns: 1500, seed: SEED },
    );
  });

  it('rejects inputs beyond the length, depth and node bounds with a parse error', () => {
    expect(() => parseFilter(`displayName eq '${'a'.repeat(MAX_QUERY_LENGTH)}'`)).toThrow(ODataSyntaxError);
    expect(() => parseFilter(`${'('.repeat(MAX_DEPTH + 1)}displayName eq 'a'${')'.repeat(MAX_DEPTH + 1)}`)).toThrow(ODataSyntaxError);
    expect(() => parseFilter(`${'not '.repeat(MAX_DEPTH + 1)}accountEnabled eq true`)).toThrow(ODataSyntaxError);
    expect(() => parseFilter(Array.from({ length: MAX_NODES + 1 }, () => 'accountEnabled eq true').join(' or '))).toThrow(ODataSyntaxError);
    expect(() => parseSearch(`${'('.repeat(MAX_DEPTH + 1)}"displayName:a"${')'.repeat(MAX_DEPTH + 1)}`)).toThrow(ODataSyntaxError);
    expect(filterWellFormed(parseFilter(`${'('.repeat(MAX_DEPTH)}displayName eq 'a'${')'.repeat(MAX_DEPTH)}`))).toBe(true);
  });

  it('$filter: a generated AST printed with doubled quotes parses back to itself', () => {
    fc.assert(
      fc.property(filterAst.node, (ast) => {
        const printed = printFilter(ast);
        fc.pre(printed.length <= MAX_QUERY_LENGTH);
        expect(withoutPositions(parseFilter(printed))).toEqual(withoutPositions(ast));
      }),
      { numRuns: 1000, seed: SEED },
    );
  });

  it('$search: a generated AST printed with backslash escapes parses back to itself', () => {
    fc.assert(
      fc.property(searchAst.node, (ast) => {
        const printed = printSearch(ast);
        fc.pre(printed.length <= MAX_QUERY_LENGTH);
        expect(withoutPositions(parseSearch(printed))).toEqual(withoutPositions(ast));
      }),
      { numRuns: 1000, seed: SEED },
    );
  });

  it('never turns an injection string into a query: each is a parse error (or, if well-formed, names no real property)', () => {
    const wellFormedButMeaningless = new Set(['__proto__ eq 1', "constructor eq 'x'", "eval('1')"]);
    for (const s of INJECTIONS.filter((x) => !wellFormedButMeaningless.has(x))) expect(() => parseFilter(s), s).toThrow(ODataSyntaxError);
  });
});

// ---------------------------------------------------------------------------------------------------------

let emu: Emulator;
let token: string;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => emu.close());
beforeEach(async () => {
  emu.reset();
  token = await accessTokenFor(emu, ALEX);
});

/** Percent-encodes like a client; a lone surrogate (which encodeURIComponent refuses) goes out as raw invalid UTF-8. */
function encode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return Array.from(s, (ch) => {
      try {
        return encodeURIComponent(ch);
      } catch {
        return '%ED%A0%80';
      }
    }).join('');
  }
}

/** Node refuses request heads over 16 KB (431) before any handler runs; the parser tests cover longer inputs. */
const fitsInUrl = (s: string) => encode(s).length <= 8000;

const DOCUMENTED_400 = new Set(['BadRequest', 'Request_BadRequest', 'Request_UnsupportedQuery']);

function expectDocumentedAnswer(res: HttpResponse, input: string) {
  const where = `${res.status} for ${JSON.stringify(input.slice(0, 200))}: ${res.text.slice(0, 300)}`;
  expect([200, 400], where).toContain(res.status);
  const body = res.json();
  if (res.status === 400) {
    expect(DOCUMENTED_400.has(body.error.code), where).toBe(true);
    expect(typeof body.error.message).toBe('string');
    expect(body.error.innerError['request-id']).toBe(res.headers['request-id']);
  } else {
    expect(Array.isArray(body.value), where).toBe(true);
    expect(body.value.length).toBeLessThanOrEqual(18);
  }
}

async function inBatches<T>(items: T[], size: number, fn: (t: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

describe('GET /users under hostile $filter and $search', () => {
  it('answers a few hundred hostile $filter strings with 200 or a documented 400, and keeps serving', async () => {
    const inputs = [...INJECTIONS, ...fc.sample(hostile(mutatedFilter), { numRuns: 260, seed: SEED })].filter(fitsInUrl);
    const advanced = { ConsistencyLevel: 'eventual' };
    await inBatches(inputs, 12, async (s) => {
      // Half of them as advanced queries (header + $count=true), so both rule sets are exercised.
      const adv = s.length % 2 === 1;
      const url = `${emu.urls.graph}/users?$select=displayName${adv ? '&$count=true' : ''}&$filter=${encode(s)}`;
      const res = await httpRequest(url, { ca: emu.caPem, headers: { authorization: `Bearer ${token}`, ...(adv ? advanced : {}) } });
      expectDocumentedAnswer(res, s);
    });
    const after = await graphGet(emu, token, '/users', { $select: 'id' });
    expect(after.status).toBe(200);
    expect(after.json().value.length).toBe(18);
  });

  it('answers a few hundred hostile $search strings with 200 or a documented 400, and keeps serving', async () => {
    const inputs = [...INJECTIONS, ...fc.sample(hostile(mutatedSearch), { numRuns: 260, seed: SEED })].filter(fitsInUrl);
    expect(inputs.length).toBeGreaterThan(200);
    await inBatches(inputs, 12, async (s) => {
      const url = `${emu.urls.graph}/users?$select=displayName&$search=${encode(s)}`;
      const res = await httpRequest(url, { ca: emu.caPem, headers: { authorization: `Bearer ${token}`, ConsistencyLevel: 'eventual' } });
      expectDocumentedAnswer(res, s);
    });
    expect((await graphGet(emu, token, '/users', { $search: '"displayName:megan"' }, { ConsistencyLevel: 'eventual' })).json().value.length).toBe(1);
  });

  it('answers every injection string used as the whole $filter with 400, never 200', async () => {
    await inBatches(INJECTIONS, 8, async (s) => {
      const res = await graphGet(emu, token, '/users', { $filter: s });
      expect(res.status, s).toBe(400);
      expectDocumentedAnswer(res, s);
    });
  });

  it('never widens a query: an escaped hostile value is a literal and matches no one', async () => {
    await inBatches(INJECTIONS, 8, async (s) => {
      const res = await graphGet(emu, token, '/users', { $filter: `displayName eq '${s.replaceAll("'", "''")}'` });
      if (res.status === 200) expect(res.json().value, s).toEqual([]);
      else expectDocumentedAnswer(res, s); // control characters stay refused even inside a literal
    });
  });
});

describe('bad tokens on /users', () => {
  const expect401 = (res: HttpResponse, message: string) => {
    expect(res.status).toBe(401);
    expect(res.json().error).toMatchObject({ code: 'InvalidAuthenticationToken', message });
  };

  it('refuses a forged signature', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const claims = decodeJwt(token);
    const header = decodeProtectedHeader(token);
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: header.kid ?? '' }).sign(privateKey);
    expect401(await graphGet(emu, forged, '/users'), 'Access token validation failure. Invalid signature.');
  });

  it('refuses an expired token (clock moved 61 minutes)', async () => {
    emu.advanceClock(61);
    expect401(await graphGet(emu, token, '/users'), 'Lifetime validation failed, the token is expired.');
  });

  it('refuses a token for another audience', async () => {
    const other = await accessTokenFor(emu, ALEX, { audience: 'api://some-other-api' });
    expect401(await graphGet(emu, other, '/users'), 'Access token validation failure. Invalid audience.');
  });

  it('refuses garbage and keeps serving', async () => {
    expect401(await graphGet(emu, 'not.a.jwt', '/users'), 'Access token validation failure.');
    expect((await graphGet(emu, token, '/users', { $top: '1' })).status).toBe(200);
  });
});
