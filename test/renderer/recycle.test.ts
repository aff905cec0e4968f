// "Reset a returned key" on screen (React's server renderer, no browser), in English and German: the entry on the
// ready screen only where the station offers it, the steps with the key's window, and each outcome with what to
// do next. The confirmation is the shared ConfirmDialog ("Keep the key" first and default, Enter never confirms).
import { describe, expect, it } from 'vitest';
import { createElement, type ComponentType, type Context } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { SessionSnapshot } from '../../common/session';

type Recycle = Extract<SessionSnapshot, { screen: 'recycle' }>;
type Ready = Extract<SessionSnapshot, { screen: 'ready' }>;
const I18N = '../../renderer/src/i18n/index.ts';
const BRIDGE = '../../renderer/src/bridge.tsx';

async function render<S>(path: string, name: string, s: S, lang: 'en' | 'de'): Promise<string> {
  const Screen = ((await import(/* @vite-ignore */ path)) as Record<string, ComponentType<{ s: S }>>)[name]!;
  const { CommandsContext } = (await import(/* @vite-ignore */ BRIDGE)) as { CommandsContext: Context<unknown> };
  const { i18n } = (await import(/* @vite-ignore */ I18N)) as { i18n: { changeLanguage(l: string): Promise<unknown> } };
  await i18n.changeLanguage(lang);
  const commands = { send: async () => ({ ok: true }), query: async () => ({ ok: true }) };
  return renderToStaticMarkup(createElement(CommandsContext.Provider, { value: commands }, createElement(Screen, { s })));
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
const recycle = (s: Recycle, lang: 'en' | 'de') => render('../../renderer/src/screens/Recycle.tsx', 'RecycleScreen', s, lang).then(text);
const ready = (s: Ready, lang: 'en' | 'de') => render('../../renderer/src/screens/Find.tsx', 'FindScreen', s, lang).then(text);

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
