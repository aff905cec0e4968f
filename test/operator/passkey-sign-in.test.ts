// An operator signs in with a passkey (issue 10, 3a): the real @azure/msal-node session, the production
// configuration on Microsoft's host names (authority https://login.microsoftonline.com/<tenant>, Graph
// https://graph.microsoft.com/v1.0), the sign-in page in Chromium with the kiosk's production navigation policy for
// the operator sign-in window enforced, and the key in Chromium's virtual authenticator. The sign-in hops to
// https://login.microsoft.com/common/fido/get for the WebAuthn get (RP id login.microsoft.com) and back.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { operatorSignInPolicy, type NavigationPolicy } from '../../main/kiosk/navigation-policy';
import { DEFAULT_REDIRECT_URI, OperatorSession } from '../../main/operator/session';
import { operatorRoleClient } from '../../main/station';
import { startEmulator, type Emulator } from '../emulator/index';
import { choosePasskey, credentialIdOf, plugPasskey, provisionOperatorPasskey, type VirtualCredential } from '../emulator/support/operator-passkey';
import { enforceNavigationPolicy, type DeniedNavigation } from '../harness/browser-surfaces';
import { launchChromiumFor } from '../support/chromium';
import { chromiumPresenter } from './support/chromium-presenter';

const ALEX = 'alex.wilber@tapkioskdemo.onmicrosoft.com'; // Authentication Administrator
const PATTI = 'patti.fernandez@tapkioskdemo.onmicrosoft.com'; // Privileged Authentication Administrator

let emu: Emulator;
let browser: Browser;

beforeAll(async () => {
  emu = await startEmulator({ hosts: 'microsoft' });
  browser = await launchChromiumFor(emu);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await emu?.close();
});
beforeEach(() => {
  emu.reset();
  emu.ctx.state.fido2Policy.isAttestationEnforced = false; // Chromium's virtual authenticator is not attested
});

/** The production authority, as an administrator writes it in the configuration. */
const authority = () => `https://login.microsoftonline.com/${emu.tenantId}`;

/** The sign-in window's production policy, or the same without login.microsoft.com (the negative). */
function signInWindowPolicy(withoutLoginMicrosoftCom = false): NavigationPolicy {
  const production = operatorSignInPolicy({ authority: authority(), redirectUri: DEFAULT_REDIRECT_URI });
  if (!withoutLoginMicrosoftCom) return production;
  return {
    name: production.name,
    decide: (url) =>
      URL.canParse(url) && new URL(url).hostname === 'login.microsoft.com' ? { kind: 'deny', reason: 'login.microsoft.com removed' } : production.decide(url),
  };
}

function operatorWith(credential: VirtualCredential, policy: NavigationPolicy, act: (page: Page) => Promise<void> = choosePasskey) {
  const denied: DeniedNavigation[] = [];
  const navigations: string[] = [];
  const presenter = chromiumPresenter(browser, act, {
    prepare: async (page) => {
      await enforceNavigationPolicy(page, policy, (url, reason) => denied.push({ surface: 'sign-in', url, reason }));
      await plugPasskey(page, credential);
      page.on('framenavigated', (frame) => {
        // Only the sign-in hops: once the code reached the loopback redirect, the presenter may close the page while
        // it loads (a chrome-error:// page under load), which is not a hop of the sign-in.
        if (frame !== page.mainFrame() || !frame.url().startsWith('https://')) return;
        const u = new URL(frame.url());
        navigations.push(`${u.origin}${u.pathname}`);
      });
    },
  });
  const session = new OperatorSession({
    authority: authority(),
    clientId: emu.clientId,
    graphBaseUrl: 'https://graph.microsoft.com/v1.0',
    caPem: emu.caPem,
    hostMap: emu.hostMap,
    roleClient: operatorRoleClient('https://graph.microsoft.com/v1.0', { caPem: emu.caPem, hostMap: emu.hostMap }),
    presenter,
    networkTimeoutMs: 10_000,
  });
  return { session, presenter, denied, navigations };
}

describe('an operator signs in with a passkey', { timeout: 120_000 }, () => {
  it('through login.microsoft.com/common/fido/get with the production policy: signed in, roles read, nothing denied', async () => {
    const key = await provisionOperatorPasskey(emu, browser, ALEX, PATTI);
    expect(key.rpId).toBe('login.microsoft.com');
    const { session, denied, navigations } = operatorWith(key, signInWindowPolicy());
    try {
      const who = await session.signIn();
      expect(who.userPrincipalName).toBe(ALEX);
      expect(who.rolesFrom).toBe('directory');
      expect(denied).toEqual([]);
      expect(navigations).toEqual([`https://login.microsoftonline.com/${emu.tenantId}/oauth2/v2.0/authorize`, 'https://login.microsoft.com/common/fido/get']);
      // The emulator verified an assertion from this key: its signature counter moved on.
      const stored = [...emu.ctx.state.fido2.values()].find((k) => k.credentialId === credentialIdOf(key));
      expect(stored?.signCount).toBeGreaterThan(0);
    } finally {
      await session.dispose();
    }
  });

  it('with login.microsoft.com taken off the sign-in window allow-list, the hop is refused and nobody is signed in', async () => {
    const key = await provisionOperatorPasskey(emu, browser, ALEX, PATTI);
    const { session, denied } = operatorWith(key, signInWindowPolicy(true));
    const abort = new AbortController();
    const signIn = session.signIn(abort.signal);
    signIn.catch(() => undefined);
    try {
      await expect.poll(() => denied.length, { timeout: 30_000 }).toBeGreaterThan(0);
      expect(new URL(denied[0]!.url).origin + new URL(denied[0]!.url).pathname).toBe('https://login.microsoft.com/common/fido/get');
      abort.abort();
      await expect(signIn).rejects.toThrow();
      expect(session.current()).toBeNull();
    } finally {
      await session.dispose();
    }
  });

  it('a passkey the tenant does not know (deleted since) is refused on the sign-in page; no code is issued', async () => {
    const key = await provisionOperatorPasskey(emu, browser, ALEX, PATTI);
    for (const [id, k] of emu.ctx.state.fido2) if (k.credentialId === credentialIdOf(key)) emu.ctx.state.fido2.delete(id);
    let refusal = '';
    const { session, denied } = operatorWith(key, signInWindowPolicy(), async (page) => {
      await choosePasskey(page);
      refusal = (await page.getByRole('alert').textContent({ timeout: 30_000 })) ?? '';
    });
    const abort = new AbortController();
    const signIn = session.signIn(abort.signal);
    signIn.catch(() => undefined);
    try {
      await expect.poll(() => refusal, { timeout: 30_000 }).toMatch(/don't recognize this passkey/);
      abort.abort();
      await expect(signIn).rejects.toThrow();
      expect(session.current()).toBeNull();
      expect(denied).toEqual([]);
    } finally {
      await session.dispose();
    }
  });
});
