// The roster and the board (event mode), rendered (React's server renderer, no browser) in English and German:
// the counts at the top, a pill per state, the next people to call, what Graph tells of another station's claim,
// "release claim" only on another station's stale claim; the board's progress, hours and who needs attention.
// The screens are imported by path at run time (the renderer's own tsconfig type-checks them).
import { describe, expect, it } from 'vitest';
import { createElement, type ComponentType, type Context } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { Board, RosterView } from '../../common/event';
import { fakeBoard, fakeRoster } from '../../renderer/src/dev/fake-event';
import { filterRoster, nextPeople, releasable } from '../../renderer/src/lib/roster';

const ROSTER = '../../renderer/src/screens/Roster.tsx';
const BOARD = '../../renderer/src/screens/Board.tsx';
const BRIDGE = '../../renderer/src/bridge.tsx';
const I18N = '../../renderer/src/i18n/index.ts';

type RosterBodyProps = { view: RosterView; text: string; onText: () => void; onServe: () => void; onRelease: () => void };

async function render(lang: 'en' | 'de', what: { roster: RosterView; text?: string } | { board: Board }): Promise<string> {
  const { RosterBody } = (await import(/* @vite-ignore */ ROSTER)) as { RosterBody: ComponentType<RosterBodyProps> };
  const { BoardBody } = (await import(/* @vite-ignore */ BOARD)) as { BoardBody: ComponentType<{ board: Board }> };
  const { CommandsContext } = (await import(/* @vite-ignore */ BRIDGE)) as { CommandsContext: Context<unknown> };
  const { i18n } = (await import(/* @vite-ignore */ I18N)) as { i18n: { changeLanguage(l: string): Promise<unknown> } };
  await i18n.changeLanguage(lang);
  const noop = () => undefined;
  const body =
    'board' in what
      ? createElement(BoardBody, { board: what.board })
      : createElement(RosterBody, { view: what.roster, text: what.text ?? '', onText: noop, onServe: noop, onRelease: noop });
  const commands = { send: async () => ({ ok: true }), query: async () => ({ ok: true }), event: async () => ({ ok: true }) };
  return renderToStaticMarkup(createElement(CommandsContext.Provider, { value: commands }, body));
}

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');

describe('roster', () => {
  it('English: counts at the top, a pill per state, next to call, another station’s claim as Graph tells it', async () => {
    const html = await render('en', { roster: fakeRoster() });
    const t = text(html);
    expect(t).toContain('Roster: Spring onboarding');
    expect(t).toMatch(/On the roster 8 Done 2 In progress 2 Not yet 2 Needs attention 2/);
    expect(t).toContain('Next to call here Serve Gustav Lind Serve Hana Sato');
    expect(t).toMatch(/Chen Wei .* In progress In progress at another station: pass issued \d\d:\d\d \(claimed 5 min ago\)/);
    expect(t).toContain('Claimed by this station');
    expect(t).toContain('Claim older than the limit (48 min)');
    // Release only on another station's stale claim: one button.
    expect(html.match(/roster-release/g)).toHaveLength(1);
    expect((html.match(/class="tag tag-bad"/g) ?? []).length).toBe(2);
    expect(html).not.toMatch(/\{\{/);
  });

  it('German: the same in German words', async () => {
    const t = text(await render('de', { roster: fakeRoster() }));
    expect(t).toContain('Teilnehmerliste: Spring onboarding');
    expect(t).toMatch(/Auf der Liste 8 Erledigt 2 In Bearbeitung 2 Noch nicht 2 Braucht Aufmerksamkeit 2/);
    expect(t).toContain('Hier als Nächste aufrufen Gustav Lind bedienen');
    expect(t).toMatch(/Wird an einer anderen Station bearbeitet: Pass ausgestellt um \d\d:\d\d/);
    expect(t).toContain('Reservierung aufheben');
    expect(t).not.toMatch(/\{\{|roster\.|event\./);
  });

  it('the one search box filters by name or user name, every word', async () => {
    const roster = fakeRoster();
    expect(filterRoster(roster.entries, 'novak').map((e) => e.displayName)).toEqual(['Emil Novak']);
    expect(filterRoster(roster.entries, 'hana.new').map((e) => e.displayName)).toEqual(['Hana Sato']);
    expect(filterRoster(roster.entries, 'novak sato')).toEqual([]);
    expect(filterRoster(roster.entries, '  ')).toHaveLength(8);
    const t = text(await render('en', { roster: roster, text: 'zzz' }));
    expect(t).toContain('Nobody matches.');
    expect(nextPeople(roster).map((e) => e.displayName)).toEqual(['Gustav Lind', 'Hana Sato']);
    expect(roster.entries.filter(releasable).map((e) => e.displayName)).toEqual(['Emil Novak']);
  });
});

describe('board', () => {
  it('English and German: progress, done per hour, who needs attention', async () => {
    const en = text(await render('en', { board: fakeBoard() }));
    expect(en).toContain('Event board: Spring onboarding');
    expect(en).toContain('2 of 8 done');
    expect(en).toMatch(/Done per hour From \d\d:\d\d 1/);
    expect(en).toContain('Emil Novak: claim older than the limit');
    expect(en).toContain('Fatima Rossi: an enrollment failed');
    const de = text(await render('de', { board: { ...fakeBoard(), attention: [] } }));
    expect(de).toContain('2 von 8 erledigt');
    expect(de).toContain('Erledigt pro Stunde');
    expect(de).toContain('Niemand wartet.');
  });
});
