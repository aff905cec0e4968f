// Shared steps for the end-to-end suites: screenshots (with the pass masked), axe on every screen, the passes
// seen during the run (memory only), waiting for the station's screen, and the operator actions counted.
import AxeBuilder from '@axe-core/playwright';
import { randomInt } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import { expect, type Harness } from '../../harness/fixtures';
import { ARTIFACTS } from './paths';
import { describeHits, leakRoots, scanForPasses, type LeakScan } from '../../leaks/scan';

export type Lang = 'en' | 'de';
export const LANGS: readonly Lang[] = ['en', 'de'];
export { ARTIFACTS };
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Every pass read from a hand-over screen in this worker. Never written anywhere. */
export const passesSeen = new Set<string>();
/** Every folder the harness wrote in this worker (its dataRoot), for the final scan. */
export const dataRoots = new Set<string>();
/** The emulators of this worker: every pass each one issued is scanned for, not only those seen on a screen. */
export const emulatorsUsed = new Set<{ issuedPasses(): string[] }>();
/** When this worker started: the scan reads the files written since. */
export const workerStarted = Date.now();

/**
 * The leak scan (test/leaks/scan.ts) for this worker: every pass its emulators issued and every pass read off a
 * screen, in no file written since the worker started under the harness's folders, Playwright's outputs, the
 * artifacts, os.tmpdir() and the working directory, raw or encoded.
 */
export function scanWrittenFiles(): LeakScan {
  const passes = new Set([...passesSeen, ...[...emulatorsUsed].flatMap((e) => e.issuedPasses())]);
  const roots = leakRoots([...dataRoots, join(process.cwd(), 'test-results'), join(process.cwd(), 'playwright-report'), ARTIFACTS]);
  return scanForPasses(passes, roots, workerStarted);
}
export { describeHits };

/** The station's screen now (the machine's snapshot, as the renderer receives it). */
export const screenOf = (h: Harness) => h.state().session?.screen ?? null;

/** Waits until the station shows `screen` (or one of several); returns which. A failure screen on the way throws. */
export async function untilScreen(h: Harness, screen: string | readonly string[], timeout = 30_000): Promise<string> {
  const wanted = typeof screen === 'string' ? [screen] : screen;
  const label = wanted.join('|');
  await expect
    .poll(() => (screenOf(h) === 'failed' ? 'failed' : wanted.includes(`${screenOf(h)}`) ? 'reached' : `${screenOf(h)}`), {
      timeout,
      message: `station screen → ${label}`,
    })
    .toMatch(/^(reached|failed)$/);
  const s = h.state().session;
  if (s?.screen === 'failed' && !wanted.includes('failed')) throw new Error(`the enrollment failed: ${JSON.stringify(s.error)}`);
  return `${screenOf(h)}`;
}

/** Per test: the screenshots and axe results of each screen, numbered in order. */
export class Camera {
  n = 0;
  readonly violations: string[] = [];
  constructor(
    readonly page: Page,
    readonly lang: Lang,
    readonly prefix: string,
    readonly info: TestInfo,
  ) {
    mkdirSync(join(ARTIFACTS, lang), { recursive: true });
  }

  /** PNG (the pass masked, if on screen) and axe for the screen now shown. */
  async shot(name: string): Promise<void> {
    this.n += 1;
    const file = join(ARTIFACTS, this.lang, `${this.prefix}${String(this.n).padStart(2, '0')}-${name}.png`);
    await this.page.evaluate(`document.fonts.ready.then(() => undefined)`);
    await this.page.screenshot({ path: file, fullPage: true, animations: 'disabled', mask: [this.page.locator('.pass-panel')], maskColor: '#444' });
    const axe = await new AxeBuilder({ page: this.page }).withTags(AXE_TAGS).analyze();
    for (const v of axe.violations) {
      if (v.impact !== 'serious' && v.impact !== 'critical') continue;
      const targets = v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 5)
        .join(' | ');
      this.violations.push(`[${this.lang}] ${name}: ${v.id} (${v.impact}) ${v.help} — ${targets}`);
    }
  }

  /** Fails the test when any screen had a serious or critical violation, listing them all. */
  assertAccessible(): void {
    expect(this.violations, `axe (WCAG 2.2 AA) serious/critical violations:\n${this.violations.join('\n')}`).toEqual([]);
  }
}

/** Switches the renderer's language with the header's toggle (the button names the other language). */
export async function useLanguage(page: Page, lang: Lang): Promise<void> {
  const current = await page.evaluate<string>(`document.documentElement.lang`);
  if (current === lang) return;
  await page.getByRole('button', { name: lang === 'de' ? 'Deutsch' : 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
}

const catalogs = Object.fromEntries(
  LANGS.map((l) => [l, JSON.parse(readFileSync(join(process.cwd(), 'renderer', 'src', 'i18n', `${l}.json`), 'utf8')) as Record<string, unknown>]),
) as Record<Lang, Record<string, unknown>>;

/** A message from the renderer's own catalog (dotted key, `{{name}}` filled), so the suites read what a person reads. */
export function text(lang: Lang, key: string, vars: Record<string, string | number> = {}): string {
  let node: unknown = catalogs[lang];
  for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  if (typeof node !== 'string') throw new Error(`no message ${key} in ${lang}.json`);
  return node.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(vars[k] ?? `{{${k}}}`));
}

/** The part of a message before its first placeholder (for titles that carry a name). */
export const stem = (lang: Lang, key: string) => text(lang, key).split('{{')[0]!.trim();

/**
 * A PIN for the PIN pad, made at run time: eight random digits the PIN rules accept (not all the same, not a run up
 * or down), not one of `used`, added to it. A literal would sit in a transform cache (Vite's, tsx's) of whichever
 * process compiled the file, and the leak scans would "find" it in a file written during the suite.
 */
export function runtimePin(used: Set<string>): string {
  for (;;) {
    const d = Array.from({ length: 8 }, () => randomInt(10));
    const steps = new Set(d.slice(1).map((x, i) => (x - d[i]! + 10) % 10));
    const pin = d.join('');
    if (steps.size > 1 && !used.has(pin)) {
      used.add(pin);
      return pin;
    }
  }
}
