// "Set up the key here" end to end in Chromium through the web harness, against the emulator: the key at the desk
// is a full software authenticator on the virtual HID bus (test/authenticator/fido2-core.ts), touched at once. The
// operator chooses the mode on pre-flight; the person chooses a PIN on the PIN pad with the physical keyboard
// (typed twice); the station registers and proves the passkey. English and German, screenshots and axe on every
// screen, and the PIN in no file written.
import { expect, test } from '../harness/fixtures';
import { heading, operatorSignIn } from './support/flow';
import { Camera, LANGS, runtimePin, text, untilScreen } from './support/kiosk';
import { join } from 'node:path';
import { leakRoots, scanForPasses, describeHits } from '../leaks/scan';

test.use({
  harnessOptions: { keepData: true, rendererDir: join(process.cwd(), '.scratch', 'e2e-renderer'), rebuild: 'if-stale', deskKeyCanProvision: true },
});

/** Made at run time: the same literal in another file would be in some transform cache the scan reads. */
const PIN = runtimePin(new Set());
const started = Date.now();

/** One person per language: the key would refuse a second passkey for the same person (credential excluded). */
const PERSON = { en: 'megan.bowen', de: 'sean.obrien' } as const;

for (const lang of LANGS) {
  test(`[${lang}] set up the key here: mode choice → PIN on the keyboard (set twice, then entered) → registered and proven`, async ({
    kiosk: page,
    harness,
    operator,
  }, info) => {
    const cam = new Camera(page, lang, 'provision-', info);
    await expect(page.locator('#root > *').first()).toBeAttached();
    if (lang === 'de') {
      await page.getByRole('button', { name: 'Deutsch' }).click();
      await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    }
    await operatorSignIn(page, harness, operator, null, lang);
    await page.keyboard.type(PERSON[lang].split('.')[0]!, { delay: 40 });
    await page.keyboard.press('Enter');
    if ((await untilScreen(harness, ['search-results', 'identity'])) === 'search-results') {
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await untilScreen(harness, 'identity');
    }
    await page.getByRole('button', { name: text(lang, 'document.passport'), exact: true }).click();
    await untilScreen(harness, 'preflight');
    const setUp = page.getByRole('button', { name: text(lang, 'mode.provision.action') });
    await expect(setUp).toBeEnabled();
    await cam.shot('preflight-modes');
    await setUp.click();

    await untilScreen(harness, 'provisioning');
    await expect(heading(page, text(lang, 'provision.title'))).toBeVisible();
    // The key keeps its state across the tests of this worker: the first sets the PIN (typed twice), the next enters it.
    await expect
      .poll(() => {
        const s = harness.state().session;
        return s?.screen === 'provisioning' ? s.phase : null;
      })
      .toMatch(/^(set-pin|enter-pin)$/);
    const s = harness.state().session;
    const isNew = s?.screen === 'provisioning' && s.pinPad?.isNew === true;
    const pad = page.getByRole('group', { name: text(lang, isNew ? 'provision.pad.choose' : 'provision.pad.enter') });
    await expect(pad).toBeVisible();
    await cam.shot(isNew ? 'set-pin' : 'enter-pin');
    await pad.focus();
    await page.keyboard.type(PIN, { delay: 30 });
    // Masked: one dot per digit, never a digit.
    await expect(page.getByTestId('pin-dots')).toHaveText('●'.repeat(PIN.length));
    await expect(page.locator('main')).not.toContainText(PIN);
    await page.keyboard.press('Enter');
    if (isNew) {
      await expect(page.getByRole('group', { name: text(lang, 'provision.pad.again') })).toBeVisible();
      await page.keyboard.type(PIN, { delay: 30 });
      await page.keyboard.press('Enter');
    }

    await untilScreen(harness, 'done');
    await expect(page.getByText(text(lang, 'outcome.done.proven'))).toBeVisible();
    await cam.shot('done');
    const user = harness.emulator.ctx.state.findUser(`${PERSON[lang]}@tapkioskdemo.onmicrosoft.com`);
    expect(harness.emulator.ctx.state.fido2Of(user!.id).length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(harness.state())).not.toContain(PIN);
    cam.assertAccessible();
  });
}

test('after the suite: the PIN typed on the pad is in no file written', () => {
  const scan = scanForPasses([PIN], leakRoots(), started);
  const hits = scan.hits.filter((h) => !/\/bash_jobs\.[^/]+\//.test(h.file));
  expect(hits, describeHits(hits)).toEqual([]);
});
