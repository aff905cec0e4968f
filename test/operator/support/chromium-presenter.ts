// A SignInPresenter for tests: the sign-in page in real Chromium (trusting only the emulator, see
// test/support/chromium.ts), the redirect to the app intercepted with page.route so nothing has to
// listen on the redirect URI, as the kiosk's child window intercepts it.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { SignInPresenter } from '../../../main/operator/presenter';

export interface PresenterLog {
  /** How many times the session asked for the page. */
  shown: number;
  /** The authorize URLs it was asked to show. */
  urls: string[];
}

/** Whether `candidate` is a navigation to the redirect URI (any port on loopback, as Entra treats it). */
function isRedirect(candidate: URL, redirectUri: string): boolean {
  const target = new URL(redirectUri);
  return candidate.protocol === target.protocol && candidate.hostname === target.hostname && candidate.pathname === target.pathname;
}

/**
 * `act` plays the operator on the page (e.g. `submitSignIn`). The page lives in `context` when given (cookies
 * persist across sign-ins, like a kiosk window that was not wiped), else in a fresh context per sign-in. `prepare`
 * runs on the new page before it loads anything (e.g. the kiosk's navigation policy as a route).
 */
export function chromiumPresenter(
  browser: Browser,
  act: (page: Page) => Promise<void>,
  options: { context?: BrowserContext; prepare?: (page: Page) => Promise<void> } = {},
): SignInPresenter & { log: PresenterLog } {
  const log: PresenterLog = { shown: 0, urls: [] };
  const presenter = async ({ url, redirectUri, signal }: { url: string; redirectUri: string; signal: AbortSignal }): Promise<string> => {
    log.shown += 1;
    log.urls.push(url);
    const context = options.context ?? (await browser.newContext());
    const page = await context.newPage();
    await options.prepare?.(page);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new Error('sign-in page closed: aborted'));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => undefined);
    try {
      let redirectedTo: string | undefined;
      let resolveRedirect!: (url: string) => void;
      const redirected = new Promise<string>((resolve) => (resolveRedirect = resolve));
      const seen = (url: string) => {
        redirectedTo ??= url;
        resolveRedirect(url);
      };
      // Every request, redirects included (page.route sees only a redirect's first URL when a navigation
      // starts with a redirect, e.g. the identity provider answering the authorize request with error=…).
      page.on('request', (request) => {
        if (isRedirect(new URL(request.url()), redirectUri)) seen(request.url());
      });
      await page.route(
        (u) => isRedirect(u, redirectUri),
        async (route) => {
          seen(route.request().url());
          await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Signed in</title>' });
        },
      );
      const operate = (async () => {
        try {
          await page.goto(url);
        } catch (e) {
          // Nothing listens on the redirect URI: a navigation that went straight there fails, as intended.
          if (redirectedTo === undefined) throw e;
          return redirectedTo;
        }
        if (redirectedTo !== undefined) return redirectedTo;
        await act(page);
        return redirected;
      })();
      operate.catch(() => undefined);
      return await Promise.race([operate, aborted]);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
      await page.close().catch(() => undefined);
      if (!options.context) await context.close().catch(() => undefined);
    }
  };
  return Object.assign(presenter, { log });
}
