// One whole enrollment with a real browser in the view: the station opens My Security Info in a fresh Chromium
// context (its SecurityInfoViewPort), the person signs in there with the pass from the handover screen and
// registers Chromium's CDP virtual authenticator; the station sees the steps from the page's hops between Microsoft's hosts,
// finds the key through Graph, deletes the TAP and wipes the browser context.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startEmulator, type Emulator } from '../emulator';
import { upn } from '../directory/support';
import { ChromiumSecurityInfoView } from '../harness/browser-surfaces';
import { launchChromiumFor, VIRTUAL_AUTHENTICATOR_AAGUID } from '../support/chromium';
import { registerSecurityKey, signInWithPass } from '../harness/desk-user';
import { fido2Info, identified, keysOne } from './support/fixtures';
import { openStation, tapsAt } from './support/station';

const ADELE = upn('adele.vance');

let emu: Emulator;
let browser: Browser;

beforeAll(async () => {
  // The production hosts: the guide follows Microsoft's hops (main/tap/view-progress.ts), which need the real names.
  emu = await startEmulator({ hosts: 'microsoft' });
  browser = await launchChromiumFor(emu);
});
afterAll(async () => {
  await browser?.close();
  await emu?.close();
});
beforeEach(() => {
  emu.reset();
});

describe('enrollment in Chromium', { timeout: 120_000 }, () => {
  it('pass handed over, signed in and key registered in the browser view; TAP deleted, browser context gone', async () => {
    emu.ctx.state.fido2Policy.isAttestationEnforced = false; // the virtual authenticator is not attested
    let resolveOpened: (page: Page) => void = () => undefined;
    const opened = new Promise<Page>((resolve) => (resolveOpened = resolve));
    const view = new ChromiumSecurityInfoView(browser, (page) => resolveOpened(page));
    const st = await openStation(emu, { keys: keysOne(identified(fido2Info(undefined, VIRTUAL_AUTHENTICATOR_AAGUID), 'Virtual key')), view });
    try {
      const handover = await st.toHandover(ADELE);
      const page = await opened;
      st.send({ type: 'handedOver' });
      await signInWithPass(page, ADELE, handover.pass);
      await st.until('registering');
      await registerSecurityKey(page, 'Desk key');

      const done = await st.until('done');
      expect(done.registered).toMatchObject({ aaguid: VIRTUAL_AUTHENTICATOR_AAGUID, stationKey: true });
      expect(done.cleanup).toEqual({ tap: 'deleted', viewWiped: true });
      // The guide beside the view followed the real pages, one step after the other.
      const guides = st.snapshots.flatMap((s) => (s.screen === 'registering' ? [s.guide] : [])).filter((g, i, all) => g !== all[i - 1]);
      expect(guides.slice(0, 3)).toEqual(['add-key', 'touch-key', 'name-key']);
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
