// Search input → Graph query. Unit checks of the classification and quoting, then property tests: any input is
// either refused before Graph, or becomes a filter the emulator's OData parser accepts and whose matches stay
// inside what the operator's text can mean — an injection attempt never widens the result set.
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryError } from '../../main/directory/errors';
import {
  addressPrefix,
  addressPrefixes,
  foldName,
  MAX_INPUT_LENGTH,
  nameSpellings,
  odataString,
  planUserSearch,
  searchClause,
  type UserQuery,
} from '../../main/directory/search';
import { startEmulator, type Emulator } from '../emulator';
import { parseSearch } from '../emulator/graph/odata';
import { type FilterNode, parseFilter } from '../emulator/graph/odata-filter';
import { gatewayFor, graphRequests } from './support';

function refusal(input: unknown, options?: Parameters<typeof planUserSearch>[1]): DirectoryError {
  try {
    planUserSearch(input, options);
  } catch (e) {
    if (e instanceof DirectoryError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

/** Every (property, function, literal) leaf of a parsed filter. */
function leaves(node: FilterNode): { property: string; op: string; value: string }[] {
  switch (node.type) {
    case 'and':
    case 'or':
      return [...leaves(node.left), ...leaves(node.right)];
    case 'not':
      return [{ property: '?', op: 'not', value: '' }];
    case 'compare':
      return [{ property: node.property, op: node.op, value: node.value.kind === 'string' ? node.value.value : `<${node.value.kind}>` }];
    case 'in':
      return [{ property: node.property, op: 'in', value: '' }];
    case 'call': {
      const [p, l] = node.args;
      return [
        {
          property: p?.kind === 'property' ? p.name : '?',
          op: `${node.negated ? 'not ' : ''}${node.name.toLowerCase()}`,
          value: l?.kind === 'literal' && l.value.kind === 'string' ? l.value.value : '?',
        },
      ];
    }
  }
}

describe('planUserSearch', () => {
  it('classifies UPN/mail, employee id, badge and name', () => {
    expect(planUserSearch('Megan.Bowen@contoso.com')).toEqual({
      kind: 'upn',
      term: 'Megan.Bowen@contoso.com',
      filter: "userPrincipalName eq 'Megan.Bowen@contoso.com' or mail eq 'Megan.Bowen@contoso.com'",
      advanced: false,
    });
    expect(planUserSearch(' E2010 ')).toEqual({ kind: 'employee-id', term: 'E2010', filter: "employeeId eq 'E2010'", advanced: false });
    expect(planUserSearch('E201', { employeeIdMatch: 'prefix' })).toEqual({
      kind: 'employee-id',
      term: 'E201',
      filter: "startsWith(employeeId,'E201')",
      advanced: false,
    });
    expect(planUserSearch('E2010\r\n')).toMatchObject({ kind: 'badge', term: 'E2010', filter: "employeeId eq 'E2010'" });
    expect(planUserSearch('%B123?\n', { badge: { prefix: '%B', suffix: '?' } })).toMatchObject({ kind: 'badge', term: '123' });
    expect(planUserSearch('Megan')).toEqual({
      kind: 'display-name',
      term: 'Megan',
      filter:
        "startswith(displayName,'Megan') or startswith(givenName,'Megan') or startswith(surname,'Megan')" +
        " or startswith(givenName,'megän') or startswith(surname,'megän')" +
        " or startswith(givenName,'megaen') or startswith(surname,'megaen')" +
        " or startswith(userPrincipalName,'megan') or startswith(mail,'megan')",
      advanced: false,
    });
    // A name without digits is a name, even when short and word-like.
    expect(planUserSearch('Lee').kind).toBe('display-name');
  });

  it('doubles quotes, and collapses spaces', () => {
    expect(odataString("O'Brien")).toBe("'O''Brien'");
    expect(searchClause('displayName', 'a"b\\c')).toBe('"displayName:a\\"b\\\\c"');
    const plan = planUserSearch("  Seán   O'Brien ");
    expect(plan.term).toBe("Seán O'Brien");
    expect(plan.filter).toContain("startswith(displayName,'Seán O''Brien')");
    expect(plan.filter).toContain("(startswith(givenName,'Seán') and startswith(surname,'O''Brien'))");
  });

  it('a badge burst must be one Enter at the very end: anything after it, or a second line, is refused', () => {
    expect(refusal('E2010\r\nE2011\r\n').message).toMatch(/line break/);
    expect(refusal('E2010\n\n').message).toMatch(/line break/);
    expect(refusal('E 2010!\n').message).toMatch(/did not read as an employee id/);
    expect(refusal('E20101234567890123\n').message).toMatch(/1 to 16/);
    expect(refusal('\n').message).toMatch(/Type a name/);
    expect(refusal('E2010?\n', { badge: { prefix: ';', suffix: '?' } }).message).toMatch(/prefix ';'/);
    expect(refusal(';E2010\n', { badge: { prefix: ';', suffix: '?' } }).message).toMatch(/suffix '\?'/);
  });

  it('refuses non-strings and overlong text', () => {
    expect(refusal(undefined).kind).toBe('bad-input');
    expect(refusal(42).kind).toBe('bad-input');
    expect(planUserSearch('a'.repeat(MAX_INPUT_LENGTH)).kind).toBe('display-name');
    expect(refusal('a'.repeat(MAX_INPUT_LENGTH + 1)).message).toMatch(/longer than 256/);
  });

  it('allows names that merely contain operator words, but not a quote next to one', () => {
    expect(planUserSearch('Or Cohen').kind).toBe('display-name');
    expect(planUserSearch("D'Or").kind).toBe('display-name');
    expect(planUserSearch('Anne-Marie St. John').kind).toBe('display-name');
    expect(refusal("a' or 'b").message).toMatch(/query expression/);
    expect(refusal("a eq 'b").message).toMatch(/query expression/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties

const HOSTILE_PIECES = [
  "'",
  "''",
  '’',
  ' ',
  ' or ',
  ' and ',
  ' eq ',
  ' ne ',
  'not ',
  ' in ',
  'startswith(',
  'displayName',
  'givenName',
  ',',
  '(',
  ')',
  '*',
  '%',
  '?',
  '\n',
  '\r',
  '\r\n',
  '\t',
  '\u0000',
  '\u001b',
  '\u200b',
  '\u202e',
  '\ufeff',
  '@',
  'tapkioskdemo.onmicrosoft.com',
  '#EXT#',
  '$',
  '&',
  '=',
  '"',
  '\\',
  '/',
  ':',
  ';',
  '+',
  'true',
  'null',
  'Meg',
  'an',
  'O',
  'Brien',
  'Zoë',
  'Mü',
  'ller',
  'E20',
  '10',
  '1',
  'a',
  'Z',
  '-',
  '.',
  '\uD800',
  'x'.repeat(60),
];

const hostileInput = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.constantFrom(...HOSTILE_PIECES), { minLength: 1, maxLength: 12 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('a', "'", ' ', 'o', 'r', '(', ')', ',', 'M', 'e', 'g'), maxLength: 30 }) },
);

const KNOWN_ATTACKS = [
  "x' or startswith(displayName,'",
  "Megan' or startswith(displayName,'A",
  "') or (startswith(displayName,'",
  "M'' or ''1''=''1",
  "a' or true or 'b",
  "' or '1' eq '1",
  "x@y.com' or mail eq 'a@b.com",
  "E2010' or employeeId eq 'E2011",
  "E2010' or 'x'='x\r\n",
  'Meg&$top=999',
  'Meg#',
  '*',
  "O''Brien",
  "O'Brien' or 'a",
];

describe('names typed without accents or apostrophes', () => {
  it('folds diacritics and apostrophes the way the station compares names', () => {
    expect(foldName("Seán O'Brien")).toBe('sean obrien');
    expect(foldName('Zoë Müller-Lüdenscheidt')).toBe('zoe muller-ludenscheidt');
    expect(foldName('O’Brien')).toBe('obrien');
  });
  it('tries the start of the user name and mail: words joined by dots, "Last, First" turned round', () => {
    expect(addressPrefix('Sean')).toBe('sean');
    expect(addressPrefix("Seán O'Brien")).toBe('sean.obrien');
    expect(addressPrefix("O'Brien, Seán")).toBe('sean.obrien');
    // Not plain ASCII after folding: it cannot begin a user name, and no clause is added.
    expect(addressPrefix('Søren')).toBeNull();
    expect(planUserSearch('Søren').filter).not.toContain('userPrincipalName');
  });
  it('spells one plain word as the directory may hold it: an elided apostrophe, German umlauts', () => {
    expect(nameSpellings('obrien')).toEqual({ surname: ["o'brien", 'o’brien'], both: ['öbrien', 'oebrien'] });
    expect(nameSpellings('Muller')).toEqual({ surname: [], both: ['müller', 'mueller'] });
    expect(nameSpellings('mueller')).toEqual({ surname: [], both: ['müller'] });
    expect(nameSpellings('Smith')).toEqual({ surname: [], both: [] });
    // Typed with its accents or apostrophe already: nothing to guess.
    expect(nameSpellings("O'Brien")).toEqual({ surname: [], both: [] });
    expect(addressPrefixes('Müller')).toEqual(['muller', 'mueller']);
    expect(planUserSearch('obrien').filter).toContain("startswith(surname,'o''brien')");
  });
  it('"obrien", "muller" and "mueller" alone find the person by surname', async () => {
    const emu = await startEmulator({ throttle: { resourceUnits: 1_000_000 } });
    try {
      const g = gatewayFor(emu);
      const names = async (typed: string) => (await g.searchUsers(typed)).users.map((u) => u.displayName);
      expect(await names('obrien')).toEqual(["Seán O'Brien"]);
      expect(await names('OBrien')).toEqual(["Seán O'Brien"]);
      // Henrietta Mueller writes her name the German way; both are what "muller" may mean.
      expect(await names('muller')).toEqual(['Henrietta Mueller', 'Zoë Müller-Lüdenscheidt']);
      expect(await names('mueller')).toEqual(['Henrietta Mueller', 'Zoë Müller-Lüdenscheidt']);
      expect(await names('zoe')).toEqual(['Zoë Müller-Lüdenscheidt']);
      // The search stays a prefix search: a surname's later part is not a match on its own.
      expect(await names('ludenscheidt')).toEqual([]);
    } finally {
      await emu.close();
    }
  });
  it('"Sean" and "sean obrien" find Seán O\'Brien, whose name has an accent and an apostrophe', async () => {
    const emu = await startEmulator({ throttle: { resourceUnits: 1_000_000 } });
    try {
      const g = gatewayFor(emu);
      for (const typed of ['Sean', 'sean obrien', 'obrien, sean']) {
        const { users } = await g.searchUsers(typed);
        expect(
          users.map((u) => u.displayName),
          typed,
        ).toContain("Seán O'Brien");
      }
    } finally {
      await emu.close();
    }
  });
});

describe('planUserSearch properties', () => {
  it('any input is refused (as bad-input) or becomes a filter the emulator parses, made only of the intended clauses', () => {
    fc.assert(
      fc.property(hostileInput, (input) => {
        let plan: UserQuery;
        try {
          plan = planUserSearch(input);
        } catch (e) {
          if (!(e instanceof DirectoryError) || e.kind !== 'bad-input' || e.message.length === 0) throw e;
          return;
        }
        if (plan.search !== undefined) {
          parseSearch(plan.search);
          return;
        }
        const parts = leaves(parseFilter(plan.filter ?? ''));
        const term = plan.term.toLowerCase();
        const words = term.split(/[ ,]+/).filter(Boolean);
        if (plan.kind === 'upn') {
          expect(parts).toEqual([
            { property: 'userPrincipalName', op: 'eq', value: plan.term },
            { property: 'mail', op: 'eq', value: plan.term },
          ]);
        } else if (plan.kind === 'employee-id' || plan.kind === 'badge') {
          expect(parts).toEqual([{ property: 'employeeId', op: 'eq', value: plan.term }]);
        } else {
          // Every leaf is a startswith on a name property, whose literal is a piece of what was typed, or on the
          // user name or mail, whose literal is the whole text folded (addressPrefixes), or on a name property
          // in another spelling of the one word typed (nameSpellings).
          const addresses = addressPrefixes(plan.term);
          const spelled = nameSpellings(plan.term);
          for (const p of parts) {
            expect(p.op).toBe('startswith');
            if (p.property === 'userPrincipalName' || p.property === 'mail') {
              expect(addresses).toContain(p.value);
              continue;
            }
            expect(['displayName', 'givenName', 'surname']).toContain(p.property);
            if (p.property !== 'displayName' && [...spelled.surname, ...spelled.both].includes(p.value)) continue;
            expect(term).toContain(p.value.toLowerCase());
          }
          expect(parts[0]).toEqual({ property: 'displayName', op: 'startswith', value: plan.term });
          expect(words.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 5_000, examples: KNOWN_ATTACKS.map((a) => [a]) },
    );
  });
});

describe('hostile search strings against the emulator', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ throttle: { resourceUnits: 1_000_000 } });
  });
  afterAll(async () => emu.close());
  beforeEach(() => emu.reset());

  const fold = (s: string | null | undefined) => (s ?? '').normalize('NFC').toLowerCase();

  it('never widen the result beyond what the text can mean; refused ones send nothing (600 inputs)', async () => {
    const g = gatewayFor(emu);
    let refused = 0;
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(hostileInput, async (input) => {
        const before = graphRequests(emu).length;
        let plan: UserQuery;
        try {
          plan = planUserSearch(input);
        } catch {
          plan = undefined as unknown as UserQuery;
        }
        const result = await g.searchUsers(input).catch((e: unknown) => e);
        if (!plan) {
          refused++;
          expect(result).toBeInstanceOf(DirectoryError);
          expect((result as DirectoryError).kind).toBe('bad-input');
          expect(graphRequests(emu)).toHaveLength(before);
          return;
        }
        sent++;
        // The emulator accepted the query (a 400 would surface here as a DirectoryError).
        if (result instanceof Error) throw result;
        const { users } = result as { users: { id: string; userPrincipalName: string; mail: string | null; employeeId: string | null }[] };
        expect(graphRequests(emu)).toHaveLength(before + 1);
        expect(users.length).toBeLessThanOrEqual(25);
        const term = fold(plan.term);
        const first = term.split(/[ ,]+/).find(Boolean) ?? term;
        // The honest reading of the text bounds every hit.
        const honest = [...emu.ctx.state.users.values()].filter((u) => {
          if (plan.kind === 'upn') return fold(u.userPrincipalName) === term || fold(u.mail) === term;
          if (plan.kind === 'employee-id' || plan.kind === 'badge') return fold(u.employeeId) === term;
          // Names are read folded (accents and apostrophes dropped), and umlauts also the German way.
          const addresses = addressPrefixes(plan.term);
          if ([u.userPrincipalName, u.mail].some((v) => addresses.some((a) => fold(v).startsWith(a)))) return true;
          const plain = (v: string) => foldName(v).replace(/([aou])e/g, '$1');
          return [u.displayName, u.givenName, u.surname].some((v) => plain(v ?? '').startsWith(plain(first)) || fold(v).startsWith(first));
        });
        const honestIds = new Set(honest.map((u) => u.id));
        for (const u of users) expect(honestIds.has(u.id)).toBe(true);
        expect(users.length).toBeLessThanOrEqual(honest.length);
      }),
      { numRuns: 600, examples: KNOWN_ATTACKS.map((a) => [a]) },
    );
    // Both branches were exercised.
    expect(refused).toBeGreaterThan(50);
    expect(sent).toBeGreaterThan(50);
  }, 120_000);
});
