/**
 * My Security Info beside the guide panel: a `WebContentsView` in the main window, for one user at a time.
 *
 * - Fresh in-memory partition per `open()` (`msi-<uuid>`, no `persist:` prefix): nothing of the previous user
 *   can be there, and nothing reaches the disk.
 * - NO preload, sandboxed, context-isolated, no Node; dialogs disabled; DevTools off.
 * - Navigation: only the Microsoft sign-in and My Security Info hosts (plus the emulator in demo):
 *   navigation-policy.ts `securityInfoPolicy`, checked for the first URL too (`loadURL` is not a page-initiated
 *   navigation, so the guard's events would not see it).
 * - New windows, downloads, every permission denied (guard.ts).
 * - Navigations are reported as origin and path only (page-step.ts): My Security Info comes back from sign-in
 *   with an authorization code in the URL, which must not travel to the session, the renderer or the journal.
 *   Nothing is read from the page: the guide follows the URLs (tap/view-progress.ts). The one script run in it,
 *   on request and in an isolated world, focuses the user-name field (page-step.ts); the user name is then typed.
 * - `wipe()`: removes the view, closes its page, then clears connections, storage, cache, auth cache and host
 *   resolver cache (wipe.ts). Also runs by itself when `lifetimeMs` passes (a backstop behind the session's own
 *   10-minute timeout) and before a second `open()`.
 */
import { randomUUID } from 'node:crypto';
import { type BrowserWindow, type Rectangle, session as electronSession, WebContentsView } from 'electron';
import type { SecurityInfoViewPort } from '../tap/ports';
import { cancelBlockedRequests, guardWebContents, lockDownSession } from './guard';
import type { NavigationPolicy } from './navigation-policy';
import { FOCUS_USER_NAME_FIELD, withoutSecrets } from './page-step';
import { acceptLanguages, type ViewLanguage } from './view-language';
import { WipeError, wipeSession } from './wipe';
import { REMOTE_PAGE_PREFERENCES } from './web-preferences';
import { windowLayout } from '../../common/window-layout';

export interface SecurityInfoViewOptions {
  window: BrowserWindow;
  policy: NavigationPolicy;
  /** Where the view sits in the window's content area; default: common/window-layout.ts, beside the person's panel. */
  layout?: (content: Rectangle) => Rectangle;
  /** The view wipes itself this long after `open()` whatever happens (ms). Default 15 minutes. */
  lifetimeMs?: number;
  onDenied?: (url: string, reason: string) => void;
}

type Navigation = { url: string };
/** A world of our own in the page: its scripts cannot see or replace the code that focuses the field. */
const ISOLATED_WORLD = 1001;

const defaultLayout = (content: Rectangle): Rectangle => ({ ...windowLayout(content.width, content.height).securityInfo });

interface Open {
  view: WebContentsView;
  partition: string;
  timer: NodeJS.Timeout;
  relayout: () => void;
  last: string | undefined;
}

export class SecurityInfoView implements SecurityInfoViewPort {
  private readonly options: SecurityInfoViewOptions;
  private readonly listeners = new Set<(navigation: Navigation) => void>();
  private current: Open | undefined;
  private wiping: Promise<void> | undefined;

  constructor(options: SecurityInfoViewOptions) {
    this.options = options;
  }

  async open(url: string, options: { language?: ViewLanguage } = {}): Promise<void> {
    const verdict = this.options.policy.decide(url);
    if (verdict.kind !== 'allow') throw new Error(`My Security Info view: refusing to open ${url}: ${verdict.kind === 'deny' ? verdict.reason : 'not a page'}`);
    await this.wipe();
    const partition = `msi-${randomUUID()}`;
    const ses = electronSession.fromPartition(partition, { cache: true });
    lockDownSession(ses, { onDenied: this.options.onDenied });
    // The pages in the kiosk's language (view-language.ts): the session's Accept-Language, the user agent unchanged.
    ses.setUserAgent(ses.getUserAgent(), acceptLanguages(options.language ?? 'en'));
    cancelBlockedRequests(ses, { onDenied: this.options.onDenied });
    const view = new WebContentsView({
      webPreferences: { ...REMOTE_PAGE_PREFERENCES, session: ses },
    });
    const contents = view.webContents;
    guardWebContents(contents, this.options.policy, { onDenied: this.options.onDenied });
    const win = this.options.window;
    const layout = this.options.layout ?? defaultLayout;
    const relayout = () => {
      const b = win.getContentBounds();
      view.setBounds(layout({ x: 0, y: 0, width: b.width, height: b.height }));
    };
    const timer = setTimeout(() => void this.wipe().catch(() => undefined), this.options.lifetimeMs ?? 15 * 60_000);
    const state: Open = { view, partition, timer, relayout, last: undefined };
    this.current = state;

    const report = (navigatedUrl: string) => this.report(state, navigatedUrl);
    contents.on('did-navigate', (_event, navigatedUrl) => report(navigatedUrl));
    contents.on('did-navigate-in-page', (_event, navigatedUrl, isMainFrame) => {
      if (isMainFrame) report(navigatedUrl);
    });
    contents.on('did-finish-load', () => report(contents.getURL()));
    contents.on('render-process-gone', () => void this.wipe().catch(() => undefined));

    win.contentView.addChildView(view);
    relayout();
    win.on('resize', relayout);
    await contents.loadURL(url);
  }

  /** The user name into the sign-in page's user-name field (page-step.ts), typed; false when there is none. */
  async fillUserName(userName: string): Promise<boolean> {
    const contents = this.current?.view.webContents;
    if (!contents || contents.isDestroyed()) return false;
    const focused: unknown = await contents.executeJavaScriptInIsolatedWorld(ISOLATED_WORLD, [{ code: FOCUS_USER_NAME_FIELD }]);
    if (focused !== true) return false;
    // The keyboard to the page: the text goes in there, and the person goes on with the pass in the same page.
    contents.focus();
    await contents.insertText(userName);
    return true;
  }

  onNavigation(listener: (navigation: Navigation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Idempotent; concurrent calls share one wipe. Throws `WipeError` when a clearing step failed. */
  wipe(): Promise<void> {
    this.wiping ??= this.doWipe().finally(() => {
      this.wiping = undefined;
    });
    return this.wiping;
  }

  private async doWipe(): Promise<void> {
    const state = this.current;
    if (!state) return;
    this.current = undefined;
    clearTimeout(state.timer);
    const win = this.options.window;
    if (!win.isDestroyed()) {
      win.off('resize', state.relayout);
      win.contentView.removeChildView(state.view);
    }
    const contents = state.view.webContents;
    const ses = contents.session;
    if (!contents.isDestroyed()) contents.close();
    const result = await wipeSession(ses);
    if (result.failed.length > 0) throw new WipeError('My Security Info view', result);
  }

  private report(state: Open, navigatedUrl: string): void {
    if (this.current !== state) return; // wiped meanwhile: nothing of this user may surface
    const url = withoutSecrets(navigatedUrl);
    if (url === state.last) return;
    state.last = url;
    for (const listener of this.listeners) listener({ url });
  }
}
