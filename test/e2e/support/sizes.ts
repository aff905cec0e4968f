// Sizes at desk distance, measured in the page (computed styles and boxes), at each supported window size: body text
// at least 16 px on the operator's screens and 18 px on the person's side (.user-side), every button and field at
// least 44 px high, no label wider than its column (scrollWidth ≤ clientWidth) and no sideways scrolling. Each size
// is also a screenshot with axe (Camera). One pass per size on the screen already shown: no flow is repeated.
import type { Page } from '@playwright/test';
import { overlaps, windowLayout, type Rect } from '../../../common/window-layout';
import { expect } from '../../harness/fixtures';
import type { Camera } from './kiosk';

export const WINDOW_SIZES = [
  { width: 1024, height: 768 },
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;

export const OPERATOR_TEXT_MIN = 16;
export const PERSON_TEXT_MIN = 18;
export const TARGET_MIN = 44;

/** Runs in the page (a string: this project's tsconfig has no DOM library). Returns one line per problem. */
const MEASURE = `((min) => {
  const problems = [];
  const hidden = (el) => !!el.closest('[aria-hidden="true"], .visually-hidden, .skip-link, [hidden]');
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1 || hidden(el)) return false;
    const s = getComputedStyle(el);
    return s.visibility !== 'hidden' && s.display !== 'none' && s.opacity !== '0';
  };
  const where = (el) => {
    const own = typeof el.className === 'string' ? el.className.split(/\\s+/).filter((c) => c && !/^[rf][a-z0-9]{5,8}$/.test(c)).slice(0, 3) : [];
    return el.tagName.toLowerCase() + (own.length ? '.' + own.join('.') : '') + ' "' + (el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 40) + '"';
  };
  // Text: every text node with letters or digits, at its parent's computed size.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || seen.has(el) || !/[\\p{L}\\p{N}]/u.test(n.nodeValue || '') || !shown(el)) continue;
    seen.add(el);
    const need = el.closest('.user-side') ? min.person : min.operator;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size + 0.01 < need) problems.push('text ' + size + 'px < ' + need + 'px: ' + where(el));
  }
  // Targets: the control a finger hits (a field's frame, not its inner <input>). Inline links in running text are
  // exempt (WCAG 2.5.8).
  const targets = new Set();
  for (const el of document.querySelectorAll('button, input:not([type=hidden]), select, textarea, [role=button], [role=tab], [role=checkbox], [role=radio]')) {
    const frame = el.matches('input, select, textarea') ? el.closest('.fui-Input, .fui-Textarea, .fui-Select, .fui-Checkbox, .fui-Radio, .fui-Switch, .fui-SpinButton') : null;
    targets.add(frame || el);
  }
  for (const el of targets) {
    if (!shown(el)) continue;
    const h = el.getBoundingClientRect().height;
    if (h + 0.5 < min.target) problems.push('target ' + Math.round(h) + 'px high < ' + min.target + 'px: ' + where(el));
  }
  // Labels that run out of their column.
  for (const el of document.querySelectorAll('button, th, td, label, h1, h2, h3, dt, dd, .fui-Field__label, .tag, .status')) {
    if (!shown(el)) continue;
    if (el.scrollWidth > el.clientWidth + 1) problems.push('overflows its column (' + el.scrollWidth + ' > ' + el.clientWidth + '): ' + where(el));
  }
  if (document.documentElement.scrollWidth > innerWidth + 1) problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + innerWidth);
  return problems;
})`;

/** The problems on the screen now shown, at the current window size. */
export async function sizeProblems(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`${MEASURE}(${JSON.stringify({ operator: OPERATOR_TEXT_MIN, person: PERSON_TEXT_MIN, target: TARGET_MIN })})`);
}

/** A box on screen (CSS px), or null when it has none. */
async function boxOf(page: Page, selector: string): Promise<Rect | null> {
  return page.locator(selector).first().boundingBox();
}

const inside = (a: Rect, b: Rect) => a.x >= b.x - 0.5 && a.y >= b.y - 0.5 && a.x + a.width <= b.x + b.width + 0.5 && a.y + a.height <= b.y + b.height + 0.5;

/**
 * At each supported size: the size check and axe (a screenshot named `<name>-<w>x<h>`), then `extra` (what must
 * be in view there). The window's size is put back afterwards.
 */
export async function atEachSize(page: Page, cam: Camera, name: string, extra?: (size: { width: number; height: number }) => Promise<void>): Promise<void> {
  const before = page.viewportSize();
  try {
    for (const size of WINDOW_SIZES) {
      await page.setViewportSize(size);
      await page.evaluate(`new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))`);
      expect(await sizeProblems(page), `[${cam.lang}] ${name} at ${size.width}×${size.height}`).toEqual([]);
      await cam.shot(`${name}-${size.width}x${size.height}`);
      await extra?.(size);
    }
  } finally {
    if (before) await page.setViewportSize(before);
  }
}

/**
 * While My Security Info asks for them: the person's user name and the pass are in the person's panel (the part of
 * the window common/window-layout.ts leaves to the renderer, never under My Security Info) and above the fold, and
 * so is "Stop".
 */
export async function expectSignInFactsInView(page: Page, size: { width: number; height: number }): Promise<void> {
  const { panel } = windowLayout(size.width, size.height);
  const fold: Rect = { x: 0, y: 0, width: size.width, height: size.height };
  const boxes: Rect[] = [];
  for (const selector of ['.sign-in-upn', '.sign-in-facts .pass', '.user-side .actions.stop']) {
    const box = await boxOf(page, selector);
    expect(box, `${selector} at ${size.width}×${size.height}`).not.toBeNull();
    expect(inside(box!, panel) && inside(box!, fold), `${selector} at ${size.width}×${size.height}: ${JSON.stringify(box)} in ${JSON.stringify(panel)}`).toBe(
      true,
    );
    boxes.push(box!);
  }
  const [upn, pass, stop] = boxes as [Rect, Rect, Rect];
  expect(overlaps(upn, stop) || overlaps(pass, stop), `Stop covers the user name or the pass at ${size.width}×${size.height}`).toBe(false);
  await expectCurrentStepInView(page, size);
}

/**
 * The guide's current step (the one marked aria-current="step") is whole inside the person's panel and above the
 * fold, without scrolling: the page is not scrolled first, so a step below the fold fails.
 */
export async function expectCurrentStepInView(page: Page, size: { width: number; height: number }): Promise<void> {
  const { panel } = windowLayout(size.width, size.height);
  const fold: Rect = { x: 0, y: 0, width: size.width, height: size.height };
  const selector = '.guide [aria-current="step"]';
  await expect(page.locator(selector)).toHaveCount(1);
  expect(await page.evaluate<number>(`scrollY + (document.scrollingElement?.scrollTop ?? 0)`), 'the page is not scrolled').toBe(0);
  const box = await boxOf(page, selector);
  expect(box, `${selector} at ${size.width}×${size.height}`).not.toBeNull();
  expect(
    inside(box!, panel) && inside(box!, fold),
    `the current step at ${size.width}×${size.height}: ${JSON.stringify(box)} in ${JSON.stringify(panel)}, fold ${size.height}`,
  ).toBe(true);
}
