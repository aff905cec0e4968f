// The `$filter` parser of the Graph slice: comparison, `in`, `not`, `and`/`or`, parentheses, function calls.
//
// A real tokenizer plus recursive descent, bounded in input length, depth and node count (the limits and the
// error type are in odata.ts), so any input yields either a well-formed AST or an `ODataSyntaxError`, never
// another exception. What the AST *means* for a resource is decided in odata-schema.ts, not here.
import { MAX_DEPTH, MAX_NODES, ODataSyntaxError, checkInput } from './odata';

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

const isDigit = (c: string) => c.length === 1 && c >= '0' && c <= '9';
const isLetter = (c: string) => c.length === 1 && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
const isIdentStart = (c: string) => isLetter(c) || c === '_';
const isIdentPart = (c: string) => isIdentStart(c) || isDigit(c) || c === '.';

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
