/**
 * What the desk benches share: the renderer's English words (so they click what a person reads), and a
 * recorder that counts each action and each typed character at the moment the bench performs it.
 *
 * An action is a click or touch, an Enter or arrow press, or a touch on the security key; typing into a field is
 * counted in characters, not as an action (the Enter or button that sends it is the action).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { Harness } from '../test/harness/server';

const catalog = JSON.parse(readFileSync(join(process.cwd(), 'renderer', 'src', 'i18n', 'en.json'), 'utf8')) as Record<string, unknown>;

/** A message from renderer/src/i18n/en.json by its dotted key. */
export function en(key: string): string {
  let node: unknown = catalog;
  for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  if (typeof node !== 'string') throw new Error(`no message ${key} in en.json`);
  return node;
}

export class Recorder {
  readonly log: string[] = [];
  typed = 0;
  readonly typedLog: string[] = [];

  get actions(): number {
    return this.log.length;
  }

  /** Counts an action that happened outside the page (a touch on the key). */
  note(what: string): void {
    this.log.push(what);
  }

  async click(target: Locator, what: string): Promise<void> {
    await target.click();
    this.log.push(what);
  }

  async press(page: Page, key: string, what: string): Promise<void> {
    await page.keyboard.press(key);
    this.log.push(what);
  }

  /** Types into whatever has the focus, key by key; only the count and `what` are kept (never the text). */
  async type(page: Page, text: string, what: string): Promise<void> {
    await page.keyboard.type(text);
    this.typed += text.length;
    this.typedLog.push(`${text.length} ${what}`);
  }
}

/** The station's screen now, as the renderer receives it. */
export const screenOf = (h: Harness): string | undefined => h.state().session?.screen;

/** Waits until the station shows one of `screens`; a failure on the way throws. Returns the screen reached. */
export async function until(h: Harness, screens: string | readonly string[], timeoutMs = 30_000): Promise<string> {
  const wanted = typeof screens === 'string' ? [screens] : screens;
  const t0 = Date.now();
  for (;;) {
    const now = screenOf(h);
    if (now !== undefined && wanted.includes(now)) return now;
    if (now === 'failed') throw new Error(`the enrollment failed on the way to ${wanted.join('|')}: ${JSON.stringify(h.state().session)}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`no ${wanted.join('|')} within ${timeoutMs} ms (on ${String(now)})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Operator sign-in through the harness's sign-in page (not counted: before the person arrives), to the empty search. */
export async function signInOperator(h: Harness, page: Page): Promise<void> {
  const { submitSignIn } = await import('../test/emulator/support/idp-browser');
  await page.goto(h.url);
  const op = h.emulator.operators.find((o) => o.upn.startsWith('patti.fernandez@')) ?? h.emulator.operators[0]!;
  const signInPage = h.waitForPage('sign-in');
  await page.getByRole('button', { name: en('operator.signIn'), exact: true }).click();
  await submitSignIn(await signInPage, op.upn, op.password);
  await until(h, 'ready');
  await page.getByLabel(en('find.label')).waitFor();
}

/**
 * The person arrives: the operator types the name (not counted: it is the person arriving, or their badge), Enter;
 * with several hits ArrowDown + Enter; chooses the ID document seen (that confirms the check): pre-flight.
 */
export async function toPreflight(h: Harness, page: Page, query: string, op: Recorder): Promise<void> {
  await page.keyboard.type(query);
  await op.press(page, 'Enter', 'Enter (search)');
  if ((await until(h, ['identity', 'search-results'])) === 'search-results') {
    await page
      .getByRole('list', { name: en('find.resultsLabel') })
      .getByRole('button')
      .first()
      .waitFor();
    await op.press(page, 'ArrowDown', 'ArrowDown');
    await op.press(page, 'Enter', 'Enter (open the person)');
    await until(h, 'identity');
  }
  await op.click(page.getByRole('button', { name: en('document.passport'), exact: true }), '"Passport" (the ID seen)');
  await until(h, 'preflight');
  await page.locator('.verdict').waitFor();
}
