// The person's panel with a message above the guide (issue 11, §2: the current step in view without scrolling): the
// key unplugged while the pass is still shown, Microsoft's registration interrupt ("More information required"), the
// key unplugged during it, and the five minutes of a fresh sign-in over, one on top of the other, each reached
// through the web harness against the emulator. At each size (1024×768, 1280×800, 1920×1080), English and German:
// every message is whole on screen, the current step too, the size check passes and axe is clean.
import type { Page } from '@playwright/test';
import { expect, step, test } from '../harness/fixtures';
import { heading, operatorSignIn, toHandover } from './support/flow';
import { Camera, dataRoots, emulatorsUsed, LANGS, text, untilScreen, useLanguage, type Lang } from './support/kiosk';
import { atEachSize, expectCurrentStepInView } from './support/sizes';
import { join } from 'node:path';

test.use({
  harnessOptions: { keepData: true, rendererDir: join(process.cwd(), '.scratch', 'e2e-renderer'), rebuild: 'if-stale', deskKeyIsVirtualAuthenticator: true },
});
test.beforeEach(({ harness }) => {
  dataRoots.add(harness.dataRoot);
  emulatorsUsed.add(harness.emulator);
});

const MEGAN = 'megan.bowen@tapkioskdemo.onmicrosoft.com';
/** A hair more than the five minutes of a fresh sign-in (common/session.ts FRESH_SIGN_IN_MS). */
const PAST_FRESH = '05:05';

/** The messages in the person's panel (above the guide or in its current step), each whole on screen, unscrolled. */
async function expectMessagesInView(page: Page, count: number, size: { width: number; height: number }): Promise<void> {
  const bars = page.locator('.user-side .user-message');
  await expect(bars).toHaveCount(count);
  for (let i = 0; i < count; i += 1) {
    const box = await bars.nth(i).boundingBox();
    expect(box, `message ${i} at ${size.width}×${size.height}`).not.toBeNull();
    const { x, y, width, height } = box!;
    expect(
      x >= -0.5 && y >= -0.5 && x + width <= size.width + 0.5 && y + height <= size.height + 0.5,
      `message ${i} at ${size.width}×${size.height}: ${JSON.stringify(box)}`,
    ).toBe(true);
  }
}

/** At each size: size check and axe (atEachSize), every message and the current step in view. */
async function checkPanel(page: Page, cam: Camera, name: string, messages: number): Promise<void> {
  await atEachSize(page, cam, name, async (size) => {
    await expectMessagesInView(page, messages, size);
    await expectCurrentStepInView(page, size);
  });
}

