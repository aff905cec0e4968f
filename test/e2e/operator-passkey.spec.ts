// The operator signs in with a passkey at the kiosk (issue 10, 3a), end to end through the web harness: the
// production configuration on Microsoft's host names and the production navigation policy of the sign-in window.
// The operator's key was provisioned through Graph by a Privileged Authentication Administrator beforehand; at the
// sign-in page it sits in Chromium's virtual authenticator, and the sign-in hops to
// https://login.microsoft.com/common/fido/get and back.
import { join } from 'node:path';
import { expect, test } from '../harness/fixtures';
import { untilScreen } from './support/kiosk';

type OperatorPasskey = typeof import('../emulator/support/operator-passkey');

/** Through tsx, as the fixtures load the harness (main/'s JSON imports are refused by Node's ESM loader). */
async function loadOperatorPasskey(): Promise<OperatorPasskey> {
  const { tsImport } = (await import('tsx/esm/api')) as { tsImport(specifier: string, parentURL: string): Promise<unknown> };
  return (await tsImport('../emulator/support/operator-passkey.ts', import.meta.url)) as OperatorPasskey;
}

const ALEX = 'alex.wilber@tapkioskdemo.onmicrosoft.com';
const PATTI = 'patti.fernandez@tapkioskdemo.onmicrosoft.com';

test.use({ harnessOptions: { rendererDir: join(process.cwd(), '.scratch', 'e2e-renderer'), rebuild: 'if-stale', deskKeyIsVirtualAuthenticator: true } });

test('an operator signs in with a passkey: login.microsoft.com/common/fido/get, then ready, no navigation refused', async ({ kiosk: page, harness }) => {
  const { choosePasskey, plugPasskey, provisionOperatorPasskey } = await loadOperatorPasskey();
  const key = await provisionOperatorPasskey(harness.emulator, harness.browser, ALEX, PATTI);
  const signInPage = harness.waitForPage('sign-in');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await untilScreen(harness, 'signing-in');
  const signIn = await signInPage;
  const hops: string[] = [];
  signIn.on('framenavigated', (frame) => {
    if (frame === signIn.mainFrame()) hops.push(new URL(frame.url()).host + new URL(frame.url()).pathname);
  });
  await plugPasskey(signIn, key);
  await choosePasskey(signIn);
  await untilScreen(harness, 'ready');
  expect(harness.state().session?.operator?.upn).toBe(ALEX);
  expect(hops[0]).toBe('login.microsoft.com/common/fido/get');
  expect(harness.deniedNavigations()).toEqual([]);
});
