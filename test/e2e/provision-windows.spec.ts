// "Set up the key here" on a Windows station without administrator rights, in Chromium through the web harness
// (`windowsDialog`): the key reader is refused HID (access denied), the station runs as on win32, and webauthn.dll
// is a stand-in (test/authenticator/fake-windows.ts) whose dialog the test answers, as the person would in
// Windows' own window. The kiosk shows no PIN pad: it says Windows will ask for the PIN and the touch, then once
// more for the proof. English and German, screenshots and axe on every screen. Then what goes wrong there: the
// person cancels the dialog, a key model the tenant blocks (found in the attestation, after Windows made the passkey),
// the proof's dialog cancelled after Microsoft has the passkey. The PINs are made at run time.
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from '../harness/fixtures';
import type { Harness } from '../harness/fixtures';
import type { DialogKind } from '../authenticator/fake-windows';
import { heading, operatorSignIn } from './support/flow';
import { Camera, LANGS, runtimePin, text, untilScreen, useLanguage, type Lang } from './support/kiosk';

test.use({
  harnessOptions: { keepData: false, rendererDir: join(process.cwd(), '.scratch', 'e2e-renderer'), rebuild: 'if-stale', windowsDialog: true },
});

const pinsUsed = new Set<string>();
const newPin = () => runtimePin(pinsUsed);
const PERSON = { en: 'megan.bowen', de: 'sean.obrien' } as const;
const DOMAIN = 'tapkioskdemo.onmicrosoft.com';
/** Global Reader's roleTemplateId (the same in every tenant): may read the authentication methods policies. */
const GLOBAL_READER = 'f2ef992c-3afb-46b9-b7cf-a126ee74c451';

const phaseOf = (h: Harness) => {
  const s = h.state().session;
  return s?.screen === 'provisioning' ? s.phase : null;
};
const errorOf = (h: Harness) => {
  const s = h.state().session;
  return s?.screen === 'provisioning' ? (s.error?.code ?? null) : null;
};
const dialogUp = (h: Harness, kind: DialogKind | null) => expect.poll(() => h.windowsDialog?.showing() ?? null).toBe(kind);
const answer = (h: Harness, a: { pin: string } | 'cancel') => h.windowsDialog!.answer(a);
const userIdOf = (h: Harness, person: string) => {
  const u = h.emulator.ctx.state.findUser(`${person}@${DOMAIN}`);
  if (!u) throw new Error(`no ${person} in the seed`);
  return u.id;
};
const passkeysOf = (h: Harness, lang: Lang) => h.emulator.ctx.state.fido2Of(userIdOf(h, PERSON[lang]));
const posts = (h: Harness) => h.emulator.requestLog().filter((r) => r.method === 'POST' && /fido2Methods/.test(r.path)).length;
/** The desk key as it comes out of the box (the worker's harness keeps its state across tests). */
const freshKey = (h: Harness) => {
  const key = h.deskKey();
  if (!key) throw new Error('the harness has no desk key');
  key.factoryReset();
  return key;
};

/** Signed in, the person identified, "Set up the key here" chosen: Windows' first dialog is up. */
async function toWindowsDialog(page: Page, h: Harness, op: { upn: string; password: string }, lang: Lang): Promise<void> {
  await expect(page.locator('#root > *').first()).toBeAttached();
  await useLanguage(page, lang);
  await operatorSignIn(page, h, op, null, lang);
  await page.keyboard.type(PERSON[lang].replace('.', ' '), { delay: 40 });
  await page.keyboard.press('Enter');
  await untilScreen(h, 'identity');
  await page.getByRole('button', { name: text(lang, 'document.passport'), exact: true }).click();
  await untilScreen(h, 'preflight');
  // Offered although the station cannot read the key over HID: Windows' dialog will.
  const setUp = page.getByRole('button', { name: text(lang, 'mode.provision.action') });
  await expect(setUp).toBeEnabled();
  await expect(page.getByText(text(lang, 'mode.reason.mode.key-unreadable'))).toHaveCount(0);
  await setUp.click();
  await untilScreen(h, 'provisioning');
  await expect(heading(page, text(lang, 'provision.title'))).toBeVisible();
  await dialogUp(h, 'create');
  await expect.poll(() => phaseOf(h)).toBe('windows-dialog');
}

/** The provisioning screen stopped with `code`: its words shown, "Check the key again" offered. */
async function stoppedWith(page: Page, h: Harness, lang: Lang, code: string): Promise<void> {
  await expect.poll(() => `${phaseOf(h)} ${errorOf(h)}`).toBe(`failed ${code}`);
  await expect(page.getByText(text(lang, `provision.error.${code}`))).toBeVisible();
  await expect(page.getByRole('button', { name: text(lang, 'provision.recheck') })).toBeEnabled();
  await dialogUp(h, null);
}

