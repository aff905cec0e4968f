// The two browser surfaces a station needs, as Chromium pages (playwright-core): the operator's sign-in page
// (a SignInPresenter) and the user's My Security Info (a SecurityInfoViewPort). Each in its own fresh browser
// context; My Security Info gets Chromium's CDP virtual authenticator so WebAuthn registration works, a new
// context per user, closed by wipe().
//
// Each surface obeys the kiosk's own navigation policy (main/kiosk/navigation-policy.ts), as the Electron guard
// (main/kiosk/guard.ts) applies it: a navigation the policy denies is aborted (its first request) or, when a
// redirect leads there, the page is closed; either way it is recorded in `denied` for the suites to assert on.
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import type { SecurityInfoViewPort } from '../../main/enrollment/ports';
import type { NavigationPolicy } from '../../main/kiosk/navigation-policy';
import { FOCUS_USER_NAME_FIELD, withoutSecrets } from '../../main/kiosk/page-step';
import { acceptLanguages, viewLocale, type ViewLanguage } from '../../main/kiosk/view-language';
import type { SignInPresenter } from '../../main/operator/presenter';
import { chromiumPresenter } from '../operator/support/chromium-presenter';
import { addVirtualAuthenticator } from '../support/chromium';

export type SurfaceKind = 'sign-in' | 'security-info';
export type PageListener = (kind: SurfaceKind, page: Page) => void;

/** A navigation a surface's policy refused. */
export interface DeniedNavigation {
  surface: SurfaceKind;
  url: string;
  reason: string;
}

export interface SurfacePolicies {
  signIn: NavigationPolicy;
  securityInfo: NavigationPolicy;
}

/**
 * The policy as a route on `page`: a navigation request (top level or frame) it denies is aborted. Playwright's
 * routes see only the first request of a redirect chain, so every navigation request (redirect hops included) is
 * also checked as it starts, and a page redirected somewhere denied is closed.
 */
export async function enforceNavigationPolicy(page: Page, policy: NavigationPolicy, onDenied: (url: string, reason: string) => void): Promise<void> {
  const verdictOf = (request: Request) => (request.isNavigationRequest() ? policy.decide(request.url()) : null);
  await page.route('**/*', async (route) => {
    const verdict = verdictOf(route.request());
    if (verdict?.kind === 'deny') {
      onDenied(route.request().url(), verdict.reason);
      return route.abort('blockedbyclient');
    }
    return route.fallback();
  });
  page.on('request', (request) => {
    if (!request.redirectedFrom()) return;
    const verdict = verdictOf(request);
    if (verdict?.kind !== 'deny') return;
    onDenied(request.url(), verdict.reason);
    void page.close().catch(() => undefined);
  });
}

export class Surfaces {
  readonly #listeners = new Set<PageListener>();
  #signIn: Page | null = null;
  readonly presenter: SignInPresenter;
  readonly view: ChromiumSecurityInfoView;
  /** Every navigation a policy refused, in order. */
  readonly denied: DeniedNavigation[] = [];

  constructor(
    readonly browser: Browser,
    policies: SurfacePolicies,
  ) {
    const deny = (surface: SurfaceKind) => (url: string, reason: string) => this.denied.push({ surface, url, reason });
    // The operator types on the page (a person, or a test through onPage); the presenter waits for the redirect.
    this.presenter = chromiumPresenter(
      browser,
      async (page) => {
        this.#signIn = page;
        page.on('close', () => {
          if (this.#signIn === page) this.#signIn = null;
        });
        this.#emit('sign-in', page);
      },
      { prepare: (page) => enforceNavigationPolicy(page, policies.signIn, deny('sign-in')) },
    );
    this.view = new ChromiumSecurityInfoView(
      browser,
      (page) => this.#emit('security-info', page),
      (page) => enforceNavigationPolicy(page, policies.securityInfo, deny('security-info')),
    );
  }

  onPage(listener: PageListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  signInPage(): Page | null {
    return this.#signIn;
  }

  securityInfoPage(): Page | null {
    return this.view.page;
  }

  /** The next page of this kind (or the open one). */
  waitForPage(kind: SurfaceKind, timeoutMs = 30_000): Promise<Page> {
    const open = kind === 'sign-in' ? this.#signIn : this.view.page;
    if (open && !open.isClosed()) return Promise.resolve(open);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${kind} page within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onPage((k, page) => {
        if (k !== kind) return;
        clearTimeout(timer);
        off();
        resolve(page);
      });
    });
  }

  #emit(kind: SurfaceKind, page: Page): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(kind, page);
      } catch {
        // A test's listener must not break the station.
      }
    }
  }
}

export class ChromiumSecurityInfoView implements SecurityInfoViewPort {
  context: BrowserContext | null = null;
  page: Page | null = null;
  /** The language the last `open()` was asked for (the kiosk's, at that moment). */
  language: ViewLanguage | null = null;
  readonly #listeners = new Set<(navigation: { url: string }) => void>();

  constructor(
    private readonly browser: Browser,
    private readonly opened: (page: Page) => void,
    private readonly prepare: (page: Page) => Promise<void> = async () => undefined,
  ) {}

  async open(url: string, options: { language?: ViewLanguage } = {}): Promise<void> {
    await this.wipe(); // a fresh, empty context for every user
    // In the kiosk's language, as the Electron view sets its session's Accept-Language (main/kiosk/view-language.ts).
    const language = options.language ?? 'en';
    this.language = language;
    const context = await this.browser.newContext({ locale: viewLocale(language), extraHTTPHeaders: { 'Accept-Language': acceptLanguages(language) } });
    this.context = context;
    const page = await context.newPage();
    this.page = page;
    await this.prepare(page);
    await addVirtualAuthenticator(context, page);
    // As the kiosk's view reports (main/kiosk/security-info-view.ts): origin and path of each top-level navigation,
    // nothing read from the page.
    let last = '';
    page.on('framenavigated', (frame) => {
      if (frame !== page.mainFrame() || this.page !== page) return;
      const url = withoutSecrets(frame.url());
      if (!url || url === last) return;
      last = url;
      for (const listener of [...this.#listeners]) listener({ url });
    });
    this.opened(page);
    await page.goto(url);
  }

  /** As the kiosk's view does (main/kiosk/security-info-view.ts): focus the user-name field, then type the name. */
  async fillUserName(userName: string): Promise<boolean> {
    const page = this.page;
    if (!page || page.isClosed()) return false;
    if ((await page.evaluate<boolean>(FOCUS_USER_NAME_FIELD)) !== true) return false;
    await page.keyboard.insertText(userName);
    return true;
  }

  onNavigation(listener: (navigation: { url: string }) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  async wipe(): Promise<void> {
    const context = this.context;
    this.context = null;
    this.page = null;
    await context?.close().catch(() => undefined);
  }
}
