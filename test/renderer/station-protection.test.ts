// The station status page when the configuration file or the journal folder is less protected than the installer
// leaves it (issue 12, part 4): rendered with React's server renderer, English and German.
import { describe, expect, it } from 'vitest';
import { createElement, type ComponentType, type Context } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { StationStatus } from '../../common/contract';

const SCREEN = '../../renderer/src/screens/StationStatus.tsx';
const BRIDGE = '../../renderer/src/bridge.tsx';
const I18N = '../../renderer/src/i18n/index.ts';
const FILE = 'C:\\ProgramData\\TAP Kiosk\\config.json';

async function render(config: StationStatus['config'], lang: 'en' | 'de' = 'en'): Promise<string> {
  const { StationStatusScreen } = (await import(/* @vite-ignore */ SCREEN)) as {
    StationStatusScreen: ComponentType<{ station: StationStatus; session: null; hasSession: boolean; onBack: () => void }>;
  };
  const { CommandsContext } = (await import(/* @vite-ignore */ BRIDGE)) as { CommandsContext: Context<unknown> };
  const { i18n } = (await import(/* @vite-ignore */ I18N)) as { i18n: { changeLanguage(l: string): Promise<unknown> } };
  await i18n.changeLanguage(lang);
  const station: StationStatus = {
    stationId: 'desk-1',
    demo: false,
    language: 'en',
    config,
    tenant: { status: 'unknown', note: null, checkedAt: null },
    keyReader: { status: 'starting', note: null },
    journal: null,
  };
  const commands = { send: async () => ({ ok: true }), query: async () => ({ ok: true }) };
  const screen = createElement(StationStatusScreen, { station, session: null, hasSession: false, onBack: () => undefined });
  return renderToStaticMarkup(createElement(CommandsContext.Provider, { value: commands }, screen))
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');
}

describe('station status: loose permissions on the station files', () => {
  it('names the path and what is loose, and says to re-run the installer (English, German)', async () => {
    const loose: StationStatus['config'] = {
      ok: false,
      file: FILE,
      note: { code: 'config.protection-loose', params: { path: 'C:\\ProgramData\\TAP Kiosk\\audit', detail: 'others-can-read' } },
    };
    const en = await render(loose);
    expect(en).toContain("The station's files are not protected as installed");
    expect(en).toContain('C:\\ProgramData\\TAP Kiosk\\audit is less protected than the installer leaves it (others-can-read)');
    expect(en).toContain('run the TAP Kiosk installer again');
    expect(en).not.toContain('correct the configuration file');
    const de = await render(loose, 'de');
    expect(de).toContain('Installationsprogramm erneut auszuführen');
  });

  it('an invalid configuration keeps its own title and advice', async () => {
    const invalid = await render({ ok: false, file: FILE, note: { code: 'config.invalid', params: { detail: 'tenantId' } } });
    expect(invalid).toContain('The configuration could not be loaded');
    expect(invalid).toContain('correct the configuration file');
    expect(invalid).not.toContain('installer again');
  });
});
