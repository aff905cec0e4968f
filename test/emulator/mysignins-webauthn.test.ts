// In real Chromium: a user signs in to My Security Info with a one-time TAP and registers a security key through
// Chromium's virtual authenticator (CDP WebAuthn domain); the one-time window, the Fido2 policy and
// excludeCredentials are enforced as the kiosk's user would see them.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { startEmulator, type Emulator } from './index';
import { issueTap } from './support/mysignins';
import { httpRequest } from './support/http';
import { accessTokenFor } from './support/tokens';
import { addVirtualAuthenticator, launchChromium, VIRTUAL_AUTHENTICATOR_AAGUID as VIRTUAL_AAGUID } from '../support/chromium';

/**
 * Chromium's virtual authenticator is not attested (VIRTUAL_AUTHENTICATOR_AAGUID in test/support/chromium.ts): a
 * policy with `isAttestationEnforced: true` (the emulator's default, as in Graph's example) refuses it. The happy
 * path therefore turns enforcement off.
 */
const MEGAN = 'megan.bowen@tapkioskdemo.onmicrosoft.com';
/** Authentication Administrator: the kiosk operator's role. */
const ALEX = 'alex.wilber@tapkioskdemo.onmicrosoft.com';
const SHOTS = new URL('../../artifacts/emulator/', import.meta.url);

let emu: Emulator;
let browser: Browser;
let context: BrowserContext | undefined;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // The short one-time "kiosk" TAP policy preset: these tests are about 10-minute one-time passes.
  emu = await startEmulator({ tapPolicy: 'kiosk' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await emu?.close();
});
beforeEach(async () => {
  emu.reset();
  await context?.close();
  context = undefined;
});

/** A fresh browser partition with a virtual USB security key (resident keys, PIN/UV, touch simulated). */
async function openWithKey(): Promise<{ page: Page; authenticatorId: string; cdp: CDPSession }> {
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  return { page, ...(await addVirtualAuthenticator(context, page)) };
}

const stepOf = (page: Page) => page.locator('body').getAttribute('data-step');
const errorOf = (page: Page) => page.locator('body').getAttribute('data-error');

async function expectStep(page: Page, step: string) {
  await page.waitForSelector(`body[data-step="${step}"]`, { timeout: 30_000 });
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: new URL(`mysignins-${name}.png`, SHOTS).pathname, fullPage: true });
}

