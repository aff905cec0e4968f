// The kiosk end to end in Chromium through the web harness, against the emulator: the software key at the
// station (virtual HID bus), Chromium's virtual authenticator in My Security Info. Every screen is captured
// (artifacts/e2e/<lang>/, the pass masked) and checked with axe, in English and German.
import type { Page } from '@playwright/test';
import { expect, registerSecurityKey, signInWithPass, step, test, type Harness } from '../harness/fixtures';
import { expectReadyToIssue, heading, operatorSignIn, readPass, tapsOf, toHandover } from './support/flow';
import { Camera, dataRoots, describeHits, emulatorsUsed, LANGS, passesSeen, scanWrittenFiles, stem, text, untilScreen, type Lang } from './support/kiosk';
import { join } from 'node:path';
import { TimeWarp } from './support/time-warp';
import { atEachSize, expectCurrentStepInView, expectSignInFactsInView } from './support/sizes';
const upn = (name: string) => `${name}@tapkioskdemo.onmicrosoft.com`;

// Its own renderer build (.scratch/, gitignored): out/renderer may be rebuilt by another process mid-suite.
// keepData: the harness's journals stay for the final scan (test/e2e/zz-no-pass-on-disk.spec.ts reads them in this file).
test.use({
  // deskKeyIsVirtualAuthenticator: the key at the desk reports the AAGUID of Chromium's virtual authenticator, which
  // is what registers in My Security Info, so the happy path ends with "the key plugged in at this desk" (the
  // mismatch is test/harness/harness.test.ts's case).
  harnessOptions: { keepData: true, rendererDir: join(process.cwd(), '.scratch', 'e2e-renderer'), rebuild: 'if-stale', deskKeyIsVirtualAuthenticator: true },
  permissions: ['clipboard-read', 'clipboard-write'],
});
test.beforeEach(({ harness }) => {
  dataRoots.add(harness.dataRoot);
  emulatorsUsed.add(harness.emulator);
});

/** Operator actions from "person arrives" to "pass handed over" in the happy path (read by bench/ui.bench.ts's own run). */
const ACTIONS_TARGET = 3;

