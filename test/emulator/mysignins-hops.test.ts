// My Security Info on Microsoft's host names, in real Chromium: the hops the real flow makes between
// mysignins.microsoft.com, login.microsoftonline.com (sign-in with the pass) and login.microsoft.com (the WebAuthn
// ceremony at /<tenant>/fido/create, RP id login.microsoft.com), each name mapped to the emulator.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startEmulator, type Emulator } from './index';
import { launchChromiumFor, VIRTUAL_AUTHENTICATOR_OPTIONS } from '../support/chromium';
import { issueTap } from './support/mysignins';
import { registerSecurityKey, signInWithPass } from '../harness/desk-user';
import { call } from './conformance/graph-http';

const MEGAN = 'megan.bowen@tapkioskdemo.onmicrosoft.com';

let emu: Emulator;
let browser: Browser;
let context: BrowserContext | undefined;

beforeAll(async () => {
  emu = await startEmulator({ tapPolicy: 'kiosk', hosts: 'microsoft' });
  browser = await launchChromiumFor(emu);
}, 60_000);
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await emu?.close();
});
beforeEach(async () => {
  emu.reset('kiosk');
  emu.ctx.state.fido2Policy.isAttestationEnforced = false; // Chromium's virtual authenticator is not attested
  await context?.close();
  context = undefined;
});

async function openWithKey(): Promise<{ page: Page; navigations: string[]; credentials: () => Promise<{ rpId?: string }[]> }> {
  context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: VIRTUAL_AUTHENTICATOR_OPTIONS });
  const navigations: string[] = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) {
      const u = new URL(frame.url());
      navigations.push(`${u.origin}${u.pathname}`);
    }
  });
  const credentials = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  return { page, navigations, credentials };
}

/** Security info → "+ Add sign-in method" → "Security key" → "USB device" (the hop to the registration page is next). */
async function toUsbDevice(page: Page): Promise<void> {
  await page.getByRole('link', { name: '+ Add sign-in method' }).click();
  await page.getByRole('link', { name: /Security key/ }).click();
  await page.getByRole('link', { name: 'USB device' }).click();
}

/** Megan signs in with the pass and goes on to login.microsoft.com/<tenant>/fido/create. */
async function toRegistrationPage(page: Page, pass: string): Promise<void> {
  await page.goto(`${emu.urls.mySecurityInfo}/security-info`);
  await signInWithPass(page, MEGAN, pass);
  await toUsbDevice(page);
  await page.locator('#webauthn-hop').click();
  await page.waitForURL(/login\.microsoft\.com\/.*\/fido\/create/);
}

