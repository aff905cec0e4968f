// "Reset a returned key" end to end in Chromium through the web harness: the key at the desk is a full software
// authenticator (test/authenticator/fido2-core.ts) holding the previous person's PIN and passkey. The operator opens
// the reset from the search screen, confirms, unplugs and plugs the key back in; it is touched at once, erased and
// the reset journalled. "Keep the key" leaves the key alone and gives the page back to assistive technology; a key
// reached after its 10 s window says "too late". English and German, screenshots and axe on every screen.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test, type Harness } from '../harness/fixtures';
import { records } from '../../main/audit/read';
import { heading, operatorSignIn } from './support/flow';
import { Camera, LANGS, text, untilScreen, useLanguage, type Lang } from './support/kiosk';

test.use({
  harnessOptions: { rendererDir: join(process.cwd(), '.scratch', 'e2e-renderer'), rebuild: 'if-stale', deskKeyCanProvision: true },
});

type Step = 'confirming' | 'unplug' | 'plug-in' | 'touch' | 'outcome';

/** The station's recycling step now (the snapshot the renderer receives), or its screen when elsewhere. */
const stepOf = (h: Harness): string => {
  const s = h.state().session;
  return s?.screen === 'recycle' ? s.step : `${s?.screen}`;
};
const untilStep = (h: Harness, step: Step) => expect.poll(() => stepOf(h), { message: `recycle step → ${step}` }).toBe(step);

/** The previous holder's PIN and one passkey on the key at the desk. */
function handedBack(h: Harness): NonNullable<ReturnType<Harness['deskKey']>>['core'] {
  const key = h.deskKey()?.core;
  if (!key) throw new Error('the harness has no full software key at the desk');
  if (!key.state.pinSet) key.state.setPin(Buffer.from('51739260', 'utf8'));
  key.state.credentials.push({
    id: randomBytes(32),
    rpId: 'login.microsoft.com',
    userId: randomBytes(16),
    user: new Map<string, unknown>([['name', 'leaver@example.test']]),
    privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    credProtect: 1,
    resident: true,
  });
  return key;
}

/** The kiosk started, shown in `lang`. */
async function showIn(page: Page, lang: Lang): Promise<void> {
  await expect(page.locator('#root > *').first()).toBeAttached();
  if (lang === 'de') await useLanguage(page, 'de');
}

/** Signed in (in `lang`), on the search screen, the reset opened and its confirmation shown with "Keep the key" focused. */
async function openRecycle(page: Page, h: Harness, op: { upn: string; password: string }, lang: Lang, cam: Camera): Promise<void> {
  await showIn(page, lang);
  await operatorSignIn(page, h, op, null, lang);
  await page.getByRole('button', { name: text(lang, 'find.recycle') }).click();
  await untilScreen(h, 'recycle');
  const dialog = page.getByRole('alertdialog', { name: text(lang, 'recycle.confirm.title') });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: text(lang, 'recycle.confirm.keep') })).toBeFocused();
  await cam.shot('confirm');
}

/** The page (#root) is readable by assistive technology again: not aria-hidden, its heading found by role. */
async function expectPageNotHidden(page: Page, title: string): Promise<void> {
  await expect(page.getByRole('alertdialog')).toHaveCount(0);
  await expect(page.locator('#root')).not.toHaveAttribute('aria-hidden', 'true');
  await expect(heading(page, title)).toBeVisible();
}

