// For tests that drive the emulator's sign-in page in real Chromium (started by test/support/chromium.ts's
// launchChromiumFor, which trusts exactly the emulator's certificates).
import type { Page } from 'playwright-core';

/** Fills the emulator's sign-in page the way a person would: by the fields' labels, then the button. */
export async function submitSignIn(page: Page, username: string, password: string): Promise<void> {
  const user = page.getByLabel('Email or username');
  if ((await user.inputValue()) !== username) await user.fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
