// Playwright fixtures for the end-to-end suites through the web harness (test/e2e/*.spec.ts):
//
//   import { test, expect } from '../harness/fixtures';
//   test('happy path', async ({ kiosk, harness }) => { ... });
//
// One emulator + harness per worker (`workerHarness`); every test starts from `harness.reset()` (station stopped
// and rebuilt with a fresh journal, emulator reset, the software key plugged in). `kiosk` is Playwright's `page`
// at the harness URL with `window.kiosk` ready. The operator's sign-in page and My Security Info are separate
// Chromium pages of the harness's own browser: `harness.waitForPage('sign-in' | 'security-info')`.
import { test as base, expect, type Page } from '@playwright/test';
import type { Harness, HarnessOptions } from './server';

/**
 * The harness composes the station from main/, whose key catalog imports JSON without an import attribute
 * (fine for Vite, vitest and tsx; refused by Node's ESM loader, which Playwright's runner uses). So it is loaded
 * through tsx, as the Electron demo loads the emulator (main/kiosk/demo-emulator.ts).
 */
let loaded: Promise<typeof import('./server')> | null = null;
/**
 * Once per worker: every `tsImport` is a fresh module graph, and a second copy of main/ would register its native
 * types again (koffi's named structs in main/keys/webauthn-dll are process-wide: "Duplicate type name").
 */
function loadHarness(): Promise<typeof import('./server')> {
  loaded ??= (async () => {
    const { tsImport } = (await import('tsx/esm/api')) as { tsImport(specifier: string, parentURL: string): Promise<unknown> };
    return (await tsImport('./server.ts', import.meta.url)) as typeof import('./server');
  })();
  return loaded;
}

export interface KioskFixtures {
  /** The worker's harness, reset for this test. */
  harness: Harness;
  /** The renderer in Playwright's page, connected to the station. */
  kiosk: Page;
  /** A demo operator who may issue passes for members and admins (Privileged Authentication Administrator). */
  operator: { upn: string; password: string };
}

export interface KioskWorkerFixtures {
  harnessOptions: HarnessOptions;
  workerHarness: Harness;
}

export const test = base.extend<KioskFixtures, KioskWorkerFixtures>({
  // Default: the desk key is recognised as the key registered in My Security Info (see HarnessOptions).
  harnessOptions: [{ deskKeyIsVirtualAuthenticator: true }, { scope: 'worker', option: true }],
  workerHarness: [
    async ({ harnessOptions }, use) => {
      const { startHarness } = await loadHarness();
      const harness = await startHarness(harnessOptions);
      try {
        await use(harness);
      } finally {
        await harness.close();
      }
    },
    { scope: 'worker', timeout: 180_000 },
  ],
  harness: async ({ workerHarness }, use) => {
    await workerHarness.reset();
    await use(workerHarness);
  },
  kiosk: async ({ page, harness }, use) => {
    await page.goto(harness.url);
    await page.waitForFunction(() => typeof (globalThis as unknown as { kiosk?: { request?: unknown } }).kiosk?.request === 'function');
    await use(page);
  },
  operator: async ({ harness }, use) => {
    const op = harness.emulator.operators.find((o) => o.upn.startsWith('patti.fernandez@')) ?? harness.emulator.operators[0];
    if (!op) throw new Error('the emulator has no operators');
    await use({ upn: op.upn, password: op.password });
  },
});

/** Another station beside the test's own (e.g. a second desk at the same event, on the same emulator); close it. */
export async function startAnotherHarness(options: HarnessOptions): Promise<Harness> {
  const { startHarness } = await loadHarness();
  return startHarness(options);
}

export { expect };
export { submitSignIn } from '../emulator/support/idp-browser';
export { registerSecurityKey, signInWithPass, step } from './desk-user';
export { VIRTUAL_AUTHENTICATOR_AAGUID } from '../support/chromium';
export type { Harness, HarnessOptions } from './server';