for (const lang of LANGS) {
  test(`[${lang}] reset a returned key: confirm → unplug → plug back in → touch → erased and journalled`, async ({ kiosk: page, harness, operator }, info) => {
    const cam = new Camera(page, lang, 'recycle-', info);
    const key = handedBack(harness);
    await openRecycle(page, harness, operator, lang, cam);
    await page.getByRole('button', { name: text(lang, 'recycle.confirm.yes') }).click();

    await untilStep(harness, 'unplug');
    await expectPageNotHidden(page, text(lang, 'recycle.title'));
    await expect(page.getByText(text(lang, 'recycle.now.unplug'))).toBeVisible();
    await cam.shot('unplug');
    harness.unplugKey();
    await untilStep(harness, 'plug-in');
    await expect(page.getByText(text(lang, 'recycle.now.plug-in', { seconds: 10 }))).toBeVisible();
    await cam.shot('plug-in');
    harness.plugKey(); // touched at once

    await untilStep(harness, 'outcome');
    await expect(page.getByText(text(lang, 'recycle.doneTitle'))).toBeVisible();
    await expect(page.getByText(text(lang, 'recycle.outcome.done'))).toBeVisible();
    await cam.shot('done');
    // The previous holder's PIN and passkey are gone from the key.
    expect(key.state.pinSet).toBe(false);
    expect(key.state.credentials).toEqual([]);
    // Journalled: who reset which model, nothing of the previous holder.
    const folder = harness.station().config.auditFolder;
    const days = [...new Set([new Date().toISOString().slice(0, 10), new Date().toLocaleDateString('sv-SE')])];
    const journal = (await Promise.all(days.map((d) => records(folder, d)))).flat();
    const recycled = journal.map((r) => r.event).filter((e) => e.type === 'key.recycled');
    expect(recycled).toEqual([expect.objectContaining({ operator: expect.objectContaining({ upn: operator.upn }) })]);
    expect(JSON.stringify(recycled)).not.toContain('leaver@example.test');

    await page.getByRole('button', { name: text(lang, 'recycle.close') }).click();
    await untilScreen(harness, 'ready');
    await expectPageNotHidden(page, text(lang, 'find.title'));
    cam.assertAccessible();
  });

  test(`[${lang}] "Keep the key": back to search, the key untouched, the page not hidden from assistive technology`, async ({
    kiosk: page,
    harness,
    operator,
  }, info) => {
    const cam = new Camera(page, lang, 'recycle-keep-', info);
    const key = handedBack(harness);
    const commands = key.commands.length;
    await openRecycle(page, harness, operator, lang, cam);
    await page.getByRole('button', { name: text(lang, 'recycle.confirm.keep') }).click();
    await untilScreen(harness, 'ready');
    await expectPageNotHidden(page, text(lang, 'find.title'));
    // Long enough for Fluent's modalizer to have settled (it updates aria-hidden 250 ms after a change).
    await page.waitForTimeout(600);
    await expect(page.locator('#root')).not.toHaveAttribute('aria-hidden', 'true');
    await expect(page.getByLabel(text(lang, 'find.label'))).toBeVisible();
    await cam.shot('kept');
    expect(key.state.pinSet).toBe(true);
    expect(key.commands.length).toBe(commands);

    // Escape is "Keep" as well, and leaves the page as readable.
    await page.getByRole('button', { name: text(lang, 'find.recycle') }).click();
    await untilScreen(harness, 'recycle');
    await expect(page.getByRole('alertdialog')).toBeVisible();
    await page.keyboard.press('Escape');
    await untilScreen(harness, 'ready');
    await page.waitForTimeout(600);
    await expectPageNotHidden(page, text(lang, 'find.title'));
    await cam.shot('kept-escape');
    cam.assertAccessible();
  });

  test(`[${lang}] the reset window missed: "too late" with what to do, then Try again`, async ({ kiosk: page, harness, operator }, info) => {
    const cam = new Camera(page, lang, 'recycle-late-', info);
    const key = handedBack(harness);
    const passkeys = key.state.credentials.length;
    await openRecycle(page, harness, operator, lang, cam);
    await page.getByRole('button', { name: text(lang, 'recycle.confirm.yes') }).click();
    await untilStep(harness, 'unplug');
    harness.unplugKey();
    await untilStep(harness, 'plug-in');
    // Plugged in, and 11 s pass on the key before the reset reaches it: the key refuses (NOT_ALLOWED).
    harness.plugKey();
    harness.advanceDeskKeyClock(11_000);

    await untilStep(harness, 'outcome');
    await expect(page.getByText(text(lang, 'recycle.failedTitle'))).toBeVisible();
    await expect(page.getByText(text(lang, 'recycle.outcome.too-late', { seconds: 10 }))).toBeVisible();
    await cam.shot('too-late');
    expect(key.state.pinSet).toBe(true);
    expect(key.state.credentials).toHaveLength(passkeys);

    await page.getByRole('button', { name: text(lang, 'recycle.again') }).click();
    await untilStep(harness, 'unplug');
    await page.getByRole('button', { name: text(lang, 'common.cancel') }).click();
    await untilScreen(harness, 'ready');
    await expectPageNotHidden(page, text(lang, 'find.title'));
    cam.assertAccessible();
  });

  test(`[${lang}] from the station status page: disabled until an operator signs in, then opens the reset`, async ({
    kiosk: page,
    harness,
    operator,
  }, info) => {
    const cam = new Camera(page, lang, 'recycle-station-', info);
    await showIn(page, lang);
    const statusPage = page.getByRole('button', { name: text(lang, 'header.status'), exact: true });
    const entry = page.getByRole('region', { name: text(lang, 'station.recycle.name') }).getByRole('button', { name: text(lang, 'find.recycle') });
    await statusPage.click();
    await expect(entry).toBeDisabled();
    await expect(page.getByText(text(lang, 'station.recycle.blocked.operator'))).toBeVisible();
    await cam.shot('station-signed-out');
    await statusPage.click();

    await operatorSignIn(page, harness, operator, null, lang);
    await statusPage.click();
    await expect(entry).toBeEnabled();
    await cam.shot('station-signed-in');
    await entry.click();
    await untilScreen(harness, 'recycle');
    const dialog = page.getByRole('alertdialog', { name: text(lang, 'recycle.confirm.title') });
    await expect(dialog).toBeVisible();
    await cam.shot('station-confirm');
    await dialog.getByRole('button', { name: text(lang, 'recycle.confirm.keep') }).click();
    await untilScreen(harness, 'ready');
    await expectPageNotHidden(page, text(lang, 'find.title'));
    cam.assertAccessible();
  });
}
