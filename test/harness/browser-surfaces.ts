// The two browser surfaces a station needs, as Chromium pages (playwright-core): the operator's sign-in page
// (a SignInPresenter) and the user's My Security Info (a SecurityInfoViewPort). Each in its own fresh browser
// context; My Security Info gets Chromium's CDP virtual authenticator so WebAuthn registration works, a new
// context per user, closed by wipe().
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { SecurityInfoViewPort } from '../../main/enrollment/ports';
import type { SignInPresenter } from '../../main/operator/presenter';
import { chromiumPresenter } from '../operator/support/chromium-presenter';
import { addVirtualAuthenticator } from '../support/chromium';

export type SurfaceKind = 'sign-in' | 'security-info';
export type PageListener = (kind: SurfaceKind, page: Page) => void;

export class Surfaces {
  readonly #listeners = new Set<PageListener>();
  #signIn: Page | null = null;
  readonly presenter: SignInPresenter;
  readonly view: ChromiumSecurityInfoView;

  constructor(readonly browser: Browser) {
    // The operator types on the page (a person, or a test through onPage); the presenter waits for the redirect.
    this.presenter = chromiumPresenter(browser, async (page) => {
      this.#signIn = page;
      page.on('close', () => {
        if (this.#signIn === page) this.#signIn = null;
      });
      this.#emit('sign-in', page);
    });
    this.view = new ChromiumSecurityInfoView(browser, (page) => this.#emit('security-info', page));
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
  readonly #listeners = new Set<(navigation: { url: string; step: string | null }) => void>();

  constructor(
    private readonly browser: Browser,
    private readonly opened: (page: Page) => void,
  ) {}

  async open(url: string): Promise<void> {
    await this.wipe(); // a fresh, empty context for every user
    const context = await this.browser.newContext();
    this.context = context;
    const page = await context.newPage();
    this.page = page;
    await addVirtualAuthenticator(context, page);
    page.on('load', () => {
      void page
        .locator('body')
        .getAttribute('data-step', { timeout: 5_000 })
        .catch(() => null)
        .then((step) => {
          if (this.page !== page) return;
          const navigation = { url: page.url(), step };
          for (const listener of [...this.#listeners]) listener(navigation);
        });
    });
    this.opened(page);
    await page.goto(url);
  }

  onNavigation(listener: (navigation: { url: string; step: string | null }) => void): () => void {
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
