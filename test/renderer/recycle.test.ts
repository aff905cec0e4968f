// "Reset a returned key" on screen (React's server renderer, no browser), in English and German: the entry on the
// ready screen only where the station offers it, the steps with the key's window, and each outcome with what to
// do next. The confirmation is the shared ConfirmDialog ("Keep the key" first and default, Enter never confirms).
import { describe, expect, it } from 'vitest';
import { createElement, type ComponentType, type Context } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { SessionSnapshot } from '../../common/session';
import type { StationStatus } from '../../common/contract';

type Recycle = Extract<SessionSnapshot, { screen: 'recycle' }>;
type Ready = Extract<SessionSnapshot, { screen: 'ready' }>;
const I18N = '../../renderer/src/i18n/index.ts';
const BRIDGE = '../../renderer/src/bridge.tsx';

async function render<S extends object>(path: string, name: string, s: S, lang: 'en' | 'de'): Promise<string> {
  const Screen = ((await import(/* @vite-ignore */ path)) as Record<string, ComponentType<S>>)[name]!;
  const { CommandsContext } = (await import(/* @vite-ignore */ BRIDGE)) as { CommandsContext: Context<unknown> };
  const { i18n } = (await import(/* @vite-ignore */ I18N)) as { i18n: { changeLanguage(l: string): Promise<unknown> } };
  await i18n.changeLanguage(lang);
  const commands = { send: async () => ({ ok: true }), query: async () => ({ ok: true }) };
  return renderToStaticMarkup(createElement(CommandsContext.Provider, { value: commands }, createElement(Screen, s)));
}
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/\s+/g, ' ');

const base = {
  operator: null,
  key: { presence: 'one', keyId: 'k', model: 'YubiKey 5 NFC', vendor: 'Yubico', aaguid: null, pin: 'set', verdict: 'ready', readiness: null, canWink: false },
  pendingDeletions: 0,
} as const;
const at = (step: Recycle['step'], outcome: Recycle['outcome'] = null): Recycle => ({ ...base, screen: 'recycle', step, outcome, windowSeconds: 10 });
const recycle = (s: Recycle, lang: 'en' | 'de') => render('../../renderer/src/screens/Recycle.tsx', 'RecycleScreen', { s }, lang).then(text);
const ready = (s: Ready, lang: 'en' | 'de') => render('../../renderer/src/screens/Find.tsx', 'FindScreen', { s }, lang).then(text);

const station = (journal: StationStatus['journal']): StationStatus => ({
  stationId: 'desk-1',
  demo: false,
  language: 'en',
  config: { ok: true, file: 'config.json' },
  tenant: { status: 'reachable', note: null, checkedAt: null },
  keyReader: { status: 'ok', note: null },
  journal,
});
const signedIn = { ...base, operator: { id: 'op', userPrincipalName: 'patti@example.test', displayName: 'Patti' } } as unknown as Ready;
const readyFor = (canRecycle = true): Ready => ({ ...signedIn, screen: 'ready', query: '', error: null, canRecycle });
/** The station status page's "Returned keys" section: its text and whether its button is disabled. */
async function statusPage(journal: StationStatus['journal'], session: SessionSnapshot | null, lang: 'en' | 'de') {
  const html = await render(
    '../../renderer/src/screens/StationStatus.tsx',
    'StationStatusScreen',
    { station: station(journal), session, hasSession: true, onBack: () => undefined },
    lang,
  );
  const section = /<section[^>]*class="card recycle-entry"[\s\S]*?<\/section>/.exec(html)?.[0] ?? null;
  return { text: section === null ? null : text(section), disabled: section !== null && /<button[^>]*disabled=""/.test(section) };
}

describe('"Reset a returned key" on screen', () => {
  it('the ready screen offers it only where the station can reset keys', async () => {
    const offered: Ready = { ...base, screen: 'ready', query: '', error: null, canRecycle: true };
    expect(await ready(offered, 'en')).toContain('Reset a returned key');
    expect(await ready(offered, 'de')).toContain('Zurückgegebenen Schlüssel zurücksetzen');
    expect(await ready({ ...offered, canRecycle: false }, 'en')).not.toContain('Reset a returned key');
  });

  it('plug back in: the window in seconds, the current step marked, Cancel', async () => {
    const t = await recycle(at('plug-in'), 'en');
    expect(t).toContain('Plug the key back in. Then touch it within 10 seconds.');
    expect(t).toContain('Cancel');
    expect(t).not.toContain('Try again');
    expect(await recycle(at('plug-in'), 'de')).toContain('innerhalb von 10 Sekunden');
  });

  it('too late: says why and offers Try again', async () => {
    const t = await recycle(at('outcome', { code: 'recycle.too-late', params: { seconds: 10 } }), 'en');
    expect(t).toContain('The key was not reset');
    expect(t).toContain('Too late: the key accepts a reset only within 10 seconds of being plugged in.');
    expect(t).toContain('Try again');
  });

  it('done, in German: erased, back to search, no Try again', async () => {
    const t = await recycle(at('outcome', { code: 'recycle.done', params: {} }), 'de');
    expect(t).toContain('Der Schlüssel ist zurückgesetzt');
    expect(t).toContain('Zurück zur Suche');
    expect(t).not.toContain('Erneut versuchen');
  });

  it('denied and not supported say what to do', async () => {
    expect(await recycle(at('outcome', { code: 'recycle.denied', params: {} }), 'en')).toContain('The key refused the reset. Nothing was erased.');
    expect(await recycle(at('outcome', { code: 'recycle.unsupported', params: {} }), 'en')).toContain("Use its maker's tool.");
  });
});

describe('"Reset a returned key" on the station status page', () => {
  it('enabled for a signed-in operator at the search screen with a writable journal (English, German)', async () => {
    const en = await statusPage('ok', readyFor(), 'en');
    expect(en.text).toContain('Returned keys');
    expect(en.text).toContain('Reset a returned key');
    expect(en.disabled).toBe(false);
    const de = await statusPage('ok', readyFor(), 'de');
    expect(de.text).toContain('Zurückgegebene Schlüssel');
    expect(de.text).toContain('Zurückgegebenen Schlüssel zurücksetzen');
    expect(de.disabled).toBe(false);
  });

  it('disabled, saying why: the journal cannot record it', async () => {
    const en = await statusPage('full', readyFor(), 'en');
    expect(en.disabled).toBe(true);
    expect(en.text).toContain('the audit journal cannot record the reset');
    expect((await statusPage('unwritable', readyFor(), 'de')).text).toContain('Prüfprotokoll kann das Zurücksetzen nicht festhalten');
  });

  it('disabled, saying why: no operator signed in; during an enrollment', async () => {
    const out: SessionSnapshot = { ...base, screen: 'signed-out' } as unknown as SessionSnapshot;
    const none = await statusPage('ok', out, 'en');
    expect(none.disabled).toBe(true);
    expect(none.text).toContain('An operator signs in first.');
    const busy = await statusPage('ok', { ...signedIn, screen: 'searching', query: 'meg' } as unknown as SessionSnapshot, 'en');
    expect(busy.disabled).toBe(true);
    expect(busy.text).toContain('finish or cancel it first');
  });

  it('not offered where the station cannot reset keys', async () => {
    expect((await statusPage('ok', readyFor(false), 'en')).text).toBeNull();
  });
});
