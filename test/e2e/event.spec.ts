// Event mode end to end through the web harness, in English and German: two stations (two harnesses, each with
// its own journal and key, on one emulator) are configured for the same event. The second desk opens a person
// first, which claims them; opening the same person at this desk shows "in progress at another station" and
// nothing can be issued; the roster (counts, pills, next to call, the stale-claim release behind a
// confirmation whose default keeps it) and the full-screen board are shown and axe clean.
import type { Page } from '@playwright/test';
import { join } from 'node:path';
import { expect, startAnotherHarness, test } from '../harness/fixtures';
import { heading, operatorSignIn } from './support/flow';
import { Camera, LANGS, stem, text, untilScreen, type Lang } from './support/kiosk';
import { EVENT_CLAIM_GROUP, newHireId } from '../emulator/seed/event';

const RENDERER = join(process.cwd(), '.scratch', 'e2e-renderer');
test.use({ harnessOptions: { event: { rosterSize: 6 }, rendererDir: RENDERER, rebuild: 'if-stale' } });

async function switchTo(page: Page, lang: Lang) {
  if (lang === 'en') return;
  await page.getByRole('button', { name: 'Deutsch' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
}

for (const lang of LANGS) {
  test(`[${lang}] another station holds the person; the roster and the board`, async ({ kiosk: page, harness, operator }, info) => {
    const cam = new Camera(page, lang, 'event-', info);
    await switchTo(page, lang);
    await operatorSignIn(page, harness, operator, null, lang);
    await expect.poll(() => harness.state().station.event?.on).toBe(true);

    // A second desk at the same event opens Hire003 first: opening the card claims them.
    const other = harness.emulator.ctx.state.users.get(newHireId(2))!;
    const second = await startAnotherHarness({ emulator: harness.emulator, event: { rosterSize: 6 }, rendererDir: RENDERER, rebuild: 'if-stale' });
    const desk2 = await page.context().newPage();
    try {
      await desk2.goto(second.url);
      await operatorSignIn(desk2, second, operator, null, 'en');
      await expect.poll(() => second.state().station.event?.on).toBe(true);
      await desk2.getByLabel(text('en', 'find.label')).fill(other.userPrincipalName);
      await desk2.keyboard.press('Enter');
      await untilScreen(second, 'identity');
      await expect.poll(() => other.groups.includes(EVENT_CLAIM_GROUP)).toBe(true);
    } finally {
      await desk2.close();
    }
    try {
      await page.getByLabel(text(lang, 'find.label')).fill(other.userPrincipalName);
      await page.keyboard.press('Enter');
      await untilScreen(harness, 'identity');
      await page.getByRole('button', { name: text(lang, 'document.passport'), exact: true }).click();
      await untilScreen(harness, 'preflight');
      await expect(page.getByText(stem(lang, 'check.event-claim.held-elsewhere'))).toBeVisible();
      await cam.shot('preflight-held-elsewhere');
      await expect(page.getByRole('button', { name: text(lang, 'preflight.issue') })).toBeDisabled();
      await page.getByRole('button', { name: text(lang, 'common.cancel'), exact: true }).click();
      await untilScreen(harness, ['cancelled', 'ready']);

      // The roster: counts, pills, next to call; the held claim is another station's (not stale: no release button).
      await page.getByRole('button', { name: text(lang, 'roster.open') }).click();
      await expect(heading(page, text(lang, 'roster.title', { name: 'Spring onboarding' }))).toBeVisible();
      await expect(page.getByRole('cell', { name: other.displayName })).toBeVisible();
      await expect(page.getByRole('heading', { level: 2, name: text(lang, 'roster.next') })).toBeVisible();
      await expect(page.getByRole('button', { name: text(lang, 'roster.release') })).toHaveCount(0);
      await page.getByLabel(text(lang, 'roster.search')).fill('Hire003');
      await expect(page.getByRole('row')).toHaveCount(2);
      await cam.shot('roster');

      // The board, full screen and read-only; closing it returns to the roster.
      await page.getByRole('button', { name: text(lang, 'board.open') }).click();
      await expect(heading(page, text(lang, 'board.title', { name: 'Spring onboarding' }))).toBeVisible();
      await expect(page.getByText(text(lang, 'board.progress', { done: 0, total: 6 })).first()).toBeVisible();
      await cam.shot('board');
      await page.getByRole('button', { name: text(lang, 'board.close') }).click();
      await expect(heading(page, text(lang, 'roster.title', { name: 'Spring onboarding' }))).toBeVisible();
      cam.assertAccessible();
    } finally {
      await second.close();
    }
  });
}
