// One whole enrollment with a real browser in the view: the station opens My Security Info in a fresh Chromium
// context (its SecurityInfoViewPort), the person signs in there with the pass from the handover screen and
// registers Chromium's CDP virtual authenticator; the station sees the steps from the page's data-step markers,
// finds the key through Graph, deletes the TAP and wipes the browser context.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { SecurityInfoViewPort } from '../../main/enrollment/ports';
import { startEmulator, type Emulator } from '../emulator';
import { upn } from '../directory/support';
import { fido2Info, identified, keysOne } from './support/fixtures';
import { openStation, tapsAt } from './support/station';

/** The AAGUID of Chromium's virtual authenticator (see test/emulator/mysignins-webauthn.test.ts). */
const VIRTUAL_AAGUID = '01020304-0506-0708-0102-030405060708';
const ADELE = upn('adele.vance');

class ChromiumView implements SecurityInfoViewPort {
  context: BrowserContext | null = null;
  page: Page | null = null;
  #listeners = new Set<(n: { url: string; step: string | null }) => void>();
  #resolveOpened: (page: Page) => void = () => undefined;
  /** Resolves once the station has opened the view (it does so as the pass is issued, alongside the handover). */
  readonly opened = new Promise<Page>((resolve) => (this.#resolveOpened = resolve));
  constructor(private readonly browser: Browser) {}

  async open(url: string): Promise<void> {
    this.context = await this.browser.newContext();
    const page = await this.context.newPage();
    this.page = page;
    const cdp = await this.context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', ctap2Version: 'ctap2_1', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    page.on('load', () => {
      void page
        .locator('body')
        .getAttribute('data-step', { timeout: 5_000 })
        .catch(() => null)
        .then((step) => {
          for (const l of [...this.#listeners]) l({ url: page.url(), step });
        });
    });
    await page.goto(url);
    this.#resolveOpened(page);
  }
  onNavigation(listener: (n: { url: string; step: string | null }) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  async wipe(): Promise<void> {
    await this.context?.close();
    this.context = null;
    this.page = null;
  }
}

let emu: Emulator;
let browser: Browser;

beforeAll(async () => {
  emu = await startEmulator();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
  await emu?.close();
});
beforeEach(() => {
  emu.reset();
});

const step = (page: Page, name: string) => page.waitForSelector(`body[data-step="${name}"]`, { timeout: 30_000 });

describe('enrollment in Chromium', { timeout: 120_000 }, () => {
  it('pass handed over, signed in and key registered in the browser view; TAP deleted, browser context gone', async () => {
    emu.ctx.state.fido2Policy.isAttestationEnforced = false; // the virtual authenticator is not attested
    const view = new ChromiumView(browser);
    const st = await openStation(emu, { keys: keysOne(identified(fido2Info(undefined, VIRTUAL_AAGUID), 'Virtual key')), view });
    try {
      const handover = await st.toHandover(ADELE);
      const page = await view.opened;
      st.send({ type: 'handedOver' });
      await step(page, 'sign-in-username');
      await page.getByLabel('Email, phone, or Skype').fill(ADELE);
      await page.getByRole('button', { name: 'Next' }).click();
      await step(page, 'sign-in-tap');
      await page.getByLabel('Temporary Access Pass').fill(handover.pass);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await step(page, 'security-info');
      await st.until('registering');

      await page.getByRole('link', { name: '+ Add sign-in method' }).click();
      await step(page, 'add-method');
      await page.getByRole('link', { name: /Security key/ }).click();
      await step(page, 'security-key-type');
      await page.getByRole('link', { name: 'USB device' }).click();
      await step(page, 'webauthn');
      await page.getByRole('button', { name: 'Next' }).click();
      await step(page, 'name-key');
      await page.getByLabel('Security key name').fill('Desk key');
      await page.getByRole('button', { name: 'Next' }).click();

      const done = await st.until('done');
      expect(done.registered).toMatchObject({ aaguid: VIRTUAL_AAGUID, stationKey: true });
      expect(done.cleanup).toEqual({ tap: 'deleted', viewWiped: true });
      expect(view.context).toBeNull();
      expect(tapsAt(emu).filter((t) => t.userId === '00000000-0000-4000-8000-000000000011')).toEqual([]);
      expect(st.journal.everything().includes(handover.pass)).toBe(false);
    } finally {
      const stopping = st.session.stop();
      await st.time.advance(5_000);
      await stopping;
      await st.journal.close();
    }
  });
});
