// What the operator typed (or the badge scanner sent) → one Graph user query, or a `bad-input` refusal that
// names the problem. Nothing reaches Graph unless it is classified and validated here first.
//
// What we accept (after Unicode NFC, trimming, and collapsing runs of spaces):
//
//   badge        a keyboard-wedge burst: the text ends with one Enter (CR, LF or CR LF) — the renderer hands over
//                the whole burst. Format: [prefix] EMPLOYEE-ID [suffix] Enter, where prefix and suffix are the
//                station's configured framing (e.g. `;` and `?` for a track-2 style reader; none by default) and
//                EMPLOYEE-ID is 1-16 letters, digits, `.`, `_` or `-` (Graph's employeeId is at most 16
//                characters). When a prefix or suffix is configured, a burst without it is refused. Matched
//                exactly: `employeeId eq '…'`.
//   upn / mail   contains `@`: one `@`, no spaces. Exact match on either: `userPrincipalName eq '…' or mail eq '…'`
//                (both are supported with `eq` by default). The kind reported is `upn` unless only a mail matched.
//   employee-id  one word of 1-16 letters/digits/`.`/`_`/`-` that contains a digit (`E2010`, `C2020`; a name has
//                none). The default is an exact match, `employeeId eq '…'`. A station may choose
//                `employeeIdMatch: 'prefix'`: then the query is `startsWith(employeeId,'E20')` in `$filter`,
//                which Microsoft documents for employeeId (Graph v1.0 user resource: "Supports `$filter` (`eq`,
//                `ne`, `not`, `ge`, `le`, `in`, `startsWith`, and `eq` on `null` values)",
//                learn.microsoft.com/graph/api/resources/user). Unlike `$search` it needs no advanced query, so
//                a just-created user is found at once (no eventual consistency).
//   display-name anything else made of letters, marks, digits, spaces, apostrophes (' ’), hyphens, periods and at
//                most one comma. A prefix match, with the default (non-advanced) `startswith`:
//                  one word   startswith(displayName|givenName|surname, 'w')
//                  "a b …"    startswith(displayName,'a b …') or, for each split into first/last words,
//                             (startswith(givenName,first) and startswith(surname,last)) and the reverse, so
//                             "Zoë Müller" finds Zoë Müller-Lüdenscheidt and "Bowen Megan" finds Megan Bowen
//                  "Last, First"  (startswith(surname,'Last') and startswith(givenName,'First')) or displayName
//                  one plain word also in the spellings the directory may hold (`nameSpellings`): "obrien" tries
//                  startswith(surname,'o''brien'), "muller" startswith(givenName|surname,'müller')
//                and the start of the user name and mail, folded (`addressPrefixes`): "Sean O'Brien" and "Seán" also
//                  try startswith(userPrincipalName|mail,'sean.obrien' / 'sean'), "Müller" also 'muller' and
//                  'mueller', so a name typed without its accents or apostrophe finds the person whose sign-in name
//                  is written that way. Graph's startswith compares
//                  case-insensitively but does not fold diacritics ("Sean" does not begin "Seán"); userPrincipalName and
//                  mail support startsWith by default (v1.0 user resource, learn.microsoft.com/graph/api/resources/user:
//                  "Supports $filter (eq, ne, not, ge, le, in, startsWith, …)").
//                We chose this over `$search` tokenized matching: it needs no advanced query (no eventual
//                consistency, no ConsistencyLevel header) and it matches the given-name/surname split that
//                `$search` on displayName cannot see.
//
// Refused, with a message naming what is wrong: empty input; more than 256 characters; control characters and
// line breaks (other than the one Enter that ends a badge burst); invisible formatting characters (zero-width,
// bidi overrides); text that is not well-formed Unicode; wildcards (* ? %); parentheses; characters that have no
// place in a name (" \ = < > & | ; $ { } [ ] / : ! # ^ ` + and the like); a quote next to an OData operator word
// (`x' or …`), which is what an injection attempt looks like; more than one comma; a name without letters.
//
// Literals are quoted the OData way (a quote inside is doubled: 'O''Brien'), and `$search` values escape `"` and
// `\` with a backslash, so even an input that passed these rules can only ever be one literal of the intended
// clause. The gateway percent-encodes every query value.
import type { QueryKind } from '../../common/directory';
import { badInput } from './errors';

