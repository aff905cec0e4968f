// The window while the person registers: the person's panel and My Security Info never overlap, each keeps the room
// it needs, and together they fill the window, at every supported size.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { overlaps, PANEL_MAX_WIDTH, PANEL_MIN_WIDTH, SECURITY_INFO_MIN_WIDTH, windowLayout, type Rect } from '../../common/window-layout';

const area = (r: Rect) => r.width * r.height;
const inside = (r: Rect, w: number, h: number) => r.x >= 0 && r.y >= 0 && r.x + r.width <= w && r.y + r.height <= h;

describe('window layout', () => {
  for (const [w, h] of [
    [1024, 768],
    [1280, 800],
    [1920, 1080],
  ] as const) {
    it(`${w}×${h}: side by side, nothing of the panel covered, each wide enough, the whole window used`, () => {
      const l = windowLayout(w, h);
      expect(l.arrangement).toBe('beside');
      expect(overlaps(l.panel, l.securityInfo)).toBe(false);
      expect(inside(l.panel, w, h) && inside(l.securityInfo, w, h)).toBe(true);
      expect(l.panel.width).toBeGreaterThanOrEqual(PANEL_MIN_WIDTH);
      expect(l.securityInfo.width).toBeGreaterThanOrEqual(SECURITY_INFO_MIN_WIDTH);
      // Full height for both: the panel's "Stop" and the page's buttons are not pushed below the fold by the other.
      expect(l.panel.height).toBe(h);
      expect(l.securityInfo.height).toBe(h);
      expect(area(l.panel) + area(l.securityInfo)).toBe(w * h);
    });
  }
  it('the panel takes 40 %, at least its minimum, at most its maximum', () => {
    expect(windowLayout(1024, 768).panel.width).toBe(410);
    expect(windowLayout(1280, 800).panel.width).toBe(512);
    expect(windowLayout(1920, 1080).panel.width).toBe(PANEL_MAX_WIDTH);
    expect(windowLayout(2560, 1440).securityInfo.width).toBe(2560 - PANEL_MAX_WIDTH);
  });
  it('too narrow for both side by side: stacked, the panel on top, still without overlap', () => {
    const l = windowLayout(800, 1000);
    expect(l.arrangement).toBe('stacked');
    expect(l.panel).toEqual({ x: 0, y: 0, width: 800, height: 450 });
    expect(l.securityInfo).toEqual({ x: 0, y: 450, width: 800, height: 550 });
  });
  it('any window size: never an overlap, never outside the window, never a negative size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8000 }), fc.integer({ min: 0, max: 5000 }), (w, h) => {
        const l = windowLayout(w, h);
        expect(overlaps(l.panel, l.securityInfo)).toBe(false);
        for (const r of [l.panel, l.securityInfo]) {
          expect(r.width).toBeGreaterThanOrEqual(0);
          expect(r.height).toBeGreaterThanOrEqual(0);
          expect(inside(r, w, h)).toBe(true);
        }
      }),
    );
  });
});
