import { describe, expect, it } from 'vitest';
import { BurstRecorder, classifyEntry } from '../../renderer/src/lib/badge';
import { GUIDE_STEPS, guideStates } from '../../renderer/src/lib/guide';
import { classifyChar, groupPass, spellPass } from '../../renderer/src/lib/pass';
import { isBesideSecurityInfo, screenGroup } from '../../renderer/src/lib/screens';
import { announcement, findCountdown, formatRemaining, remaining } from '../../renderer/src/lib/time';

describe('groupPass', () => {
  it('splits into blocks of four for reading aloud', () => {
    expect(groupPass('Xk7#mP2qR9tz')).toEqual(['Xk7#', 'mP2q', 'R9tz']);
  });
  it('keeps a short last block and ignores whitespace', () => {
    expect(groupPass('abcd ef')).toEqual(['abcd', 'ef']);
    expect(groupPass('')).toEqual([]);
  });
  it('takes another block size and refuses nonsense', () => {
    expect(groupPass('abcdef', 3)).toEqual(['abc', 'def']);
    expect(() => groupPass('abc', 0)).toThrow(RangeError);
  });
  it('spells each character by kind', () => {
    expect(classifyChar('A')).toEqual({ kind: 'upper', char: 'A', symbol: null });
    expect(classifyChar('b').kind).toBe('lower');
    expect(classifyChar('7').kind).toBe('digit');
    expect(classifyChar('#')).toEqual({ kind: 'symbol', char: '#', symbol: 'hash' });
    expect(classifyChar('~')).toEqual({ kind: 'symbol', char: '~', symbol: null });
    expect(spellPass('Ab3#e').map((b) => b.map((c) => c.kind))).toEqual([['upper', 'lower', 'digit', 'symbol'], ['lower']]);
  });
});

describe('countdowns', () => {
  it('remaining never goes below zero', () => {
    expect(remaining(10_000, 4_000)).toBe(6_000);
    expect(remaining(10_000, 12_000)).toBe(0);
    expect(remaining(Number.NaN, 0)).toBe(0);
  });
  it('formats m:ss and h:mm:ss, rounding up', () => {
    expect(formatRemaining(600_000)).toBe('10:00');
    expect(formatRemaining(599_001)).toBe('10:00');
    expect(formatRemaining(65_500)).toBe('1:06');
    expect(formatRemaining(999)).toBe('0:01');
    expect(formatRemaining(0)).toBe('0:00');
    expect(formatRemaining(-5)).toBe('0:00');
    expect(formatRemaining(3_723_000)).toBe('1:02:03');
  });
  it('announces at a sane rate: once a minute, then every 30 s, then every 10 s', () => {
    expect(announcement(9 * 60_000 + 1)).toEqual({ unit: 'minutes', value: 10 });
    expect(announcement(9 * 60_000 - 1)).toEqual({ unit: 'minutes', value: 9 });
    expect(announcement(100_000)).toEqual({ unit: 'seconds', value: 120 });
    expect(announcement(45_000)).toEqual({ unit: 'seconds', value: 60 });
    expect(announcement(25_000)).toEqual({ unit: 'seconds', value: 30 });
    expect(announcement(5_000)).toEqual({ unit: 'seconds', value: 10 });
    expect(announcement(0)).toEqual({ unit: 'ended', value: 0 });
    // Over ten minutes, second by second, the announcement changes at most 10 + 2 + 3 times.
    const changes = new Set<string>();
    for (let ms = 600_000; ms >= 0; ms -= 1000) changes.add(JSON.stringify(announcement(ms)));
    expect(changes.size).toBeLessThanOrEqual(16);
  });
  it('finds a countdown by kind', () => {
    const c = [{ kind: 'handover' as const, endsAt: 5 }];
    expect(findCountdown(c, 'handover')?.endsAt).toBe(5);
    expect(findCountdown(c, 'tap-lifetime')).toBeNull();
  });
});