export const MAX_INPUT_LENGTH = 256;
/** Graph's limit for employeeId. */
export const MAX_EMPLOYEE_ID_LENGTH = 16;

export interface BadgeFormat {
  /** Characters the reader sends before the id (e.g. `;`). */
  prefix?: string;
  /** Characters the reader sends after the id, before Enter (e.g. `?`). */
  suffix?: string;
}

export interface SearchOptions {
  badge?: BadgeFormat;
  /** `exact` (default): employeeId eq. `prefix`: startsWith(employeeId, …) as described above. */
  employeeIdMatch?: 'exact' | 'prefix';
}

/** One Graph query for /users. Values are raw here; the gateway percent-encodes them. */
export interface UserQuery {
  kind: QueryKind;
  /** The normalised text that was searched for (the employee id for a badge). */
  term: string;
  filter?: string;
  search?: string;
  /** Send `ConsistencyLevel: eventual` and `$count=true`. */
  advanced: boolean;
}

const OPERATION = 'search for a person';

/** An OData string literal: quoted, with quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A `$search` clause `"property:value"` with `"` and `\` escaped. */
export function searchClause(property: string, value: string): string {
  return `"${property}:${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

const EMPLOYEE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/;
const UPN_LOCAL = /^[\p{L}\p{N}._%+'!#^~&$=-]+$/u;
const UPN_DOMAIN = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)+$/u;
const NAME_CHARS = /^[\p{L}\p{M}\p{N} '’.,-]+$/u;
const OPERATOR_WORDS = 'eq|ne|gt|ge|lt|le|or|and|not|in|has|startswith|endswith';
/** A quote next to an operator word, across spaces: `x' or y`, `a eq 'b`. */
const EXPRESSION = new RegExp(`['’]\\s+(?:${OPERATOR_WORDS})\\b|\\b(?:${OPERATOR_WORDS})\\s+['’]`, 'iu');

const hex = (c: string) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

function describeChar(c: string): string {
  if (c === '(' || c === ')') return 'Parentheses cannot be part of a name search';
  if (c === '*' || c === '?' || c === '%') return `Wildcards ('${c}') are not supported: type the beginning of the name instead`;
  if (/\p{L}|\p{N}/u.test(c)) return `The character '${c}' cannot be part of a name search`;
  return `The character '${c}' (${hex(c)}) cannot be part of a name search`;
}

/** Control, format and encoding problems, anywhere in the text. */
function checkCharacters(text: string): void {
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)) {
    throw badInput('The text is not valid Unicode (a broken character); type it again', OPERATION);
  }
  for (const c of text) {
    if (c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029' || c === '\u0085') {
      throw badInput('The text contains a line break: search for one person at a time (a badge scan ends with a single Enter)', OPERATION);
    }
    if (c === '\t') throw badInput('The text contains a tab character', OPERATION);
    if (/\p{Cc}/u.test(c)) throw badInput(`The text contains a control character (${hex(c)})`, OPERATION);
    if (/\p{Cf}|\p{Co}|\p{Cn}/u.test(c)) throw badInput(`The text contains an invisible or unassigned character (${hex(c)})`, OPERATION);
  }
}

function badgeQuery(body: string, badge: BadgeFormat): UserQuery {
  let id = body;
  const prefix = badge.prefix ?? '';
  const suffix = badge.suffix ?? '';
  if (prefix) {
    if (!id.startsWith(prefix)) throw badInput(`The badge scan does not start with this station’s badge prefix '${prefix}'`, OPERATION);
    id = id.slice(prefix.length);
  }
  if (suffix) {
    if (!id.endsWith(suffix)) throw badInput(`The badge scan does not end with this station’s badge suffix '${suffix}'`, OPERATION);
    id = id.slice(0, id.length - suffix.length);
  }
  id = id.trim();
  if (!EMPLOYEE_ID.test(id)) {
    throw badInput(
      `The badge did not read as an employee id (1 to ${MAX_EMPLOYEE_ID_LENGTH} letters, digits, '.', '_' or '-'); scan it again or type the name`,
      OPERATION,
    );
  }
  return { kind: 'badge', term: id, filter: `employeeId eq ${odataString(id)}`, advanced: false };
}

function addressQuery(term: string): UserQuery {
  const at = term.indexOf('@');
  const local = term.slice(0, at);
  const domain = term.slice(at + 1);
  if (term.includes(' ')) throw badInput('A user name or e-mail address has no spaces', OPERATION);
  if (domain.includes('@')) throw badInput("A user name or e-mail address has exactly one '@'", OPERATION);
  if (!local || !UPN_LOCAL.test(local)) {
    throw badInput("The part before '@' is not a valid user name (letters, digits and . _ - + ' only)", OPERATION);
  }
  if (!UPN_DOMAIN.test(domain)) throw badInput("The part after '@' is not a domain name (e.g. contoso.com)", OPERATION);
  const literal = odataString(term);
  return { kind: 'upn', term, filter: `userPrincipalName eq ${literal} or mail eq ${literal}`, advanced: false };
}

function employeeIdQuery(term: string, match: 'exact' | 'prefix'): UserQuery {
  if (match === 'prefix') return { kind: 'employee-id', term, filter: `startsWith(employeeId,${odataString(term)})`, advanced: false };
  return { kind: 'employee-id', term, filter: `employeeId eq ${odataString(term)}`, advanced: false };
}

const starts = (property: string, value: string) => `startswith(${property},${odataString(value)})`;
const both = (given: string, surname: string) => `(${starts('givenName', given)} and ${starts('surname', surname)})`;

/** Longest name for which the given-name/surname combinations are added (keeps the URL well under Graph's limit). */
const COMBINATION_MAX_LENGTH = 64;
const COMBINATION_MAX_WORDS = 4;

/**
 * A name as the station compares names itself: diacritics and apostrophes dropped, lower case ("Seán O'Brien" →
 * "sean obrien", "Müller" → "muller").
 */
export function foldName(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').replace(/['’]/g, '').toLowerCase();
}

/**
 * How a typed name may begin a user name or mail address: folded, words joined by dots, "Last, First" turned round
 * ("O'Brien, Seán" → "sean.obrien"). Null when the folded text is not plain ASCII (then it cannot begin one).
 */
export function addressPrefix(term: string): string | null {
  const [before = '', after] = term.split(',');
  const ordered = after === undefined ? before : `${after} ${before}`;
  const prefix = foldName(ordered).trim().split(/[\s]+/).filter(Boolean).join('.');
  return /^[a-z0-9][a-z0-9._-]*$/.test(prefix) ? prefix : null;
}

const GERMAN: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss' };
const UMLAUT: Record<string, string> = { a: 'ä', o: 'ö', u: 'ü' };

/**
 * Every way a typed name may begin a user name or mail: folded ("Müller" → "muller") and, where it has umlauts,
 * written the German way ("mueller"), as user names often are.
 */
export function addressPrefixes(term: string): string[] {
  const german = term.toLowerCase().replace(/[äöüß]/g, (c) => GERMAN[c] ?? c);
  return [...new Set([addressPrefix(term), addressPrefix(german)])].filter((p): p is string => p !== null);
}

/**
 * Other spellings of one plain typed word, as the directory may hold the name (Graph's startswith folds case, not
 * accents or apostrophes): `surname` — an elided apostrophe after a leading O, D or L ("obrien" → "o'brien",
 * "o’brien"); `both` (given name and surname) — umlauts, from "ue/oe/ae" or else on the first a/o/u ("mueller",
 * "muller" → "müller", "jurgen" → "jürgen").
 */
export function nameSpellings(word: string): { surname: string[]; both: string[] } {
  const w = word.toLowerCase();
  if (!/^[a-z]{3,}$/.test(w)) return { surname: [], both: [] };
  const surname = /^[dlo]/.test(w) ? [`${w[0]}'${w.slice(1)}`, `${w[0]}’${w.slice(1)}`] : [];
  const umlaut = /[aou]e/.test(w) ? w.replace(/([aou])e/g, (_, v: string) => UMLAUT[v] ?? v) : w.replace(/[aou]/, (v) => UMLAUT[v] ?? v);
  const german = umlaut.replace(/[äöü]/g, (c) => GERMAN[c] ?? c);
  return { surname, both: [umlaut, german].filter((v, i, all) => v !== w && all.indexOf(v) === i) };
}