async function switchTo(page: Page, lang: Lang) {
  if (lang === 'en') return;
  await page.getByRole('button', { name: 'Deutsch' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
}

/** The security keys a user holds at the emulator. */
const fido2Of = (h: Harness, who: string) => {
  const user = h.emulator.ctx.state.findUser(who);
  if (!user) throw new Error(`no user ${who} in the emulator`);
  return h.emulator.ctx.state.fido2Of(user.id);
};

const acceptVirtualAuthenticatorAgain = (h: Harness) => {
  h.emulator.ctx.state.fido2Policy.isAttestationEnforced = false;
};

for (const lang of LANGS) {
  test.describe(`[${lang}]`, () => {
    test(`happy path: operator sign-in → search → ID → pre-flight → pass → My Security Info → done → ready`, async ({
      kiosk: page,
      harness,
      operator,
    }, info) => {
      const cam = new Camera(page, lang, '', info);
      await expect(page.locator('#root > *').first()).toBeAttached();
      await switchTo(page, lang);
      await operatorSignIn(page, harness, operator, cam, lang);
      await cam.shot('ready');
      // Sizes at desk distance and axe at 1024×768, 1280×800 and 1920×1080 on the operator's and the person's screens.
      await atEachSize(page, cam, 'ready');

      // Several hits are a list, reached with the arrow keys (and back to the box with ArrowUp).
      const search = page.getByLabel(text(lang, 'find.label'));
      await page.keyboard.type('L', { delay: 60 });
      await page.keyboard.press('Enter');
      await untilScreen(harness, 'search-results');
      const results = page.getByRole('list', { name: text(lang, 'find.resultsLabel') }).getByRole('button');
      await expect(results.nth(1)).toBeVisible(); // several
      await cam.shot('search-results');
      await page.keyboard.press('ArrowDown');
      await expect(results.first()).toBeFocused();
      await page.keyboard.press('ArrowDown');
      await expect(results.nth(1)).toBeFocused();
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('ArrowUp');
      await expect(search).toBeFocused();
      await search.clear();

      // The person arrives. The view for My Security Info opens when the pass is handed over.
      const msi = harness.waitForPage('security-info', 60_000);
      msi.catch(() => undefined);
      const adele = upn('adele.vance');
      const got = await toHandover(page, harness, lang, 'adele', cam, async () => {
        // This operator's role cannot read the TAP policy: the lifetime's range shown is Microsoft's, and says so.
        await expect(page.getByText(text(lang, 'preflight.lifetimeHintGraph', { min: 10, max: 43200 }))).toBeVisible();
        await atEachSize(page, cam, 'preflight');
      });
      info.annotations.push({
        type: 'operator actions (person arrives → pass on screen)',
        description: `${got.actions} (target ${ACTIONS_TARGET}): ${got.actionLog.join(', ')}`,
      });
      // Type + Enter opens the one hit, choosing the document seen confirms the check, Issue: three actions.
      expect(got.actionLog).toHaveLength(ACTIONS_TARGET);

      // Not selectable, not copyable.
      const pass = page.locator('.pass');
      // (Page code as strings: this project's tsconfig has no DOM library.)
      expect(await page.evaluate<string>(`getComputedStyle(document.querySelector('.pass')).userSelect`)).toBe('none');
      expect(await page.evaluate<string>(`getComputedStyle(document.querySelector('.pass-block')).userSelect`)).toBe('none');
      const prevented = await page.evaluate<boolean>(`(() => {
        const ev = new ClipboardEvent('copy', { bubbles: true, cancelable: true, clipboardData: new DataTransfer() });
        document.querySelector('.pass').dispatchEvent(ev);
        return ev.defaultPrevented && ev.clipboardData.getData('text/plain') === '';
      })()`);
      expect(prevented).toBe(true);
      await page.evaluate(`navigator.clipboard.writeText('nothing copied')`);
      await pass.click({ clickCount: 3 });
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('ControlOrMeta+C');
      expect(await page.evaluate<string>(`getSelection()?.toString() ?? ''`)).not.toContain(got.pass);
      expect(await page.evaluate<string>(`navigator.clipboard.readText()`)).toBe('nothing copied');
      await page.evaluate(`getSelection()?.removeAllRanges()`);

      await page.getByRole('button', { name: text(lang, 'handover.done') }).click();
      await untilScreen(harness, 'waiting-for-sign-in');
      await expect(heading(page, text(lang, 'userSide.titleWaiting'))).toBeVisible();
      // While My Security Info asks for them, the person reads their user name and the pass in their panel.
      await expect(page.locator('.sign-in-upn')).toHaveText(adele);
      expect((await page.locator('.sign-in-facts .pass .pass-block').allInnerTexts()).join('')).toBe(got.pass);
      await cam.shot('user-sign-in');
      await atEachSize(page, cam, 'user-sign-in', (size) => expectSignInFactsInView(page, size));

      // On the sign-in page the kiosk offers to type the user name in (never the pass): one touch, and it is there.
      const view = await msi;
      // My Security Info opens in the language the kiosk shows (the guide quotes its labels).
      expect(await view.evaluate(() => (globalThis as { navigator?: { language?: string } }).navigator?.language)).toBe(lang === 'de' ? 'de-DE' : 'en-US');
      await step(view, 'sign-in-username');
      await page.getByRole('button', { name: text(lang, 'userSide.fillUserName') }).click();
      await expect(view.getByLabel('Email, phone, or Skype')).toHaveValue(adele);
      // The person, on My Security Info: the pass as read from the screen, then the key through WebAuthn.
      await signInWithPass(view, adele, got.pass);
      await untilScreen(harness, 'registering');
      // Signed in: the pass is gone from the panel for good.
      await expect(page.locator('.pass')).toHaveCount(0);
      await expect(heading(page, text(lang, 'userSide.titleRegistering'))).toBeVisible();
      // The guide marks one step current: adding the key (its three choices are one page of My Security Info).
      await expect(page.locator('.guide [aria-current="step"]')).toHaveCount(1);
      await expect(page.locator('.guide [aria-current="step"]')).toContainText(text(lang, 'guide.add-key.name'));
      await cam.shot('user-registering');
      // At each size the current step is in view without scrolling (finished steps are one line each).
      await atEachSize(page, cam, 'user-registering', (size) => expectCurrentStepInView(page, size));
      await registerSecurityKey(view, 'Adele – desk key');

      await untilScreen(harness, 'done');
      await expect(heading(page, new RegExp(`^${stem(lang, 'outcome.done.title')}`))).toBeVisible();
      const done = harness.state().session;
      if (done?.screen !== 'done') throw new Error('not done');
      // The key registered is the one at the desk (same AAGUID), and the screen says so.
      expect(done.registered.stationKey).toBe(true);
      await expect(page.getByText(text(lang, 'outcome.done.stationKey'))).toBeVisible();
      await expect(page.getByText(text(lang, 'outcome.tap.deleted'))).toBeVisible();
      await expect(page.getByText(text(lang, 'outcome.wiped'))).toBeVisible();
      await cam.shot('done');
      expect(tapsOf(harness, got.userId)).toEqual([]);
      expect(harness.securityInfoPage()).toBeNull();
      // The production navigation policies let every hop of the real flow through.
      expect(harness.deniedNavigations()).toEqual([]);
      expect(view.isClosed()).toBe(true);

      // Ready for the next person, by itself.
      await untilScreen(harness, 'ready', 20_000);
      await expect(heading(page, text(lang, 'find.title'))).toBeVisible();
      await cam.shot('ready-next');

      if (lang === 'en') {
        // A second person at the same station: My Security Info opens with no trace of Adele.
        await test.step('a second user finds no trace of the first', async () => {
          const msi2 = harness.waitForPage('security-info', 60_000);
          msi2.catch(() => undefined);
          const megan = await toHandover(page, harness, lang, 'megan', null);
          await page.getByRole('button', { name: text(lang, 'handover.done') }).click();
          await untilScreen(harness, 'waiting-for-sign-in');
          const next = await msi2;
          expect(next).not.toBe(view);
          await step(next, 'sign-in-username');
          const origin = new URL(next.url()).origin;
          expect(await next.context().cookies()).toEqual([]);
          const storage = await next.evaluate<{ local: number; session: number; idb: string[]; origin: string }>(`(async () => ({
            local: localStorage.length,
            session: sessionStorage.length,
            idb: (await indexedDB.databases()).map((d) => d.name),
            origin: location.origin,
          }))()`);
          expect(storage).toEqual({ local: 0, session: 0, idb: [], origin });
          // Not signed in as anyone: the page asks for a user name, and the field is empty.
          await expect(next.getByLabel('Email, phone, or Skype')).toHaveValue('');
          expect(await next.content()).not.toContain('adele');
          // "Stop" asks first; the safe answer has the focus, and Enter on "Stop" does not stop.
          await page.getByRole('button', { name: text(lang, 'userSide.cancel') }).click();
          await expect(page.getByRole('button', { name: text(lang, 'userSide.stopKeep') })).toBeFocused();
          const stop = page.getByRole('button', { name: text(lang, 'userSide.stopConfirm'), exact: true });
          await stop.focus();
          await page.keyboard.press('Enter');
          expect(harness.state().session?.screen).toBe('waiting-for-sign-in');
          await stop.click();
          await untilScreen(harness, 'cancelled');
          expect(tapsOf(harness, megan.userId)).toEqual([]);
          await untilScreen(harness, 'ready', 20_000);
        });
      }

      // Today and the station status, from the header.
      await page.getByRole('button', { name: text(lang, 'header.today'), exact: true }).click();
      await expect(page.getByRole('table')).toBeVisible();
      await expect(page.getByRole('table')).toContainText(adele);
      await cam.shot('today');
      await page.getByRole('button', { name: text(lang, 'header.status'), exact: true }).click();
      await expect(heading(page, text(lang, 'station.title'))).toBeVisible();
      await cam.shot('station-status');
      await page
        .getByRole('button', { name: text(lang, 'header.back') })
        .first()
        .click();
      await expect(heading(page, text(lang, 'find.title'))).toBeVisible();

      cam.assertAccessible();
    });

    test('lost key: remove the seeded key after confirmation, sign out everywhere, continue to the hand-over, cancel: no TAP left', async ({
      kiosk: page,
      harness,
      operator,
    }, info) => {
      const cam = new Camera(page, lang, '20-lost-', info);
      await switchTo(page, lang);
      await operatorSignIn(page, harness, operator, null, lang);
      const keysBefore = fido2Of(harness, upn('lee.gu'));
      expect(keysBefore.length).toBeGreaterThan(0);
      const got = await toHandover(page, harness, lang, 'Lee Gu', cam, async () => {
        await page.getByRole('button', { name: text(lang, 'preflight.lostKey') }).click();
        await untilScreen(harness, 'lost-key');
        await expect(heading(page, new RegExp(`^${stem(lang, 'lost.title')}`))).toBeVisible();
        const box = page.getByRole('checkbox').first();
        await expect(box).toBeVisible();
        await cam.shot('keys');
        await box.check();
        await page.getByRole('button', { name: text(lang, 'lost.delete') }).click();
        const dialog = page.getByRole('alertdialog');
        await expect(dialog).toBeVisible();
        await cam.shot('confirm');
        expect(fido2Of(harness, upn('lee.gu')).length).toBe(keysBefore.length); // nothing removed before confirming
        // The safe answer is the default; Enter on "Remove" does not remove.
        await expect(dialog.getByRole('button', { name: text(lang, 'lost.keep'), exact: true })).toBeFocused();
        const remove = dialog.getByRole('button', { name: text(lang, 'lost.confirmDelete'), exact: true });
        await remove.focus();
        await page.keyboard.press('Enter');
        await expect(dialog).toBeVisible();
        expect(fido2Of(harness, upn('lee.gu')).length).toBe(keysBefore.length);
        await remove.click();
        await expect(page.getByText(text(lang, 'lost.deleted_one', { count: 1 }))).toBeVisible();
        await expect(page.getByText(text(lang, 'lost.none'))).toBeVisible();
        expect(fido2Of(harness, upn('lee.gu')).length).toBe(keysBefore.length - 1);
        // After the modal dialog closes, the page must be back in the accessibility tree (a screen reader user
        // continues here). Checked softly, with what hides it, so the flow itself is still tested; the steps
        // below find their buttons by role, which skips anything aria-hidden.
        await page.waitForTimeout(300);
        const hiddenBy = await page.evaluate<string[]>(`[...document.querySelectorAll('[aria-hidden="true"], [inert]')]
          .filter((el) => el.querySelector('button'))
          .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.hasAttribute('inert') ? '[inert]' : '[aria-hidden]'))`);
        expect.soft(hiddenBy, 'after the confirmation dialog, these ancestors hide the lost-key page from assistive technology').toEqual([]);
        await page.locator('button', { hasText: text(lang, 'lost.revoke') }).click();
        await expect(page.getByText(text(lang, 'lost.revoked'))).toBeVisible();
        await cam.shot('removed-revoked');
        await page.locator('button', { hasText: text(lang, 'lost.continue') }).click();
        await untilScreen(harness, 'preflight');
        await expectReadyToIssue(page, lang);
      });
      const revoked = harness.emulator.requestLog().filter((r) => /revokeSignInSessions/.test(r.path));
      expect(revoked.length).toBeGreaterThan(0);
      expect(tapsOf(harness, got.userId).length).toBe(1);
      await page.getByRole('button', { name: text(lang, 'handover.cancel') }).click();
      await untilScreen(harness, 'cancelled');
      await expect(heading(page, text(lang, 'outcome.cancelled.title'))).toBeVisible();
      await expect(page.getByText(text(lang, 'outcome.tap.deleted'))).toBeVisible();
      await cam.shot('cancelled');
      expect(tapsOf(harness, got.userId)).toEqual([]);
      // As GET /_admin/taps lists them: none for Lee.
      expect([...harness.emulator.ctx.state.taps.values()].filter((t) => t.userId === got.userId)).toEqual([]);
      cam.assertAccessible();
    });

    test('a person who already holds a pass: asked before replacing it; Go back keeps it, Replace issues a new one', async ({
      kiosk: page,
      harness,
      operator,
    }, info) => {
      const cam = new Camera(page, lang, '25-replace-', info);
      await switchTo(page, lang);
      await operatorSignIn(page, harness, operator, null, lang);
      const johanna = harness.emulator.ctx.state.findUser(upn('johanna.lorenz'));
      if (!johanna) throw new Error('no Johanna in the seed');
      const before = tapsOf(harness, johanna.id).map((t) => t.id);
      expect(before).toHaveLength(1);
      await page.keyboard.type('johanna', { delay: 60 });
      await page.keyboard.press('Enter');
      await untilScreen(harness, 'identity');
      await page.getByRole('button', { name: text(lang, 'document.passport'), exact: true }).click();
      await untilScreen(harness, 'preflight');
      const issue = page.getByRole('button', { name: text(lang, 'preflight.issue') });
      await issue.click();
      await untilScreen(harness, 'confirm-replace');
      const dialog = page.getByRole('alertdialog', { name: text(lang, 'replace.title') });
      await expect(dialog).toBeVisible();
      await cam.shot('confirm');
      // The safe choice has the focus, so Enter keeps the pass: Enter never confirms a replacement.
      await expect(dialog.getByRole('button', { name: text(lang, 'replace.keep'), exact: true })).toBeFocused();
      await page.keyboard.press('Enter');
      await untilScreen(harness, 'preflight');
      await expect(dialog).toBeHidden();
      expect(tapsOf(harness, johanna.id).map((t) => t.id)).toEqual(before); // kept
      // The page is back in the accessibility tree (getByRole skips what aria-hidden hides).
      await expect(issue).toBeVisible();
      await issue.click();
      await untilScreen(harness, 'confirm-replace');
      await dialog.getByRole('button', { name: text(lang, 'replace.confirm'), exact: true }).click();
      await untilScreen(harness, 'handover');
      await readPass(page);
      const now = tapsOf(harness, johanna.id).map((t) => t.id);
      expect(now).toHaveLength(1);
      expect(now[0]).not.toBe(before[0]);
      await page.getByRole('button', { name: text(lang, 'handover.cancel') }).click();
      await untilScreen(harness, 'cancelled');
      expect(tapsOf(harness, johanna.id)).toEqual([]);
      cam.assertAccessible();
    });

    test('a disabled account and a guest are blocked on the identity card, before any ID document is chosen', async ({
      kiosk: page,
      harness,
      operator,
    }, info) => {
      const cam = new Camera(page, lang, '24-blocked-', info);
      await switchTo(page, lang);
      await operatorSignIn(page, harness, operator, null, lang);
      for (const [who, block] of [
        ['diego.siciliani', 'disabled'],
        ['lynne.robbins', 'guest'],
      ] as const) {
        const search = page.getByLabel(text(lang, 'find.label'));
        await search.fill(upn(who));
        await search.press('Enter');
        await untilScreen(harness, 'identity');
        await expect(page.getByText(text(lang, `block.${block}.title`), { exact: true })).toBeVisible();
        await expect(page.getByText(text(lang, `block.${block}.way`))).toBeVisible(); // after its bold "What to do:"
        // No document to choose: nothing can lead on to a pass from here.
        await expect(page.getByRole('button', { name: text(lang, 'document.passport'), exact: true })).toHaveCount(0);
        await cam.shot(block);
        await page.getByRole('button', { name: text(lang, 'verify.back') }).click();
        await untilScreen(harness, 'search-results');
      }
      const person = harness.emulator.ctx.state.findUser(upn('diego.siciliani'));
      expect(tapsOf(harness, person!.id)).toEqual([]);
      cam.assertAccessible();
    });

    test('the 10-minute window runs out after sign-in; the pass expires before sign-in: timed out, cleanup shown, TAP deleted', async ({
      kiosk: page,
      harness,
      operator,
    }, info) => {
      const cam = new Camera(page, lang, '30-timeout-', info);
      // The station's timers run on real time in this process: long ones (≥ 9 min) are held and fired on demand.
      const warp = new TimeWarp(9 * 60_000).install();
      try {
        await switchTo(page, lang);
        await operatorSignIn(page, harness, operator, null, lang);

        // 1. Registration window: signed in with the pass, no key registered within 10 minutes.
        const msi = harness.waitForPage('security-info', 60_000);
        msi.catch(() => undefined);
        const megan = await toHandover(page, harness, lang, 'megan', null);
        await page.getByRole('button', { name: text(lang, 'handover.done') }).click();
        await untilScreen(harness, 'waiting-for-sign-in');
        const view = await msi;
        await signInWithPass(view, upn('megan.bowen'), megan.pass);
        await untilScreen(harness, 'registering');
        await expect.poll(() => warp.pending().some((ms) => ms > 9 * 60_000 && ms <= 10 * 60_000)).toBe(true);
        harness.emulator.advanceClock(11); // Microsoft's side of the same 11 minutes
        expect(warp.fire((ms) => ms <= 10 * 60_000)).toBeGreaterThan(0);
        await untilScreen(harness, 'timed-out');
        await expect(heading(page, text(lang, 'outcome.timedOut.title-registration-window'))).toBeVisible();
        await expect(page.getByText(text(lang, 'outcome.tap.deleted'))).toBeVisible();
        await expect(page.getByText(text(lang, 'outcome.wiped'))).toBeVisible();
        await cam.shot('registration-window');
        expect(tapsOf(harness, megan.userId)).toEqual([]);
        expect(view.isClosed()).toBe(true);

        // 2. The pass's own lifetime: handed over, never used.
        await page.getByRole('button', { name: text(lang, 'outcome.nextPerson') }).click();
        await untilScreen(harness, 'ready');
        await expect(page.getByLabel(text(lang, 'find.label'))).toBeFocused();
        const msi2 = harness.waitForPage('security-info', 60_000);
        msi2.catch(() => undefined);
        const alex = await toHandover(page, harness, lang, 'alex', null);
        await page.getByRole('button', { name: text(lang, 'handover.done') }).click();
        await untilScreen(harness, 'waiting-for-sign-in');
        await msi2;
        const lifetimeMs = (harness.state().session as { lifetimeMinutes?: number } | null)?.lifetimeMinutes;
        await expect.poll(() => warp.pending().length).toBeGreaterThan(0);
        // The emulator's clock stays: moving it past the pass's lifetime (60 min) would also end the operator's
        // token at Microsoft while MSAL (real time) still holds it, and the deletion would then wait for a new sign-in.
        expect(warp.fire()).toBeGreaterThan(0);
        await untilScreen(harness, 'timed-out');
        await expect(heading(page, text(lang, 'outcome.timedOut.title-tap-lifetime'))).toBeVisible();
        await expect(page.getByText(text(lang, 'outcome.tap.deleted'))).toBeVisible();
        await cam.shot('tap-lifetime');
        expect(tapsOf(harness, alex.userId)).toEqual([]);
        info.annotations.push({ type: 'timers fired', description: `long timers held: ${JSON.stringify(warp.pending())}; lifetime ${String(lifetimeMs)}` });
      } finally {
        warp.uninstall();
      }
      cam.assertAccessible();
    });

    test('Graph faults shown to the operator: a 503 storm on the search, then on creating the pass (request id, what was cleaned up)', async ({
      kiosk: page,
      harness,
      operator,
    }, info) => {
      const cam = new Camera(page, lang, '40-fault-', info);
      await switchTo(page, lang);
      await operatorSignIn(page, harness, operator, null, lang);

      // Retry-After: 0, so the client's retries (5) run out at once instead of backing off for 30 s.
      harness.emulator.injectFault({ method: 'GET', path: '/users$', status: 503, count: 50, headers: { 'Retry-After': '0' } });
      await page.keyboard.type('adele');
      await page.keyboard.press('Enter');
      await expect(page.getByText(text(lang, 'error.requestId'))).toBeVisible({ timeout: 30_000 });
      await expect(page.getByText(text(lang, 'error.graph.unavailable'))).toBeVisible();
      const searchId = await page.getByText(text(lang, 'error.requestId')).locator('code').innerText();
      expect(harness.emulator.requestLog().some((r) => r.requestId === searchId && r.status === 503)).toBe(true);
      await cam.shot('search-503');
      harness.emulator.ctx.faults.clear();

      const input = page.getByLabel(text(lang, 'find.label'));
      await input.fill('');
      await input.focus();
      harness.emulator.reset('kiosk');
      acceptVirtualAuthenticatorAgain(harness);
      const got = toHandover(page, harness, lang, 'adele', null, async () => {
        harness.emulator.injectFault({ method: 'POST', path: '/temporaryAccessPassMethods$', status: 503, count: 50, headers: { 'Retry-After': '0' } });
      });
      await expect(got).rejects.toThrow(/failed/);
      await untilScreen(harness, 'failed', 60_000);
      await expect(heading(page, text(lang, 'outcome.failed.title'))).toBeVisible();
      const failId = await page.getByText(text(lang, 'error.requestId')).locator('code').innerText();
      expect(harness.emulator.requestLog().some((r) => r.requestId === failId)).toBe(true);
      await expect(page.getByText(text(lang, 'outcome.cleanup'), { exact: true })).toBeVisible();
      await cam.shot('issue-503');
      expect(tapsOf(harness, harness.emulator.ctx.state.findUser(upn('adele.vance'))!.id)).toEqual([]);
      cam.assertAccessible();
    });
  });
}

// After the suite: no pass in any file the app, the harness or Playwright wrote, nor in os.tmpdir() or the working
// directory, in any encoded form (test/leaks/scan.ts). The screenshots took the pass masked. Every pass the worker's
// emulator issued is searched for, not only those that reached the hand-over screen. The passes live in this
// worker's memory only, so the scan runs in every worker's afterAll (a failed test restarts the worker) and once
// more as the last test, where it is reported.
test.afterAll(() => {
  const { hits } = scanWrittenFiles();
  expect(hits, `a pass was written to:\n${describeHits(hits)}`).toEqual([]);
});

test('after the suite: the passes seen on the hand-over screens are in no file written', async () => {
  test.skip(passesSeen.size === 0, 'this worker saw no pass (an earlier failure restarted it); its afterAll scanned the earlier worker');
  const { files, hits } = scanWrittenFiles();
  expect(files).toBeGreaterThan(0);
  expect(hits, `a pass was written to:\n${describeHits(hits)}`).toEqual([]);
  test.info().annotations.push({ type: 'scanned', description: `${passesSeen.size} passes, ${files} files` });
});