describe('badge burst detection', () => {
  it('calls a fast burst a badge scan and typing typing', () => {
    expect(classifyEntry([0, 10, 20, 30, 40, 50])).toBe('badge');
    expect(classifyEntry([0, 120, 260, 390, 500])).toBe('typed');
    // A fast typist's rolled letters: some gaps as short as a scanner's, the mean under 50 ms, but not every gap.
    expect(classifyEntry([0, 22, 41, 110, 128, 150])).toBe('typed');
    expect(classifyEntry([0, 5, 10])).toBe('typed');
    expect(classifyEntry([])).toBe('typed');
  });
  it('starts a new entry after a pause', () => {
    const r = new BurstRecorder();
    for (const t of [0, 200, 400]) r.key(t);
    for (const t of [2000, 2010, 2020, 2030, 2040]) r.key(t);
    expect(r.finish()).toBe('badge');
    expect(r.finish()).toBe('typed');
  });
});

describe('screens', () => {
  it('groups screens the operator sees as one page (focus moves only between groups)', () => {
    expect(screenGroup('ready')).toBe(screenGroup('search-results'));
    expect(screenGroup('identity')).toBe(screenGroup('checking'));
    expect(screenGroup('preflight')).toBe(screenGroup('confirm-replace'));
    expect(screenGroup('waiting-for-sign-in')).toBe(screenGroup('registering'));
    expect(screenGroup('done')).not.toBe(screenGroup('failed'));
    expect(isBesideSecurityInfo('registering')).toBe(true);
    expect(isBesideSecurityInfo('handover')).toBe(false);
  });
  it('guide: the current steps follow main’s coarse step', () => {
    expect(Object.values(guideStates('take-pass'))).toEqual(GUIDE_STEPS.map(() => 'todo'));
    expect(guideStates('sign-in')['sign-in']).toBe('current');
    const add = guideStates('add-key');
    expect([add['sign-in'], add['add-key'], add['touch-pin']]).toEqual(['done', 'current', 'todo']);
    const touch = guideStates('touch-key');
    expect([touch['add-key'], touch['touch-pin'], touch['name-key']]).toEqual(['done', 'current', 'todo']);
    const name = guideStates('name-key');
    expect([name['touch-pin'], name['name-key']]).toEqual(['done', 'current']);
    // Exactly one step is current at a time, on every step main reports (steps 2–4 once lit up together).
    for (const g of ['sign-in', 'add-key', 'touch-key', 'name-key'] as const) {
      expect(Object.values(guideStates(g)).filter((x) => x === 'current')).toHaveLength(1);
    }
    expect(Object.values(guideStates('done'))).toEqual(GUIDE_STEPS.map(() => 'done'));
  });
});

describe('initials', () => {
  it('takes the first and last name, in either order, skipping brackets and symbols', async () => {
    const { initials } = await import('../../renderer/src/lib/initials');
    expect(initials('Jonas Weber')).toBe('JW');
    expect(initials('Weiß, Johanna')).toBe('JW');
    expect(initials('Anna Maria de Vries (Contractor)')).toBe('AV');
    expect(initials('Cher')).toBe('C');
    expect(initials('ölaf 123 Ünal')).toBe('ÖÜ');
    expect(initials('')).toBe('');
  });
});

describe('times in the kiosk’s language', () => {
  it('German and English both on the 24-hour clock, through Intl with the locale', async () => {
    const { formatTime, localeOf } = await import('../../renderer/src/lib/format');
    expect(localeOf('de')).toBe('de-DE');
    const afternoon = new Date(2026, 11, 5, 15, 7).toISOString();
    expect(formatTime(afternoon, 'de')).toBe('15:07');
    expect(formatTime(afternoon, 'en')).toBe('15:07');
    expect(formatTime('', 'de')).toBe('');
  });
  it('a search that never opened a person leaves no "Incomplete" row', async () => {
    const { todayRows } = await import('../../renderer/src/lib/format');
    const row = (over: Record<string, string>) => ({
      enrollment: 'e',
      operator: 'op',
      user: '',
      id_document: '',
      started: '',
      tap_issued: '',
      signed_in: '',
      key_registered: '',
      finished: '',
      key_model: '',
      outcome: '',
      graph_request_ids: '',
      ...over,
    });
    const rows = [row({ outcome: 'incomplete' }), row({ user: 'adele@contoso.com', outcome: 'incomplete' }), row({ outcome: 'cancelled' })];
    expect(todayRows(rows).map((r) => [r.user, r.outcome])).toEqual([
      ['adele@contoso.com', 'incomplete'],
      ['', 'cancelled'],
    ]);
  });
});
