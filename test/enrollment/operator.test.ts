// The station with the real operator session (MSAL, auth code + PKCE through the emulator's sign-in page in
// Chromium, roles read from Graph): sign in, issue and cancel, then lock: every token dropped, TAP deleted.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { OperatorSession } from '../../main/operator/session';
import { operatorRoleClient } from '../../main/station';
import { startEmulator, type Emulator } from '../emulator';
import { submitSignIn } from '../emulator/support/idp-browser';
import { launchChromiumFor } from '../support/chromium';
import { upn } from '../directory/support';
import { chromiumPresenter } from '../operator/support/chromium-presenter';
import { openStation, stopStation, tapsAt } from './support/station';

let emu: Emulator;
let browser: Browser;

beforeAll(async () => {
  emu = await startEmulator();
  browser = await launchChromiumFor(emu);
});
afterAll(async () => {
  await browser?.close();
  await emu?.close();
});
beforeEach(() => emu.reset());

describe('station with the real operator session', { timeout: 120_000 }, () => {
  it('an Authentication Administrator signs in through the page, issues a pass, cancels, locks (no token, no TAP left), unlocks with the password only', async () => {
    const alex = upn('alex.wilber');
    const password = emu.operators.find((o) => o.upn === alex)!.password;
    // The first sign-in types the user name and password; the unlock finds the user name filled in and gives only
    // the password (with a passkey it would be one touch).
    let shown = 0;
    let unlockUserName: string | null = null;
    const presenter = chromiumPresenter(browser, async (page: Page) => {
      shown += 1;
      if (shown === 1) return submitSignIn(page, alex, password);
      unlockUserName = await page.getByLabel('Email or username').inputValue();
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
    });
    const operator = new OperatorSession({
      authority: emu.urls.authority,
      clientId: emu.clientId,
      graphBaseUrl: emu.urls.graph,
      caPem: emu.caPem,
      roleClient: operatorRoleClient(emu.urls.graph, { caPem: emu.caPem }),
      presenter,
      networkTimeoutMs: 10_000,
    });
    const st = await openStation(emu, { realOperator: { port: operator, token: () => operator.getAccessToken() } });
    try {
      st.send({ type: 'signIn' });
      const ready = await st.until('ready', 'signed-out');
      expect(ready.screen).toBe('ready');
      expect(ready.operator).toMatchObject({ upn: alex, capability: 'members-only' });
      const p = await st.toPreflight(upn('megan.bowen'));
      expect(p.checks.find((c) => c.code === 'operator-may-act')?.status).toBe('unknown');
      st.send({ type: 'issue' });
      await st.until('handover');
      st.send({ type: 'cancel' });
      const c = await st.until('cancelled');
      expect(c.cleanup.tap).toBe('deleted');
      st.send({ type: 'lock' });
      const locked = await st.until('locked');
      expect(locked.lockedBy).toEqual({ upn: alex, displayName: 'Alex Wilber' });
      expect(operator.current()).toBeNull();
      expect(operator.heldTokens()).toMatchObject({ accessTokens: 0, refreshTokens: 0 });
      // One action back: "Unlock as Alex Wilber" opens the sign-in at Alex's user name (login_hint); only the
      // password is given. The first sign-in had no hint.
      st.send({ type: 'unlock' });
      const back = await st.until('ready', 'locked');
      expect(back.screen).toBe('ready');
      expect(back.operator).toMatchObject({ upn: alex });
      expect(unlockUserName).toBe(alex);
      expect(new URL(presenter.log.urls[0]!).searchParams.get('login_hint')).toBeNull();
      expect(new URL(presenter.log.urls[1]!).searchParams.get('login_hint')).toBe(alex);
      expect(new URL(presenter.log.urls[1]!).searchParams.get('prompt')).toBe('login');
      expect(tapsAt(emu).filter((t) => t.userId === '00000000-0000-4000-8000-000000000010')).toEqual([]);
      expect(st.journal.events().map((e) => e.type)).toEqual(
        expect.arrayContaining(['operator.signed-in', 'tap.intent', 'tap.issued', 'tap.deleted', 'operator.locked']),
      );
    } finally {
      await stopStation(st);
      await st.journal.close();
      await operator.dispose();
    }
  });
});
