// "Set up the key here" on screen: the PIN pad's entry (pure, renderer/src/lib/pin-entry.ts), the pad and the
// provisioning screen rendered (React's server renderer, no browser) in English and German, and the words for
// every phase and mode reason. The screens are imported by path at run time (the renderer's tsconfig checks them).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createElement, type ComponentType, type Context } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import deJson from '../../renderer/src/i18n/de.json';
import enJson from '../../renderer/src/i18n/en.json';
import { EMPTY_ENTRY, pinKeyOf, pressPin, type PinEntry, type PinKey } from '../../renderer/src/lib/pin-entry';
import { MODE_REASON_CODES } from '../../common/provision-codes';
import { PROVISION_PHASES, type PinPad, type SessionSnapshot } from '../../common/session';

type Provisioning = Extract<SessionSnapshot, { screen: 'provisioning' }>;
const SCREEN = '../../renderer/src/screens/Provision.tsx';
const I18N = '../../renderer/src/i18n/index.ts';
const BRIDGE = '../../renderer/src/bridge.tsx';

function typeKeys(keys: string, rules: { isNew: boolean; minLength: number; maxLength: number }) {
  let s: PinEntry = EMPTY_ENTRY;
  const submitted: { pin: string; confirm?: string }[] = [];
  for (const k of keys.split(' ')) {
    for (const key of /^[0-9]+$/.test(k) ? [...k] : [k]) {
      const r = pressPin(s, key as PinKey, rules);
      s = r.next;
      if (r.submit) submitted.push(r.submit);
    }
  }
  return { s, submitted };
}

describe('the PIN pad’s entry', () => {
  const NEW = { isNew: true, minLength: 6, maxLength: 63 };
  const HAS = { isNew: false, minLength: 4, maxLength: 63 };
  it('a PIN chosen here is typed twice, then handed over once with its confirmation; the pad forgets it', () => {
    const { s, submitted } = typeKeys('739146 enter 739146 enter', NEW);
    expect(submitted).toEqual([{ pin: '739146', confirm: '739146' }]);
    expect(s).toEqual(EMPTY_ENTRY);
  });
  it('after the first entry the pad asks again and hands nothing over yet', () => {
    const { s, submitted } = typeKeys('739146 enter', NEW);
    expect(submitted).toEqual([]);
    expect(s).toEqual({ entry: '', first: '739146', tooShort: false });
  });
  it('a key with a PIN: entered once; too short is said on the pad and nothing leaves', () => {
    expect(typeKeys('123 enter', HAS)).toMatchObject({ submitted: [], s: { tooShort: true, entry: '123' } });
    expect(typeKeys('1234 enter', HAS).submitted).toEqual([{ pin: '1234' }]);
  });
  it('erase and clear; at most the maximum length', () => {
    expect(typeKeys('12345 erase', HAS).s.entry).toBe('1234');
    expect(typeKeys('739146 enter 12 clear', NEW).s).toEqual(EMPTY_ENTRY);
    expect(typeKeys('1234567', { ...HAS, maxLength: 5 }).s.entry).toBe('12345');
  });
  it('the physical keyboard presses the same keys; letters do nothing', () => {
    expect(['7', 'Backspace', 'Escape', 'Enter', 'a', 'Tab'].map(pinKeyOf)).toEqual(['7', 'erase', 'clear', 'enter', null, null]);
  });
});

async function render(snapshot: Provisioning, lang: 'en' | 'de'): Promise<string> {
  const { ProvisionScreen } = (await import(/* @vite-ignore */ SCREEN)) as {
    ProvisionScreen: ComponentType<{ s: Provisioning }>;
  };
  const { CommandsContext } = (await import(/* @vite-ignore */ BRIDGE)) as { CommandsContext: Context<unknown> };
  const { i18n } = (await import(/* @vite-ignore */ I18N)) as { i18n: { changeLanguage(l: string): Promise<unknown> } };
  await i18n.changeLanguage(lang);
  const commands = { send: async () => ({ ok: true }), query: async () => ({ ok: true }) };
  return renderToStaticMarkup(createElement(CommandsContext.Provider, { value: commands }, createElement(ProvisionScreen, { s: snapshot })));
}

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');

function at(phase: Provisioning['phase'], extra: Partial<Provisioning> = {}): Provisioning {
  return {
    screen: 'provisioning',
    operator: null,
    key: { presence: 'one', keyId: 'k', model: 'YubiKey 5 NFC', vendor: 'Yubico', aaguid: null, pin: 'set', verdict: 'ready', readiness: null, canWink: false },
    pendingDeletions: 0,
    enrollmentId: 'e1',
    user: { id: 'u1', displayName: 'Megan Bowen', userPrincipalName: 'megan@contoso.example' },
    phase,
    pinPad: null,
    pinBy: 'station',
    error: null,
    model: 'YubiKey 5 NFC',
    ...extra,
  } as Provisioning;
}

