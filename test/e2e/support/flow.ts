// The operator's steps, driven as a person would: keyboard in the search, clicks elsewhere; every click or
// Enter/arrow press from "person arrives" to "pass handed over" is counted.
import type { Page } from '@playwright/test';
import { expect, submitSignIn, type Harness } from '../../harness/fixtures';
import { passesSeen, stem, text, untilScreen, type Camera, type Lang } from './kiosk';

export const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

/** Operator sign-in through the harness's separate sign-in page, to the empty search. */
export async function operatorSignIn(page: Page, h: Harness, op: { upn: string; password: string }, cam: Camera | null, lang: Lang): Promise<void> {
  await expect(heading(page, text(lang, 'operator.signedOut.title'))).toBeVisible();
  await cam?.shot('signed-out');
  const signInPage = h.waitForPage('sign-in');
  await page.getByRole('button', { name: text(lang, 'operator.signIn'), exact: true }).click();
  await untilScreen(h, 'signing-in');
  await expect(heading(page, text(lang, 'operator.signingIn.title-start'))).toBeVisible();
  await cam?.shot('signing-in');
  await submitSignIn(await signInPage, op.upn, op.password);
  await untilScreen(h, 'ready');
  await expect(heading(page, text(lang, 'find.title'))).toBeVisible();
  await expect(page.getByLabel(text(lang, 'find.label'))).toBeFocused();
}

/** Pre-flight says "ready": plainly, or "not fully checked" naming what the operator's role cannot read. */
export async function expectReadyToIssue(page: Page, lang: Lang): Promise<void> {
  const ready = ['go', 'goUnread-tap', 'goUnread-fido2', 'goUnread-both', 'goUnchecked'].map((k) => text(lang, `preflight.verdict.${k}`));
  const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await expect(page.locator('.verdict')).toHaveText(new RegExp(`^(?:${ready.map(escape).join('|')})`));
}

export interface ToHandover {
  /** The pass as read from the screen (its blocks joined). */
  pass: string;
  /** Clicks and Enter/arrow presses from the search to the pass on screen. */
  actions: number;
  actionLog: string[];
  userId: string;
}

/**
 * From the empty search to the hand-over: type the query + Enter (arrow down + Enter on the result if there are
 * several), choose the document seen, (optional hook at pre-flight), Issue. Returns the pass read off the screen.
 */
export async function toHandover(
  page: Page,
  h: Harness,
  lang: Lang,
  query: string,
  cam: Camera | null,
  atPreflight?: () => Promise<void>,
): Promise<ToHandover> {
  const log: string[] = [];
  const act = (what: string) => log.push(what);
  await page.keyboard.type(query, { delay: 60 }); // a person typing, not a badge scanner's burst
  await page.keyboard.press('Enter');
  act('Enter (search)');
  // One hit opens the person at once; several are a list to choose from (arrow down, Enter).
  const found = await untilScreen(h, ['search-results', 'identity']);
  if (found === 'search-results') {
    const results = page.getByRole('list', { name: text(lang, 'find.resultsLabel') }).getByRole('button');
    await expect(results.first()).toBeVisible();
    await cam?.shot('search-results');
    await page.keyboard.press('ArrowDown');
    act('ArrowDown (first result)');
    await expect(results.first()).toBeFocused();
    await page.keyboard.press('Enter');
    act('Enter (open the person)');
    await untilScreen(h, 'identity');
  }
  await expect(heading(page, text(lang, 'verify.title'))).toBeVisible();
  const passport = page.getByRole('button', { name: text(lang, 'document.passport'), exact: true });
  await expect(passport).toBeVisible();
  await cam?.shot('identity');
  // Choosing the document seen is the confirmation.
  await passport.click();
  act('click "Passport" (the ID seen)');
  await untilScreen(h, 'preflight');
  await expect(heading(page, text(lang, 'preflight.title'))).toBeVisible();
  await expectReadyToIssue(page, lang);
  await cam?.shot('preflight');
  const s = h.state().session;
  const userId = s && 'user' in s && s.user ? (s.user as { id: string }).id : '';
  if (atPreflight) await atPreflight();
  await page.getByRole('button', { name: text(lang, 'preflight.issue') }).click();
  act('click "Issue pass"');
  await untilScreen(h, 'handover');
  await expect(heading(page, new RegExp(`^${stem(lang, 'handover.title')}`))).toBeVisible();
  const pass = await readPass(page);
  await cam?.shot('handover');
  return { pass, actions: log.length, actionLog: log, userId };
}

/**
 * The pass as the hand-over screen shows it (its blocks joined), once they are rendered; remembered for the scan of
 * every file written during the suite. Never empty: an empty string would be "found" in every file.
 */
export async function readPass(page: Page): Promise<string> {
  const blocks = page.locator('.pass .pass-block');
  await expect(blocks.nth(1)).toBeVisible(); // grouped for reading aloud: at least two blocks
  const pass = (await blocks.allInnerTexts()).join('');
  expect(pass.length).toBeGreaterThanOrEqual(8);
  passesSeen.add(pass);
  return pass;
}

/** No TAP left at the emulator for this user (its Graph state, as GET /_admin/taps lists it). */
export const tapsOf = (h: Harness, userId: string) => [...h.emulator.ctx.state.taps.values()].filter((t) => t.userId === userId);