for (const lang of LANGS) {
  test(`[${lang}] Windows without administrator rights: no PIN pad, Windows' dialog twice → registered and proven`, async ({
    kiosk: page,
    harness,
    operator,
  }, info) => {
    const cam = new Camera(page, lang, 'provision-windows-', info);
    const pin = newPin();
    freshKey(harness);
    await toWindowsDialog(page, harness, operator, lang);
    await expect(page.getByText(text(lang, 'provision.windows.dialogTitle'))).toBeVisible();
    await expect(page.getByText(text(lang, 'provision.windows.operatorNote'))).toBeVisible();
    await expect(page.getByRole('group', { name: text(lang, 'provision.pad.choose') })).toHaveCount(0);
    await expect(page.getByRole('button', { name: text(lang, 'provision.randomPin.choose') })).toHaveCount(0);
    await cam.shot('windows-dialog');
    answer(harness, { pin });

    await dialogUp(harness, 'get');
    await expect.poll(() => phaseOf(harness)).toBe('windows-proof');
    await expect(page.getByText(text(lang, 'provision.windows.proofTitle'))).toBeVisible();
    await cam.shot('windows-proof');
    answer(harness, { pin });

    await untilScreen(harness, 'done');
    await expect(page.getByText(text(lang, 'outcome.done.proven'))).toBeVisible();
    await cam.shot('done');
    expect(passkeysOf(harness, lang)).toHaveLength(1);
    expect(JSON.stringify(harness.state())).not.toContain(pin);
    cam.assertAccessible();
  });

  test(`[${lang}] Windows' dialog cancelled: nothing registered, "Check the key again" opens it anew and succeeds`, async ({
    kiosk: page,
    harness,
    operator,
  }, info) => {
    const cam = new Camera(page, lang, 'provision-windows-10-cancel-', info);
    const pin = newPin();
    const key = freshKey(harness);
    await toWindowsDialog(page, harness, operator, lang);
    answer(harness, 'cancel');
    await stoppedWith(page, harness, lang, 'key.dialog-cancelled');
    await cam.shot('cancelled');
    expect(passkeysOf(harness, lang)).toEqual([]);
    expect(posts(harness)).toBe(0);
    expect(key.core.state.credentials).toHaveLength(0);

    await page.getByRole('button', { name: text(lang, 'provision.recheck') }).click();
    await dialogUp(harness, 'create');
    await expect.poll(() => phaseOf(harness)).toBe('windows-dialog');
    await expect(page.getByText(text(lang, 'provision.error.key.dialog-cancelled'))).toHaveCount(0);
    answer(harness, { pin });
    await dialogUp(harness, 'get');
    answer(harness, { pin });
    await untilScreen(harness, 'done');
    await expect(page.getByText(text(lang, 'outcome.done.proven'))).toBeVisible();
    await cam.shot('done');
    expect(passkeysOf(harness, lang)).toHaveLength(1);
    expect(harness.windowsDialog!.windows.dialogs.slice(-3)).toEqual(['create', 'create', 'get']);
    cam.assertAccessible();
  });

  test(`[${lang}] a key model the key restrictions block, found in the attestation: refused before the POST, "reset it" shown`, async ({
    kiosk: page,
    harness,
    operator,
  }, info) => {
    const cam = new Camera(page, lang, 'provision-windows-20-aaguid-', info);
    const pin = newPin();
    const key = freshKey(harness);
    const state = harness.emulator.ctx.state;
    state.fido2Policy.keyRestrictions = { isEnforced: true, enforcementType: 'block', aaGuids: [key.core.profile.aaguid ?? ''] };
    // The operator may read the policy (Global Reader beside their role): the station checks the AAGUID itself.
    const op = state.findUser(operator.upn);
    if (!op) throw new Error('no operator in the emulator');
    op.roles = [...op.roles, GLOBAL_READER];
    await toWindowsDialog(page, harness, operator, lang);
    answer(harness, { pin });
    await stoppedWith(page, harness, lang, 'policy.aaguid-blocked');
    await expect(page.getByText(text(lang, 'provision.windows.leftOnKey'))).toBeVisible();
    await cam.shot('refused');
    // Windows had the key make the passkey; Microsoft was never asked to register it.
    expect(posts(harness)).toBe(0);
    expect(passkeysOf(harness, lang)).toEqual([]);
    expect(key.core.state.credentials).toHaveLength(1);
    expect(harness.windowsDialog!.windows.dialogs.at(-1)).toBe('create');
    cam.assertAccessible();
  });

  test(`[${lang}] the proof's dialog cancelled: registered but not proven, said so; Cancel closes Windows' dialog`, async ({
    kiosk: page,
    harness,
    operator,
  }, info) => {
    const cam = new Camera(page, lang, 'provision-windows-30-proof-cancel-', info);
    const pin = newPin();
    freshKey(harness);
    await toWindowsDialog(page, harness, operator, lang);
    answer(harness, { pin });
    await dialogUp(harness, 'get');
    answer(harness, 'cancel');
    // Microsoft has the passkey; the station does not claim it works.
    await stoppedWith(page, harness, lang, 'proof.failed');
    await expect(page.getByText(text(lang, 'outcome.done.proven'))).toHaveCount(0);
    await expect(page.getByText(text(lang, 'provision.error.key.dialog-cancelled'))).toHaveCount(0);
    await cam.shot('unproven');
    const registered = passkeysOf(harness, lang);
    expect(registered).toHaveLength(1);
    const s = harness.state().session;
    expect(s?.screen === 'provisioning' ? s.error : null).toEqual({ code: 'proof.failed', params: { methodId: registered[0]!.id } });

    // Checked again: Windows' dialog opens; the operator cancels on the kiosk, and Windows' dialog closes with it.
    await page.getByRole('button', { name: text(lang, 'provision.recheck') }).click();
    await dialogUp(harness, 'create');
    await page.getByRole('button', { name: text(lang, 'common.cancel') }).click();
    await dialogUp(harness, null);
    await untilScreen(harness, ['cancelled', 'done']);
    expect(passkeysOf(harness, lang)).toHaveLength(1);
    cam.assertAccessible();
  });
}
