// The hand-over screen, rendered (React's server renderer, no browser): what the operator reads when the station
// had to issue the pass with another lifetime than it asked for (issue 10, 3b: "say so to the operator").
// The screen is imported by path at run time: the renderer's own tsconfig type-checks it (DOM, JSX), this one
// does not include it.
import { describe, expect, it } from 'vitest';
import { createElement, type ComponentType, type Context } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { IssueNotice } from '../../common/codes';
import type { SessionSnapshot } from '../../common/session';

type Handover = Extract<SessionSnapshot, { screen: 'handover' }>;
const SCREEN = '../../renderer/src/screens/Handover.tsx';
const BRIDGE = '../../renderer/src/bridge.tsx';
const I18N = '../../renderer/src/i18n/index.ts';

async function render(notices: IssueNotice[], lang: 'en' | 'de' = 'en'): Promise<string> {
  const { HandoverScreen } = (await import(/* @vite-ignore */ SCREEN)) as { HandoverScreen: ComponentType<{ s: Handover }> };
  const { CommandsContext } = (await import(/* @vite-ignore */ BRIDGE)) as { CommandsContext: Context<unknown> };
  const { i18n } = (await import(/* @vite-ignore */ I18N)) as { i18n: { changeLanguage(l: string): Promise<unknown> } };
  await i18n.changeLanguage(lang);
  const s = {
    screen: 'handover',
    operator: null,
    key: { presence: 'none', keyId: null, model: null, vendor: null, aaguid: null, pin: 'unknown', verdict: null, readiness: null, canWink: false },
    pendingDeletions: 0,
    enrollmentId: 'e1',
    user: { id: 'u1', displayName: 'Megan Bowen' },
    pass: 'Ab3#efGH',
    countdowns: [],
    guide: 'take-pass',
    oneTime: true,
    lifetimeMinutes: 60,
    notices,
  } as unknown as Handover;
  const commands = { send: async () => ({ ok: true }), query: async () => ({ ok: true }) };
  return renderToStaticMarkup(createElement(CommandsContext.Provider, { value: commands }, createElement(HandoverScreen, { s })));
}

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/\s+/g, ' ');

describe('hand-over screen: the lifetime fitted to the policy', () => {
  it('says the policy refused the asked-for lifetime and names the range and the lifetime issued (English, German)', async () => {
    const notice: IssueNotice = { code: 'tap.lifetime-adjusted-to-policy', params: { requested: 10, issued: 60, min: 60, max: 480 } };
    const en = text(await render([notice]));
    expect(en).toContain("The organisation's policy allows passes of 60 to 480 minutes, not 10, so the pass was issued for 60 minutes");
    expect(en).toContain('valid for 60 minutes');
    const de = text(await render([notice], 'de'));
    expect(de).toContain('Die Richtlinie der Organisation erlaubt Pässe von 60 bis 480 Minuten, nicht 10, daher wurde der Pass für 60 Minuten ausgestellt');
  });

  it('without a range in Graph’s answer it still says so; without a notice it says nothing of the kind', async () => {
    const noRange: IssueNotice = { code: 'tap.lifetime-adjusted-to-policy', params: { requested: 10, issued: 30, min: 30, max: null } };
    expect(text(await render([noRange]))).toContain("The organisation's policy did not allow 10 minutes, so the pass was issued for 30 minutes");
    const plain = await render([]);
    expect(plain).not.toContain('data-notice');
    expect(text(plain)).not.toContain('policy');
  });
});
