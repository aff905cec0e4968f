// The person's panel while registering, rendered (React's server renderer, no browser): the countdown shows
// whichever window binds first, the five minutes after sign-in or the registration window, and says what to do
// when the five minutes are over; Microsoft's registration interrupt is explained to the person and the operator
// (issue 10, 3f/3g). Imported by path at run time, as in handover.test.ts.
import { describe, expect, it } from 'vitest';
import { createElement, type ComponentType, type Context } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { SessionSnapshot } from '../../common/session';
import { registrationClock } from '../../renderer/src/lib/time';

type Registering = Extract<SessionSnapshot, { screen: 'registering' }>;
const SCREEN = '../../renderer/src/screens/UserSide.tsx';
const BRIDGE = '../../renderer/src/bridge.tsx';
const I18N = '../../renderer/src/i18n/index.ts';

async function render(over: Partial<Registering>, lang: 'en' | 'de' = 'en'): Promise<string> {
  const { UserSideScreen } = (await import(/* @vite-ignore */ SCREEN)) as { UserSideScreen: ComponentType<{ s: Registering }> };
  const { CommandsContext } = (await import(/* @vite-ignore */ BRIDGE)) as { CommandsContext: Context<unknown> };
  const { i18n } = (await import(/* @vite-ignore */ I18N)) as { i18n: { changeLanguage(l: string): Promise<unknown> } };
  await i18n.changeLanguage(lang);
  const s = {
    screen: 'registering',
    operator: null,
    key: { presence: 'none', keyId: null, model: null, vendor: null, aaguid: null, pin: 'unknown', verdict: null, readiness: null, canWink: false },
    pendingDeletions: 0,
    enrollmentId: 'e1',
    user: { id: 'u1', displayName: 'Megan Bowen', userPrincipalName: 'megan@contoso.com' },
    countdowns: [],
    guide: 'add-key',
    keyWarning: null,
    signedInAt: Date.now() - 60_000,
    whenFreshEnds: 'fresh.new-pass',
    interrupt: null,
    ...over,
  } as unknown as Registering;
  const commands = { send: async () => ({ ok: true }), query: async () => ({ ok: true }) };
  return renderToStaticMarkup(createElement(CommandsContext.Provider, { value: commands }, createElement(UserSideScreen, { s })));
}

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');

const now = Date.now();
const WINDOW = { kind: 'registration-window' as const, endsAt: now + 8 * 60_000 };

describe('registrationClock', () => {
  it('the five minutes when they end first; the window once they are over; the window alone otherwise', () => {
    const fresh = { kind: 'fresh-sign-in' as const, endsAt: now + 3 * 60_000 };
    expect(registrationClock([WINDOW, fresh], now)).toEqual({ countdown: fresh, freshEnded: false });
    expect(registrationClock([WINDOW, fresh], fresh.endsAt)).toEqual({ countdown: WINDOW, freshEnded: true });
    expect(registrationClock([WINDOW, { ...fresh, endsAt: WINDOW.endsAt + 1 }], now)).toEqual({ countdown: WINDOW, freshEnded: false });
    expect(registrationClock([WINDOW], now)).toEqual({ countdown: WINDOW, freshEnded: false });
    expect(registrationClock([], now)).toEqual({ countdown: null, freshEnded: false });
  });
});

describe('registering panel: fresh sign-in and the registration interrupt', () => {
  it('counts down the five minutes while they bind, with why', async () => {
    const en = text(await render({ countdowns: [WINDOW, { kind: 'fresh-sign-in', endsAt: now + 3 * 60_000 }] }));
    expect(en).toContain('Time left before you must sign in again');
    expect(en).toContain('Microsoft lets you add a key only within 5 minutes of signing in.');
    expect(en).not.toContain('Time left to register the key');
    const de = text(await render({ countdowns: [WINDOW, { kind: 'fresh-sign-in', endsAt: now + 3 * 60_000 }] }, 'de'));
    expect(de).toContain('Zeit, bis Sie sich erneut anmelden müssen');
  });

  it('once the five minutes are over: sign in again with the same pass (multi-use), or stop for a new pass', async () => {
    const over = [WINDOW, { kind: 'fresh-sign-in' as const, endsAt: now - 1_000 }];
    const again = text(await render({ countdowns: over, whenFreshEnds: 'fresh.sign-in-again' }));
    expect(again).toContain('Time left to register the key');
    expect(again).toContain('Sign in again in My Security Info with the same pass');
    const newPass = text(await render({ countdowns: over, whenFreshEnds: 'fresh.new-pass' }));
    expect(newPass).toContain('Operator: stop, then issue a new pass.');
    expect(text(await render({ countdowns: over, whenFreshEnds: 'fresh.sign-in-again' }, 'de'))).toContain('mit demselben Pass erneut an');
    expect(text(await render({ countdowns: over, whenFreshEnds: 'fresh.new-pass' }, 'de'))).toContain('einen neuen Pass ausstellen');
  });

  it('on the interrupt: what the person does there, and what the operator knows', async () => {
    const en = text(await render({ countdowns: [WINDOW], interrupt: 'interrupt.registration' }));
    expect(en).toContain('choose “Security key” there, or “Skip setup” if it is offered');
    expect(en).toContain('Operator: this page comes from your organization’s registration policy');
    const de = text(await render({ countdowns: [WINDOW], interrupt: 'interrupt.registration' }, 'de'));
    expect(de).toContain('„Einrichtung überspringen“');
    expect(de).toContain('Registrierungsrichtlinie Ihrer Organisation');
    expect(text(await render({ countdowns: [WINDOW] }))).not.toContain('registration policy');
  });

  it('the five minutes over on the interrupt: what to do now replaces the interrupt’s choices in the current step', async () => {
    const over = [WINDOW, { kind: 'fresh-sign-in' as const, endsAt: now - 1_000 }];
    const html = await render({ countdowns: over, interrupt: 'interrupt.registration', whenFreshEnds: 'fresh.new-pass' });
    const current = text(html.slice(html.indexOf('aria-current="step"'), html.indexOf('</li>', html.indexOf('aria-current="step"'))));
    expect(current).toContain('Operator: stop, then issue a new pass.');
    expect(text(html)).not.toContain('choose “Security key” there');
  });
});
