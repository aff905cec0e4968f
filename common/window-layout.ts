/**
 * The Electron window while the person registers: the person's panel (their user name, the pass, the guide, "Stop")
 * on the left, My Security Info (a WebContentsView over the window, main/kiosk/security-info-view.ts) on the right.
 * One pure function both sides use: main places the view with it, the renderer sizes its panel column with it, so
 * the view can never cover what the person needs (test/kiosk/window-layout.test.ts, at 1024×768, 1280×800 and
 * 1920×1080). Node-free.
 *
 * Widths: My Security Info's sign-in box is 440 px wide (Microsoft's sign-in page, a fixed-width card) and needs
 * margins around it: at least SECURITY_INFO_MIN_WIDTH. The panel shows the pass large (three blocks of four) and the
 * user name: at least PANEL_MIN_WIDTH. Between them the panel takes 40 %, never more than PANEL_MAX_WIDTH (on a wide
 * screen the page gets the room). Below PANEL_MIN_WIDTH + SECURITY_INFO_MIN_WIDTH the two are stacked: the panel on
 * top, the page below it.
 */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export const PANEL_MIN_WIDTH = 400;
export const PANEL_MAX_WIDTH = 720;
export const PANEL_SHARE = 0.4;
export const SECURITY_INFO_MIN_WIDTH = 560;
/** Stacked (a narrow window): the panel's share of the height. */
export const STACKED_PANEL_SHARE = 0.45;

export interface WindowLayout {
  readonly arrangement: 'beside' | 'stacked';
  /** The person's panel (the renderer's left column, with the compact operator header on top). */
  readonly panel: Rect;
  /** Where the My Security Info view goes. */
  readonly securityInfo: Rect;
}

/** The layout for a window content area of `width` × `height` (CSS px = DIP). */
export function windowLayout(width: number, height: number): WindowLayout {
  const w = Math.max(0, Math.floor(width));
  const h = Math.max(0, Math.floor(height));
  if (w < PANEL_MIN_WIDTH + SECURITY_INFO_MIN_WIDTH) {
    const top = Math.round(h * STACKED_PANEL_SHARE);
    return {
      arrangement: 'stacked',
      panel: { x: 0, y: 0, width: w, height: top },
      securityInfo: { x: 0, y: top, width: w, height: h - top },
    };
  }
  const panel = Math.min(PANEL_MAX_WIDTH, w - SECURITY_INFO_MIN_WIDTH, Math.max(PANEL_MIN_WIDTH, Math.round(w * PANEL_SHARE)));
  return {
    arrangement: 'beside',
    panel: { x: 0, y: 0, width: panel, height: h },
    securityInfo: { x: panel, y: 0, width: w - panel, height: h },
  };
}

/** Whether two rectangles share any area (touching edges do not). */
export function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}