describe('the provisioning screen', () => {
  const pad: PinPad = { isNew: false, minLength: 4, maxLength: 63, retries: 7 };
  it('the PIN pad in English: masked, its bounds and the tries left, ten digits and the keyboard group', async () => {
    const html = await render(at('enter-pin', { pinPad: pad, error: { code: 'key.wrong-pin', params: { retries: 7 } } }), 'en');
    const t = text(html);
    expect(t).toContain("Enter your key's PIN");
    expect(t).toContain('At least 4 digits. 7 tries left before the key locks.');
    expect(t).toContain('Wrong PIN. 7 tries left before the key locks.');
    expect(t).toContain('0 digits entered');
    expect(html.match(/class="[^"]*\bpin-key(?=[\s"])/g)).toHaveLength(12);
    expect(html).toMatch(/role="group"[^>]*tabindex="0"|tabindex="0"[^>]*role="group"/);
    expect(html).not.toMatch(/type="(text|number)"/);
  });
  it('the PIN pad in German, for a PIN chosen here', async () => {
    const t = text(await render(at('set-pin', { pinPad: { ...pad, isNew: true, minLength: 6, retries: null } }), 'de'));
    expect(t).toContain('Wählen Sie eine PIN für Ihren Schlüssel');
    expect(t).toContain('Mindestens 6 Ziffern; nicht alle gleich und keine einfache Folge.');
    expect(t).toContain('Weiter');
    expect(t).not.toContain('Versuche');
  });
  it('"touch your key" while the key waits, in both languages, and no pad', async () => {
    const en = await render(at('touch-key'), 'en');
    expect(text(en)).toContain('Touch your key now');
    expect(en).not.toContain('pin-pad');
    expect(text(await render(at('touch-key'), 'de'))).toContain('Berühren Sie jetzt Ihren Schlüssel');
  });
  it('a blocked PIN stops with what to do and "Check the key again" for the operator', async () => {
    const t = text(await render(at('failed', { error: { code: 'key.pin-blocked', params: {} } }), 'en'));
    expect(t).toContain('Only a reset of the key helps');
    expect(t).toContain('Check the key again');
    expect(t).not.toContain('Enter your key');
  });
  it('the operator may set a random PIN only for a key without one', async () => {
    const choose = 'Set a random PIN (the person is not here)';
    expect(text(await render(at('set-pin', { pinPad: { ...pad, isNew: true, retries: null } }), 'en'))).toContain(choose);
    expect(text(await render(at('enter-pin', { pinPad: pad }), 'en'))).not.toContain(choose);
  });
  it('the random PIN: shown once, with whether the key will demand a change, and "noted"; not selectable', async () => {
    const forced = await render(at('show-pin', { operatorPin: { pin: '46180273', changeForced: true } }), 'en');
    expect(text(forced)).toContain('46180273');
    expect(text(forced)).toContain('It is shown only this once.');
    expect(text(forced)).toContain('The key will ask the person to change this PIN the first time it is used.');
    expect(text(forced)).toContain('I have noted the PIN');
    const de = text(await render(at('show-pin', { operatorPin: { pin: '46180273', changeForced: false } }), 'de'));
    expect(de).toContain('bei der ersten Verwendung ändern muss');
    const css = readFileSync('renderer/src/styles.css', 'utf8');
    expect(/\.operator-pin-value\s*\{[^}]*user-select:\s*none/.test(css)).toBe(true);
  });
  it('Windows’ dialog (webauthn.dll): no pad, what Windows will ask, then “once more” for the proof, in both languages', async () => {
    const windows = { pinBy: 'windows' as const, model: null };
    const en = await render(at('windows-dialog', windows), 'en');
    expect(en).not.toContain('pin-pad');
    expect(text(en)).toContain('Windows will ask for your PIN now');
    expect(text(en)).toContain('choose one and enter it twice');
    expect(text(en)).toContain('PIN and touch (Windows)');
    // The operator is told why there is no pad and no random PIN.
    expect(text(en)).toContain('a random PIN cannot be set');
    expect(text(en)).not.toContain('Set a random PIN (the person is not here)');
    expect(text(await render(at('windows-proof', windows), 'en'))).toContain('Windows asks once more');
    const de = text(await render(at('windows-dialog', windows), 'de'));
    expect(de).toContain('Windows fragt Sie jetzt nach Ihrer PIN');
    expect(text(await render(at('windows-proof', windows), 'de'))).toContain('Windows fragt noch einmal');
  });
  it('a key model refused after Windows made the passkey: the key holds it unregistered, reset it before handing it out', async () => {
    const blocked = { code: 'policy.aaguid-blocked' as const, params: { aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a' } };
    const t = text(await render(at('failed', { pinBy: 'windows', error: blocked }), 'en'));
    expect(t).toContain('does not allow this key model');
    expect(t).toContain('Reset the key with "Reset a returned key" before giving it to anyone');
    expect(text(await render(at('failed', { pinBy: 'station', error: blocked }), 'en'))).not.toContain('Reset the key');
  });
  it('the pad’s targets are at least 44 px', () => {
    const css = readFileSync('renderer/src/styles.css', 'utf8');
    const rule = /\.pin-pad \.pin-key,\s*\.pin-pad \.pin-ok\s*\{([^}]*)\}/.exec(css)?.[1] ?? '';
    expect(Number(/min-height:\s*(\d+)px/.exec(rule)?.[1])).toBeGreaterThanOrEqual(44);
    expect(Number(/min-width:\s*(\d+)px/.exec(rule)?.[1])).toBeGreaterThanOrEqual(44);
  });
});

describe('words', () => {
  type Tree = { [k: string]: string | Tree };
  const lookup = (tree: Tree, key: string) => key.split('.').reduce<string | Tree | undefined>((n, k) => (typeof n === 'object' ? n[k] : undefined), tree);
  it('every provisioning phase and mode reason has its words in English and German', () => {
    const keys = [...PROVISION_PHASES.map((p) => `provision.phase.${p}`), ...MODE_REASON_CODES.map((c) => `mode.reason.${c}`)];
    const missing = keys.flatMap((k) =>
      [enJson, deJson].flatMap((table, i) => (typeof lookup(table as Tree, k) === 'string' ? [] : [`${i ? 'de' : 'en'}: ${k}`])),
    );
    expect(missing).toEqual([]);
  });
});