/** Megan's user name and pass, up to what follows them (the interrupt, for a user in its scope). */
async function signInToInterrupt(page: Page, pass: string): Promise<void> {
  await page.goto(`${emu.urls.mySecurityInfo}/security-info`);
  await page.getByLabel('Email, phone, or Skype').fill(MEGAN);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Temporary Access Pass').fill(pass);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('My Security Info on Microsoft host names', { timeout: 90_000 }, () => {
  it('signs in on login.microsoftonline.com, registers on login.microsoft.com/<tenant>/fido/create, names the key back on mysignins', async () => {
    const tap = issueTap(emu, MEGAN);
    const { page, navigations, credentials } = await openWithKey();
    await page.goto(`${emu.urls.mySecurityInfo}/security-info`);
    expect(new URL(page.url()).hostname).toBe('login.microsoftonline.com');
    expect(await page.title()).toBe('Sign in to your account');
    await signInWithPass(page, MEGAN, tap.pass);
    expect(page.url()).toBe('https://mysignins.microsoft.com/security-info');
    expect(await page.title()).toBe('Security info - My Sign-Ins');
    await registerSecurityKey(page, 'Megan desk key');
    await page.waitForURL(/\/security-key\/done/);

    const t = emu.tenantId;
    const hosts = navigations.map((n) => new URL(n).hostname);
    // The order of hosts the browser went through (consecutive duplicates folded).
    expect(hosts.filter((h, i) => h !== hosts[i - 1])).toEqual([
      'login.microsoftonline.com',
      'mysignins.microsoft.com',
      'login.microsoft.com',
      'mysignins.microsoft.com',
    ]);
    expect(navigations).toContain(`https://login.microsoftonline.com/${t}/oauth2/authorize`);
    expect(navigations).toContain(`https://login.microsoftonline.com/${t}/login`);
    expect(navigations).toContain(`https://login.microsoft.com/${t}/fido/create`);
    expect(navigations).toContain('https://mysignins.microsoft.com/security-info/add/security-key/name');

    // The credential was made for RP id login.microsoft.com (the ceremony's origin), and the tenant holds it.
    expect((await credentials()).map((c) => c.rpId)).toEqual(['login.microsoft.com']);
    const user = emu.ctx.state.findUser(MEGAN)!;
    expect(emu.ctx.state.fido2Of(user.id).map((k) => k.displayName)).toEqual(['Megan desk key']);
  });

  it('serves the sign-in and registration pages only on their own host names', async () => {
    const { page } = await openWithKey();
    const t = emu.tenantId;
    expect((await page.goto(`https://login.microsoft.com/${t}/oauth2/authorize`))?.status()).toBe(404);
    expect((await page.goto(`https://login.microsoftonline.com/${t}/fido/create`))?.status()).toBe(404);
    // No session behind the handle: back to My Security Info, which sends the browser to sign in.
    await page.goto(`https://login.microsoft.com/${t}/fido/create?ctx=forged`);
    expect(new URL(page.url()).hostname).toBe('login.microsoftonline.com');
  });

  it('refuses registration on login.microsoft.com once the one-time window has run out', async () => {
    const tap = issueTap(emu, MEGAN, { lifetimeInMinutes: 60 });
    const { page } = await openWithKey();
    await toRegistrationPage(page, tap.pass);
    emu.advanceClock(11); // the person lingers on the registration page
    await page.getByRole('button', { name: 'Next' }).click();
    await page.waitForURL(/mysignins\.microsoft\.com\/security-info\/error/);
    expect(await page.locator('body').getAttribute('data-error')).toBe('registration-window-expired');
  });

  it('refuses registration more than five minutes after the sign-in and sends the person to sign in again; the same multi-use pass then works', async () => {
    emu.reset('microsoft-defaults');
    emu.ctx.state.fido2Policy.isAttestationEnforced = false;
    const tap = issueTap(emu, MEGAN, { lifetimeInMinutes: 60, isUsableOnce: false });
    const { page } = await openWithKey();
    await toRegistrationPage(page, tap.pass);
    emu.advanceClock(5); // exactly five minutes: no longer "within the past five minutes"
    await page.getByRole('button', { name: 'Next' }).click();
    await page.waitForURL(/login\.microsoftonline\.com\/.*\/oauth2\/authorize/);
    const back = new URL(page.url());
    expect(back.searchParams.get('prompt')).toBe('login');
    expect(await page.getByLabel('Email, phone, or Skype').inputValue()).toBe(MEGAN);
    expect(emu.ctx.state.fido2Of(emu.ctx.state.findUser(MEGAN)!.id)).toHaveLength(0);
    // Signing in again with the same multi-use pass starts five new minutes.
    await signInWithPass(page, MEGAN, tap.pass);
    await registerSecurityKey(page, 'Megan again');
    await page.waitForURL(/\/security-key\/done/);
    expect(emu.ctx.state.fido2Of(emu.ctx.state.findUser(MEGAN)!.id).map((k) => k.displayName)).toEqual(['Megan again']);
  });

  it('opening login.microsoft.com/<tenant>/fido/create after the five minutes goes back to sign in', async () => {
    const tap = issueTap(emu, MEGAN, { lifetimeInMinutes: 60 });
    const { page } = await openWithKey();
    await page.goto(`${emu.urls.mySecurityInfo}/security-info`);
    await signInWithPass(page, MEGAN, tap.pass);
    await toUsbDevice(page);
    emu.advanceClock(6);
    await page.locator('#webauthn-hop').click();
    await page.waitForURL(/login\.microsoftonline\.com\/.*\/oauth2\/authorize/);
    expect(await page.locator('body').getAttribute('data-step')).toBe('sign-in-username');
  });

  for (const interrupt of ['skippable', 'required'] as const) {
    it(`sends a user in scope of the registration policy through the interrupt (${interrupt}): "More information required", then mysignins.microsoft.com/register`, async () => {
      emu.ctx.state.findUser(MEGAN)!.registrationInterrupt = interrupt;
      const tap = issueTap(emu, MEGAN);
      const { page, navigations } = await openWithKey();
      await signInToInterrupt(page, tap.pass);
      await page.waitForSelector('body[data-step="more-info-required"]');
      expect(new URL(page.url()).hostname).toBe('login.microsoftonline.com');
      expect(await page.getByRole('heading', { name: 'More information required' }).count()).toBe(1);
      await page.getByRole('button', { name: 'Next' }).click();
      await page.waitForURL(/^https:\/\/mysignins\.microsoft\.com\/register\?csrf_token=/);
      expect(await page.getByRole('heading', { name: 'Keep your account secure' }).count()).toBe(1);
      expect(await page.getByRole('link', { name: 'Skip setup' }).count()).toBe(interrupt === 'skippable' ? 1 : 0);
      // The security key can be added from the interrupt: the same steps as in Security info.
      await page.getByRole('link', { name: 'Security key', exact: true }).click();
      await page.getByRole('link', { name: 'USB device' }).click();
      await page.locator('#webauthn-hop').click();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.waitForSelector('body[data-step="name-key"]');
      await page.getByLabel('Security key name').fill('From the interrupt');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.waitForURL(/\/security-key\/done/);
      expect(navigations).toContain('https://mysignins.microsoft.com/register');
      expect(emu.ctx.state.fido2Of(emu.ctx.state.findUser(MEGAN)!.id).map((k) => k.displayName)).toEqual(['From the interrupt']);
    });
  }

  it('"Skip setup" on the interrupt goes on to Security info; the admin API sets and clears the flag', async () => {
    const admin = async (body: unknown) => (await call(emu, 'PATCH', `${emu.urls.admin}/users/${encodeURIComponent(MEGAN)}`, { body })).body;
    expect(await admin({ registrationInterrupt: 'skippable' })).toMatchObject({ registrationInterrupt: 'skippable' });
    const tap = issueTap(emu, MEGAN);
    const { page } = await openWithKey();
    await signInToInterrupt(page, tap.pass);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('link', { name: 'Skip setup' }).click();
    await page.waitForURL('https://mysignins.microsoft.com/security-info');
    expect(await page.locator('body').getAttribute('data-step')).toBe('security-info');
    expect(await admin({ registrationInterrupt: null })).toMatchObject({ registrationInterrupt: null });
    expect(emu.ctx.state.findUser(MEGAN)!.registrationInterrupt).toBeNull();
  });
});