function nameQuery(term: string): UserQuery {
  if (!NAME_CHARS.test(term)) {
    const bad = [...term].find((c) => !NAME_CHARS.test(c)) ?? term;
    throw badInput(describeChar(bad), OPERATION);
  }
  if (EXPRESSION.test(term)) {
    throw badInput('The text looks like a query expression (a quote next to an operator such as "or"), not a name', OPERATION);
  }
  if (!/\p{L}/u.test(term)) throw badInput('A name has at least one letter', OPERATION);
  const commas = term.split(',').length - 1;
  if (commas > 1) throw badInput('Use at most one comma ("Last, First")', OPERATION);

  const clauses = [starts('displayName', term)];
  if (commas === 1) {
    const [last = '', first = ''] = term.split(',').map((p) => p.trim());
    if (last && first) clauses.push(both(first, last));
    else if (last || first) clauses.push(starts('surname', last || first));
  } else {
    const words = term.split(' ');
    if (words.length === 1) {
      clauses.push(starts('givenName', term), starts('surname', term));
      const spelled = nameSpellings(term);
      for (const v of spelled.surname) clauses.push(starts('surname', v));
      for (const v of spelled.both) clauses.push(starts('givenName', v), starts('surname', v));
    } else if (words.length <= COMBINATION_MAX_WORDS && term.length <= COMBINATION_MAX_LENGTH) {
      for (let i = 1; i < words.length; i++) {
        const head = words.slice(0, i).join(' ');
        const tail = words.slice(i).join(' ');
        clauses.push(both(head, tail), both(tail, head));
      }
    }
  }
  for (const address of addressPrefixes(term)) clauses.push(starts('userPrincipalName', address), starts('mail', address));
  return { kind: 'display-name', term, filter: clauses.join(' or '), advanced: false };
}

/** Classifies and validates the input; throws a `bad-input` DirectoryError for anything it refuses. */
export function planUserSearch(input: unknown, options: SearchOptions = {}): UserQuery {
  if (typeof input !== 'string') throw badInput('The search text is missing', OPERATION);
  if (input.length > MAX_INPUT_LENGTH) throw badInput(`The text is longer than ${MAX_INPUT_LENGTH} characters`, OPERATION);
  // A badge burst ends with exactly one Enter; any other line break is refused below.
  const enter = /(?:\r\n|\r|\n)$/.exec(input);
  const body = enter ? input.slice(0, enter.index) : input;
  checkCharacters(body);
  const text = body
    .normalize('NFC')
    .replace(/[\s\u00a0]+/gu, ' ')
    .trim();
  if (!text) {
    throw badInput('Type a name, a user name (UPN), an e-mail address or an employee id, or scan a badge', OPERATION);
  }
  if (enter) return badgeQuery(text, options.badge ?? {});
  if (text.includes('@')) return addressQuery(text);
  if (EMPLOYEE_ID.test(text) && /\d/.test(text)) return employeeIdQuery(text, options.employeeIdMatch ?? 'exact');
  return nameQuery(text);
}
