// A stand-in for the few Electron main-process APIs main/kiosk/ uses, so the glue's behaviour (which partition,
// which handlers, what is wiped, what is reported) is tested without the Electron binary. Shapes follow
// electron.d.ts; behaviour is the minimum the glue relies on. Tests install it with
// `vi.mock('electron', () => import('./support/fake-electron'))`.
import { EventEmitter } from 'node:events';

export class FakeEvent {
  defaultPrevented = false;
  constructor(readonly url = '') {}
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl: string }) => void;
type PermissionCheckHandler = (contents: unknown, permission: string, origin: string) => boolean;
type BeforeRequest = (details: { url: string; resourceType: string }, callback: (response: { cancel?: boolean }) => void) => void;

export class FakeSession extends EventEmitter {
  readonly calls: string[] = [];
  permissionRequest: PermissionRequestHandler | undefined;
  permissionCheck: PermissionCheckHandler | undefined;
  devicePermission: ((details: unknown) => boolean) | undefined;
  certificateVerifyProc: ((request: { hostname: string; certificate: { data: string } }, callback: (result: number) => void) => void) | null = null;
  beforeRequest: BeforeRequest | null = null;
  spellChecker = true;
  failing = new Set<string>();
  readonly webRequest = {
    onBeforeRequest: (filterOrListener: unknown, listener?: BeforeRequest | null) => {
      this.beforeRequest = filterOrListener === null ? null : (listener ?? null);
    },
  };
  readonly protocolHandlers = new Map<string, (request: { url: string; method: string }) => Promise<Response> | Response>();
  readonly protocol = {
    handle: (scheme: string, handler: (request: { url: string; method: string }) => Promise<Response> | Response) => {
      this.protocolHandlers.set(scheme, handler);
    },
  };
  constructor(readonly partition: string) {
    super();
  }
  userAgent = 'Mozilla/5.0 (fake) Chrome/140';
  /** What `setUserAgent` last set as the Accept-Language list (null: never set). */
  acceptLanguages: string | null = null;
  getUserAgent(): string {
    return this.userAgent;
  }
  setUserAgent(userAgent: string, acceptLanguages?: string): void {
    this.userAgent = userAgent;
    this.acceptLanguages = acceptLanguages ?? null;
  }
  setPermissionRequestHandler(handler: PermissionRequestHandler): void {
    this.permissionRequest = handler;
  }
  setPermissionCheckHandler(handler: PermissionCheckHandler): void {
    this.permissionCheck = handler;
  }
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void {
    this.devicePermission = handler;
  }
  setSpellCheckerEnabled(enabled: boolean): void {
    this.spellChecker = enabled;
  }
  setCertificateVerifyProc(proc: FakeSession['certificateVerifyProc']): void {
    this.certificateVerifyProc = proc;
  }
  private step(name: string): Promise<void> {
    this.calls.push(name);
    return this.failing.has(name) ? Promise.reject(new Error(`${name} failed`)) : Promise.resolve();
  }
  clearStorageData = () => this.step('clearStorageData');
  clearCache = () => this.step('clearCache');
  clearAuthCache = () => this.step('clearAuthCache');
  clearHostResolverCache = () => this.step('clearHostResolverCache');
  closeAllConnections = () => this.step('closeAllConnections');
}

export const partitions: FakeSession[] = [];

export const privilegedSchemes: unknown[] = [];
export const protocol = {
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    privilegedSchemes.push(...schemes);
  },
};

export const session = {
  defaultSession: new FakeSession(''),
  fromPartition(partition: string): FakeSession {
    const ses = new FakeSession(partition);
    partitions.push(ses);
    return ses;
  },
};

export class FakeWebContents extends EventEmitter {
  url = '';
  destroyed = false;
  step: unknown = null;
  loads: string[] = [];
  loadResult: () => Promise<void> = () => Promise.resolve();
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  readonly scripts: { worldId: number; code: string }[] = [];
  constructor(readonly session: FakeSession) {
    super();
  }
  loadURL(url: string): Promise<void> {
    this.loads.push(url);
    this.url = url;
    return this.loadResult();
  }
  getURL(): string {
    return this.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  close(): void {
    this.destroyed = true;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  async executeJavaScriptInIsolatedWorld(worldId: number, scripts: { code: string }[]): Promise<unknown> {
    for (const s of scripts) this.scripts.push({ worldId, code: s.code });
    return this.step;
  }
  /** What a page-initiated navigation looks like to main: the guard's verdict is in `defaultPrevented`. */
  attemptNavigation(url: string, event: 'will-frame-navigate' | 'will-navigate' | 'will-redirect' = 'will-frame-navigate'): FakeEvent {
    const e = new FakeEvent(url);
    this.emit(event, e);
    return e;
  }
  /** A committed main-frame navigation. */
  navigated(url: string): void {
    this.url = url;
    this.emit('did-navigate', new FakeEvent(), url, 200, 'OK');
  }
}

interface WebPreferences {
  session?: FakeSession;
  preload?: string;
  [key: string]: unknown;
}

export const views: WebContentsView[] = [];

export class WebContentsView {
  readonly webContents: FakeWebContents;
  bounds: unknown;
  constructor(readonly options: { webPreferences?: WebPreferences } = {}) {
    this.webContents = new FakeWebContents(options.webPreferences?.session ?? session.defaultSession);
    views.push(this);
  }
  setBounds(bounds: unknown): void {
    this.bounds = bounds;
  }
}

export const windows: BrowserWindow[] = [];

export class BrowserWindow extends EventEmitter {
  readonly webContents: FakeWebContents;
  readonly children: WebContentsView[] = [];
  destroyed = false;
  readonly contentView = {
    addChildView: (view: WebContentsView) => void this.children.push(view),
    removeChildView: (view: WebContentsView) => {
      const i = this.children.indexOf(view);
      if (i >= 0) this.children.splice(i, 1);
    },
  };
  constructor(readonly options: { webPreferences?: WebPreferences; [key: string]: unknown } = {}) {
    super();
    this.webContents = new FakeWebContents(options.webPreferences?.session ?? session.defaultSession);
    windows.push(this);
  }
  getContentBounds() {
    return { x: 0, y: 0, width: 1000, height: 800 };
  }
  getBounds() {
    return { x: 10, y: 20, width: 1000, height: 800 };
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
  /** The operator clicks the window's close button. */
  close(): void {
    this.destroy();
  }
  contentProtection = false;
  setMenu(): void {}
  setContentProtection(enabled: boolean): void {
    this.contentProtection = enabled;
  }
  show(): void {}
  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url);
  }
}

export function resetFakes(): void {
  session.defaultSession = new FakeSession('');
  partitions.length = 0;
  views.length = 0;
  windows.length = 0;
}