for (const lang of LANGS) {
  test(`[${lang}] messages above the guide keep the current step in view: key unplugged, interrupt, fresh sign-in over`, async ({
    kiosk: page,
    harness,
    operator,
  }, info) => {
    test.setTimeout(240_000);
    // The renderer's clock is Playwright's (it flows as usual until fast-forwarded); set before the renderer loads.
    await page.clock.install();
    await page.reload();
    await page.waitForFunction(() => typeof (globalThis as unknown as { kiosk?: { request?: unknown } }).kiosk?.request === 'function');
    const cam = new Camera(page, lang as Lang, 'messages-', info);
    await useLanguage(page, lang);
    // Megan is in scope of the registration policy: after the pass, "More information required".
    harness.emulator.ctx.state.findUser(MEGAN)!.registrationInterrupt = 'skippable';
    await operatorSignIn(page, harness, operator, null, lang);
    const msi = harness.waitForPage('security-info', 60_000);
    msi.catch(() => undefined);
    const got = await toHandover(page, harness, lang, 'megan', null);
    await page.getByRole('button', { name: text(lang, 'handover.done') }).click();
    await untilScreen(harness, 'waiting-for-sign-in');
    await expect(heading(page, text(lang, 'userSide.titleWaiting'))).toBeVisible();

    // 1. The key unplugged while the pass is still shown (the sign-in step is the largest).
    harness.unplugKey();
    await expect.poll(() => (harness.state().session as { keyWarning?: unknown } | null)?.keyWarning ?? null).not.toBeNull();
    await checkPanel(page, cam, 'sign-in-unplugged', 1);
    harness.plugKey();
    await expect.poll(() => (harness.state().session as { keyWarning?: unknown } | null)?.keyWarning ?? null).toBeNull();

    // 2. Signed in with the pass: Microsoft's registration interrupt.
    const view = await msi;
    await step(view, 'sign-in-username');
    await view.getByLabel('Email, phone, or Skype').fill(MEGAN);
    await view.getByRole('button', { name: 'Next' }).click();
    await step(view, 'sign-in-tap');
    await view.getByLabel('Temporary Access Pass').fill(got.pass);
    await view.getByRole('button', { name: 'Sign in' }).click();
    await step(view, 'more-info-required');
    await view.getByRole('button', { name: 'Next' }).click();
    await step(view, 'keep-account-secure');
    await untilScreen(harness, 'registering');
    await expect.poll(() => (harness.state().session as { interrupt?: unknown } | null)?.interrupt ?? null).toBe('interrupt.registration');
    const current = page.locator('.guide [aria-current="step"]');
    await expect(current).toContainText(text(lang, 'guide.add-key.name'));
    // What to choose on that page is the step's own text; the operator's part is folded in the step.
    await expect(current).toContainText(text(lang, 'userSide.interrupt.registration.person'));
    await expect(current.getByText(text(lang, 'userSide.forOperator'))).toBeVisible();
    await checkPanel(page, cam, 'interrupt', 1);

    // 3. The key unplugged during the interrupt: two messages.
    harness.unplugKey();
    await expect.poll(() => (harness.state().session as { keyWarning?: unknown } | null)?.keyWarning ?? null).not.toBeNull();
    await checkPanel(page, cam, 'interrupt-unplugged', 2);

    // 4. The five minutes of a fresh sign-in over (the renderer's clock), still on the interrupt, key still out: no
    // step can be done now, so what to do instead is the current step's text (it replaces the interrupt's).
    await page.clock.fastForward(PAST_FRESH);
    const code = (harness.state().session as { whenFreshEnds?: string } | null)?.whenFreshEnds;
    expect(code).toMatch(/^fresh\./);
    await expect(current).toContainText(text(lang, `userSide.${code}`));
    await expect(current).not.toContainText(text(lang, 'userSide.interrupt.registration.person'));
    await checkPanel(page, cam, 'interrupt-unplugged-fresh-over', 2);

    // 5. The key back in: the fresh-sign-in message alone, in the step.
    harness.plugKey();
    await expect.poll(() => (harness.state().session as { keyWarning?: unknown } | null)?.keyWarning ?? null).toBeNull();
    await checkPanel(page, cam, 'fresh-over', 1);

    // 6. Further down the guide (the key's ceremony: "Touch and PIN" current), the five minutes over and the key out.
    await view.locator('#skip-setup').click();
    await step(view, 'security-info');
    await view.getByRole('link', { name: '+ Add sign-in method' }).click();
    await step(view, 'add-method');
    await view.getByRole('link', { name: /Security key/ }).click();
    await step(view, 'security-key-type');
    await view.getByRole('link', { name: 'USB device' }).click();
    await view.waitForURL(/\/security-key\/usb$|\/fido\/create\b/);
    const hop = view.locator('#webauthn-hop');
    if ((await hop.count()) > 0) await hop.click();
    await step(view, 'webauthn');
    await expect.poll(() => (harness.state().session as { guide?: string } | null)?.guide ?? null).toBe('touch-key');
    await expect(current).toContainText(text(lang, 'guide.touch-pin.name'));
    await expect(current).toContainText(text(lang, `userSide.${code}`));
    harness.unplugKey();
    await expect.poll(() => (harness.state().session as { keyWarning?: unknown } | null)?.keyWarning ?? null).not.toBeNull();
    await checkPanel(page, cam, 'touch-unplugged-fresh-over', 2);

    cam.assertAccessible();
  });
}