/** Serious or critical axe findings on the page (WCAG 2.x A/AA rules). */
async function accessibilityProblems(page: Page) {
  const result = await new AxeBuilder({ page: page as never }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
}

async function signIn(page: Page, upn: string, pass: string) {
  await page.goto(emu.urls.mySecurityInfo);
  await expectStep(page, 'sign-in-username');
  await page.getByLabel('Email, phone, or Skype').fill(upn);
  await page.getByRole('button', { name: 'Next' }).click();
  await expectStep(page, 'sign-in-tap');
  await page.getByLabel('Temporary Access Pass').fill(pass);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** From Security info to the browser prompt: "+ Add sign-in method" → "Security key" → "USB device" → Next. */
async function addSecurityKey(page: Page, screenshots = false) {
  await page.getByRole('link', { name: '+ Add sign-in method' }).click();
  await expectStep(page, 'add-method');
  if (screenshots) await shot(page, '04-add-method');
  await page.getByRole('link', { name: /Security key/ }).click();
  await expectStep(page, 'security-key-type');
  if (screenshots) await shot(page, '05-security-key-type');
  await page.getByRole('link', { name: 'USB device' }).click();
  await expectStep(page, 'webauthn');
  if (screenshots) await shot(page, '06-webauthn');
  await page.getByRole('button', { name: 'Next' }).click();
}

function megan() {
  const user = emu.ctx.state.findUser(MEGAN);
  if (!user) throw new Error('seed lacks Megan Bowen');
  return user;
}

describe('My Security Info in Chromium with a virtual security key', { timeout: 120_000 }, () => {
  it('signs in with a one-time TAP from Graph, registers a key through the WebAuthn prompt, names it; Graph then lists it with its AAGUID, and the pass is spent', async () => {
    emu.ctx.state.fido2Policy.isAttestationEnforced = false; // see VIRTUAL_AAGUID
    const operator = await accessTokenFor(emu, ALEX);
    const graph = (method: string, path: string, body?: unknown) =>
      httpRequest(`${emu.urls.graph}/users/${megan().id}/authentication/${path}`, {
        method,
        ca: emu.caPem,
        headers: { authorization: `Bearer ${operator}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const created = await graph('POST', 'temporaryAccessPassMethods', { lifetimeInMinutes: 10, isUsableOnce: true });
    expect(created.status).toBe(201);
    const tap = {
      pass: created.json().temporaryAccessPass as string,
      get usedDateTime() {
        return emu.ctx.state.taps.get(megan().id)?.usedDateTime ?? null;
      },
    };
    const { page, cdp, authenticatorId } = await openWithKey();
    const problems: Record<string, string[]> = {};

    await page.goto(emu.urls.mySecurityInfo);
    await expectStep(page, 'sign-in-username');
    await shot(page, '01-sign-in-username');
    problems['sign-in-username'] = await accessibilityProblems(page);
    await page.getByLabel('Email, phone, or Skype').fill(MEGAN);
    await page.getByRole('button', { name: 'Next' }).click();
    await expectStep(page, 'sign-in-tap');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Enter Temporary Access Pass');
    await shot(page, '02-sign-in-tap');
    problems['sign-in-tap'] = await accessibilityProblems(page);
    await page.getByLabel('Temporary Access Pass').fill(tap.pass);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectStep(page, 'security-info');
    expect(tap.usedDateTime).not.toBeNull(); // one-time use consumed at sign-in
    expect((await graph('GET', 'temporaryAccessPassMethods')).json().value[0]).toMatchObject({ isUsable: false, methodUsabilityReason: 'OneTimeUsed' });
    await shot(page, '03-security-info');
    problems['security-info'] = await accessibilityProblems(page);

    await addSecurityKey(page, true);
    await expectStep(page, 'name-key');
    await shot(page, '07-name-key');
    problems['name-key'] = await accessibilityProblems(page);
    await page.getByLabel('Security key name').fill("Megan's key");
    await page.getByRole('button', { name: 'Next' }).click();
    await expectStep(page, 'done');
    await shot(page, '08-done');
    problems.done = await accessibilityProblems(page);

    const keys = emu.ctx.state.fido2Of(megan().id);
    expect(keys).toHaveLength(1);
    const key = keys[0]!;
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.isResidentCredential).toBe(true);
    expect(key).toMatchObject({
      displayName: "Megan's key",
      aaGuid: VIRTUAL_AAGUID,
      model: 'FIDO2 security key',
      attestationLevel: 'notAttested',
      passkeyType: 'deviceBound',
      credentialId: Buffer.from(credentials[0]!.credentialId, 'base64').toString('base64url'),
    });
    expect(key.attestationCertificates).toEqual([expect.stringMatching(/^[0-9a-f]{40}$/)]); // the batch certificate's thumbprint
    expect(Math.abs(key.createdDateTime.getTime() - emu.ctx.clock.nowMs())).toBeLessThan(60_000);
    const listed = await graph('GET', 'fido2Methods');
    expect(listed.status).toBe(200);
    expect(listed.json().value).toEqual([
      expect.objectContaining({ id: key.id, displayName: "Megan's key", aaGuid: VIRTUAL_AAGUID, model: 'FIDO2 security key', attestationLevel: 'notAttested' }),
    ]);

    await page.getByRole('link', { name: 'Done' }).click();
    await expectStep(page, 'security-info');
    const row = page.locator('[data-method="fido2"]');
    await expect(row.getAttribute('data-aaguid')).resolves.toBe(VIRTUAL_AAGUID);
    await expect(row.textContent()).resolves.toContain("Megan's key");
    await shot(page, '09-security-info-with-key');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expectStep(page, 'signed-out');
    await shot(page, '10-signed-out');
    problems['signed-out'] = await accessibilityProblems(page);
    await page.goto(`${emu.urls.mySecurityInfo}/security-info`);
    await expectStep(page, 'sign-in-username'); // the session is gone

    await signIn(page, MEGAN, tap.pass);
    await expectStep(page, 'sign-in-tap');
    await expect(errorOf(page)).resolves.toBe('tap-one-time-used');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Temporary Access Pass sign in was blocked due to User Credential Policy.');
    await shot(page, '11-sign-in-tap-refused');

    expect(problems).toEqual({ 'sign-in-username': [], 'sign-in-tap': [], 'security-info': [], 'name-key': [], done: [], 'signed-out': [] });
  });

  it('refuses the registration when the emulator clock has moved 11 minutes past a one-time TAP sign-in', async () => {
    emu.ctx.state.fido2Policy.isAttestationEnforced = false;
    const tap = issueTap(emu, MEGAN, { lifetimeInMinutes: 60, isUsableOnce: true });
    const { page } = await openWithKey();
    await signIn(page, MEGAN, tap.pass);
    await expectStep(page, 'security-info');
    emu.advanceClock(11);
    await addSecurityKey(page);
    await expectStep(page, 'error');
    await expect(errorOf(page)).resolves.toBe('registration-window-expired');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('more than 10 minutes have passed');
    await shot(page, '12-error-window');
    expect(emu.ctx.state.fido2Of(megan().id)).toHaveLength(0);
  });

  it('refuses at verification when the 10 minutes run out while the user is at the browser prompt', async () => {
    emu.ctx.state.fido2Policy.isAttestationEnforced = false;
    const tap = issueTap(emu, MEGAN, { lifetimeInMinutes: 60, isUsableOnce: true });
    const { page } = await openWithKey();
    await signIn(page, MEGAN, tap.pass);
    await expectStep(page, 'security-info');
    // Options are issued inside the window; the attestation reaches the server after it.
    await page.route('**/security-info/webauthn/verify', async (route) => {
      emu.advanceClock(11);
      await route.continue();
    });
    await addSecurityKey(page);
    await expectStep(page, 'error');
    await expect(errorOf(page)).resolves.toBe('registration-window-expired');
    expect(emu.ctx.state.fido2Of(megan().id)).toHaveLength(0);
  });

  it('a multi-use TAP has no 10-minute window, but after 5 minutes the person must sign in again (fresh sign-in), then registers', async () => {
    emu.reset('microsoft-defaults');
    emu.ctx.state.fido2Policy.isAttestationEnforced = false;
    const tap = issueTap(emu, MEGAN, { lifetimeInMinutes: 60, isUsableOnce: false });
    const { page } = await openWithKey();
    await signIn(page, MEGAN, tap.pass);
    await expectStep(page, 'security-info');
    emu.advanceClock(11);
    await addSecurityKey(page);
    await expectStep(page, 'error');
    await expect(errorOf(page)).resolves.toBe('sign-in-not-fresh');
    await page.getByRole('link', { name: 'Sign in again' }).click();
    await expectStep(page, 'sign-in-username');
    await page.getByLabel('Email, phone, or Skype').fill(MEGAN);
    await page.getByRole('button', { name: 'Next' }).click();
    await expectStep(page, 'sign-in-tap');
    await page.getByLabel('Temporary Access Pass').fill(tap.pass);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectStep(page, 'security-info');
    await addSecurityKey(page);
    await expectStep(page, 'name-key');
    await page.getByLabel('Security key name').fill('Spare key');
    await page.getByRole('button', { name: 'Next' }).click();
    await expectStep(page, 'done');
    expect(emu.ctx.state.fido2Of(megan().id).map((k) => k.displayName)).toEqual(['Spare key']);
  });

  it('refuses a key whose AAGUID the Fido2 policy blocks, and one missing from an allow list', async () => {
    for (const enforcementType of ['block', 'allow'] as const) {
      emu.reset();
      emu.ctx.state.fido2Policy.isAttestationEnforced = false;
      emu.ctx.state.fido2Policy.keyRestrictions = {
        isEnforced: true,
        enforcementType,
        aaGuids: enforcementType === 'block' ? [VIRTUAL_AAGUID.toUpperCase()] : ['2fc0579f-8113-47ea-b116-bb5a8db9202a'],
      };
      const tap = issueTap(emu, MEGAN);
      const { page } = await openWithKey();
      await signIn(page, MEGAN, tap.pass);
      await expectStep(page, 'security-info');
      await addSecurityKey(page);
      await expectStep(page, 'error');
      await expect(errorOf(page), enforcementType).resolves.toBe('key-restricted');
      if (enforcementType === 'block') await shot(page, '13-error-key-restricted');
      expect(emu.ctx.state.fido2Of(megan().id)).toHaveLength(0);
      await context?.close();
      context = undefined;
    }
  });

  it('refuses the virtual key when the policy enforces attestation (its batch certificate is self-signed, its AAGUID unlisted)', async () => {
    expect(emu.ctx.state.fido2Policy.isAttestationEnforced).toBe(true);
    const tap = issueTap(emu, MEGAN);
    const { page } = await openWithKey();
    await signIn(page, MEGAN, tap.pass);
    await expectStep(page, 'security-info');
    await addSecurityKey(page);
    await expectStep(page, 'error');
    await expect(errorOf(page)).resolves.toBe('attestation-required');
    expect(emu.ctx.state.fido2Of(megan().id)).toHaveLength(0);
  });

  it('does not register the same key twice: the options exclude credentials the user already has', async () => {
    emu.reset('microsoft-defaults');
    emu.ctx.state.fido2Policy.isAttestationEnforced = false;
    const tap = issueTap(emu, MEGAN, { lifetimeInMinutes: 60, isUsableOnce: false });
    const { page } = await openWithKey();
    await signIn(page, MEGAN, tap.pass);
    await expectStep(page, 'security-info');
    await addSecurityKey(page);
    await expectStep(page, 'name-key');
    await page.getByLabel('Security key name').fill('First');
    await page.getByRole('button', { name: 'Next' }).click();
    await expectStep(page, 'done');
    await page.getByRole('link', { name: 'Done' }).click();
    await expectStep(page, 'security-info');
    await addSecurityKey(page);
    await expectStep(page, 'error');
    await expect(stepOf(page)).resolves.toBe('error');
    await expect(errorOf(page)).resolves.toBe('key-already-registered');
    expect(emu.ctx.state.fido2Of(megan().id)).toHaveLength(1);
  });
});
