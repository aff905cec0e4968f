// The person at the desk, on the emulator's My Security Info page (its data-step markers and labels): sign in
// with the pass, add a security key (Chromium's virtual authenticator answers WebAuthn), name it. For the harness
// test, the Playwright suites and the demo's headless mode. On Microsoft's host names the same steps cross hosts
// (sign-in on login.microsoftonline.com, the ceremony on login.microsoft.com): the markers and labels are the same,
// plus the "Next" that leaves My Security Info for the registration page.
import type { Page } from 'playwright-core';

export const step = (page: Page, name: string, timeoutMs = 30_000) => page.waitForSelector(`body[data-step="${name}"]`, { timeout: timeoutMs });

/** From the first page My Security Info shows to "signed in" (the security-info page). */
export async function signInWithPass(page: Page, upn: string, pass: string): Promise<void> {
  await step(page, 'sign-in-username');
  await page.getByLabel('Email, phone, or Skype').fill(upn);
  await page.getByRole('button', { name: 'Next' }).click();
  await step(page, 'sign-in-tap');
  await page.getByLabel('Temporary Access Pass').fill(pass);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await step(page, 'security-info');
}

/** From the security-info page to a named, registered key. */
export async function registerSecurityKey(page: Page, name = 'Desk key'): Promise<void> {
  await page.getByRole('link', { name: '+ Add sign-in method' }).click();
  await step(page, 'add-method');
  await page.getByRole('link', { name: /Security key/ }).click();
  await step(page, 'security-key-type');
  await page.getByRole('link', { name: 'USB device' }).click();
  await page.waitForURL(/\/security-key\/usb$|\/fido\/create\b/);
  const hop = page.locator('#webauthn-hop');
  if ((await hop.count()) > 0) await hop.click(); // to login.microsoft.com/<tenant>/fido/create
  await step(page, 'webauthn');
  await page.getByRole('button', { name: 'Next' }).click();
  await step(page, 'name-key');
  await page.getByLabel('Security key name').fill(name);
  await page.getByRole('button', { name: 'Next' }).click();
}
