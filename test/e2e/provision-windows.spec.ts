// "Set up the key here" on a Windows station without administrator rights, in Chromium through the web harness
// (`windowsDialog`): the key reader is refused HID (access denied), the station runs as on win32, and webauthn.dll
// is a stand-in (test/authenticator/fake-windows.ts) whose dialog the test answers, as the person would in
// Windows' own window. The kiosk shows no PIN pad: it says Windows will ask for the PIN and the touch, then once
// more for the proof. English and German, screenshots and axe on every screen.
import { join } from 'node:path';
import { expect, test } from '../harness/fixtures';
import type { Harness } from '../harness/fixtures';
import type { DialogKind } from '../authenticator/fake-windows';
import { heading, operatorSignIn } from './support/flow';
import { Camera, LANGS, text, untilScreen, useLanguage } from './support/kiosk';

test.use({
  harnessOptions: { keepData: false, rendererDir: join(process.cwd(), '.scratch', 'e2e-renderer'), rebuild: 'if-stale', windowsDialog: true },
});

const PIN = '58203917';
const PERSON = { en: 'megan.bowen', de: 'sean.obrien' } as const;

const phaseOf = (h: Harness) => {
  const s = h.state().session;
  return s?.screen === 'provisioning' ? s.phase : null;
};
const dialogUp = (h: Harness, kind: DialogKind) => expect.poll(() => h.windowsDialog?.showing() ?? null).toBe(kind);

for (const lang of LANGS) {
  test(`[${lang}] Windows without administrator rights: no PIN pad, Windows' dialog twice → registered and proven`, async ({
    kiosk: page,
    harness,
    operator,
  }, info) => {
    await expect(page.locator('#root > *').first()).toBeAttached();
    await useLanguage(page, lang);
    const cam = new Camera(page, lang, 'provision-windows-', info);
    await operatorSignIn(page, harness, operator, null, lang);
    await page.keyboard.type(PERSON[lang].replace('.', ' '), { delay: 40 });
    await page.keyboard.press('Enter');
    await untilScreen(harness, 'identity');
    await page.getByRole('button', { name: text(lang, 'document.passport'), exact: true }).click();
    await untilScreen(harness, 'preflight');
    // Offered although the station cannot read the key over HID: Windows' dialog will.
    const setUp = page.getByRole('button', { name: text(lang, 'mode.provision.action') });
    await expect(setUp).toBeEnabled();
    await expect(page.getByText(text(lang, 'mode.reason.mode.key-unreadable'))).toHaveCount(0);
    await setUp.click();

    await untilScreen(harness, 'provisioning');
    await expect(heading(page, text(lang, 'provision.title'))).toBeVisible();
    await dialogUp(harness, 'create');
    await expect.poll(() => phaseOf(harness)).toBe('windows-dialog');
    await expect(page.getByText(text(lang, 'provision.windows.dialogTitle'))).toBeVisible();
    await expect(page.getByText(text(lang, 'provision.windows.operatorNote'))).toBeVisible();
    await expect(page.getByRole('group', { name: text(lang, 'provision.pad.choose') })).toHaveCount(0);
    await expect(page.getByRole('button', { name: text(lang, 'provision.randomPin.choose') })).toHaveCount(0);
    await cam.shot('windows-dialog');
    harness.windowsDialog!.answer({ pin: PIN });

    await dialogUp(harness, 'get');
    await expect.poll(() => phaseOf(harness)).toBe('windows-proof');
    await expect(page.getByText(text(lang, 'provision.windows.proofTitle'))).toBeVisible();
    await cam.shot('windows-proof');
    harness.windowsDialog!.answer({ pin: PIN });

    await untilScreen(harness, 'done');
    await expect(page.getByText(text(lang, 'outcome.done.proven'))).toBeVisible();
    await cam.shot('done');
    const user = harness.emulator.ctx.state.findUser(`${PERSON[lang]}@tapkioskdemo.onmicrosoft.com`);
    expect(harness.emulator.ctx.state.fido2Of(user!.id)).toHaveLength(1);
    expect(JSON.stringify(harness.state())).not.toContain(PIN);
    cam.assertAccessible();
  });
}
