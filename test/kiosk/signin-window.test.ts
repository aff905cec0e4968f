// The operator sign-in window's glue (main/operator/presenter.ts contract), against a stand-in for Electron.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as fake from './support/fake-electron';

vi.mock('electron', () => import('./support/fake-electron'));
const { createSignInPresenter } = await import('../../main/kiosk/signin-window');
const { OperatorSignInCancelled } = await import('../../main/operator/errors');

const AUTHORITY = 'https://login.microsoftonline.com/contoso.onmicrosoft.com';
const AUTHORIZE = `${AUTHORITY}/oauth2/v2.0/authorize?client_id=c&redirect_uri=http%3A%2F%2Flocalhost&state=s`;
const REDIRECT_URI = 'http://localhost';

function setup(extra: { demoCaPem?: string } = {}) {
  const parent = new fake.BrowserWindow();
  const present = createSignInPresenter({ parent: parent as never, authority: AUTHORITY, ...extra });
  return { parent, present };
}

const signInWindow = () => {
  const w = fake.windows.at(-1);
  if (!w) throw new Error('no sign-in window');
  return w;
};

beforeEach(() => fake.resetFakes());

describe('the operator sign-in window', () => {
  it('opens the authorize page modally in a fresh partition without preload, and resolves with the intercepted redirect', async () => {
    const { parent, present } = setup();
    const result = present({ url: AUTHORIZE, redirectUri: REDIRECT_URI, signal: new AbortController().signal });
    const win = signInWindow();
    expect(win).not.toBe(parent);
    expect(win.options).toMatchObject({ parent, modal: true });
    expect(win.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      disableDialogs: true,
      devTools: false,
    });
    expect(win.options.webPreferences?.preload).toBeUndefined();
    expect(fake.partitions[0]?.partition).toMatch(/^signin-[0-9a-f-]{36}$/);
    expect(win.webContents.loads).toEqual([AUTHORIZE]);

    // wrong password, MFA: the page moves within the authority
    expect(win.webContents.attemptNavigation(`${AUTHORITY}/login`).defaultPrevented).toBe(false);
    // elsewhere: stopped
    expect(win.webContents.attemptNavigation('https://evil.example/').defaultPrevented).toBe(true);
    // the identity provider redirects back: stopped, not loaded, handed over
    const back = win.webContents.attemptNavigation('http://localhost/?code=one-time&state=s', 'will-redirect');
    expect(back.defaultPrevented).toBe(true);
    await expect(result).resolves.toBe('http://localhost/?code=one-time&state=s');
    expect(win.destroyed).toBe(true);
    expect(fake.partitions[0]?.calls).toEqual(['closeAllConnections', 'clearStorageData', 'clearCache', 'clearAuthCache', 'clearHostResolverCache']);
  });

  it('catches the redirect at the request level too (webRequest), cancelling it', async () => {
    const { present } = setup();
    const result = present({ url: AUTHORIZE, redirectUri: REDIRECT_URI, signal: new AbortController().signal });
    const before = fake.partitions[0]?.beforeRequest;
    let cancelled: boolean | undefined;
    before?.({ url: `${AUTHORITY}/favicon.ico`, resourceType: 'image' }, (r) => (cancelled = r.cancel));
    expect(cancelled).toBeUndefined();
    before?.({ url: 'https://device.login.microsoftonline.com/common/x', resourceType: 'xhr' }, (r) => (cancelled = r.cancel));
    expect(cancelled).toBe(true);
    cancelled = undefined;
    before?.({ url: 'http://localhost:51234/?code=c2&state=s', resourceType: 'mainFrame' }, (r) => (cancelled = r.cancel));
    expect(cancelled).toBe(true);
    await expect(result).resolves.toBe('http://localhost:51234/?code=c2&state=s');
    expect(fake.partitions[0]?.beforeRequest).toBeNull();
  });

  it('rejects as cancelled when the operator closes the window, and wipes', async () => {
    const { present } = setup();
    const result = present({ url: AUTHORIZE, redirectUri: REDIRECT_URI, signal: new AbortController().signal });
    signInWindow().close();
    await expect(result).rejects.toBeInstanceOf(OperatorSignInCancelled);
    await expect(result).rejects.toMatchObject({ code: 'cancelled' });
    expect(fake.partitions[0]?.calls).toContain('clearAuthCache');
  });

  it('closes and rejects with the reason when the session aborts', async () => {
    const { present } = setup();
    const abort = new AbortController();
    const result = present({ url: AUTHORIZE, redirectUri: REDIRECT_URI, signal: abort.signal });
    abort.abort(new Error('idle lock'));
    await expect(result).rejects.toThrow('idle lock');
    expect(signInWindow().destroyed).toBe(true);
    expect(fake.partitions[0]?.calls).toContain('clearStorageData');
  });

  it('opens nothing for an already aborted request or a page off the authority', async () => {
    const { present } = setup();
    const abort = new AbortController();
    abort.abort(new Error('gone'));
    await expect(present({ url: AUTHORIZE, redirectUri: REDIRECT_URI, signal: abort.signal })).rejects.toThrow('gone');
    await expect(present({ url: 'https://evil.example/authorize', redirectUri: REDIRECT_URI, signal: new AbortController().signal })).rejects.toThrow(
      /not on the configured authority/,
    );
    expect(fake.windows).toHaveLength(1); // the parent only
  });

  it('fails when the sign-in page cannot be loaded', async () => {
    const { present } = setup();
    const original = fake.FakeWebContents.prototype.loadURL;
    fake.FakeWebContents.prototype.loadURL = () => Promise.reject(new Error('ERR_NAME_NOT_RESOLVED'));
    try {
      await expect(present({ url: AUTHORIZE, redirectUri: REDIRECT_URI, signal: new AbortController().signal })).rejects.toThrow(/could not be loaded/);
    } finally {
      fake.FakeWebContents.prototype.loadURL = original;
    }
  });

  it('trusts no extra certificate in production, and in demo only what the emulator CA issued', () => {
    const { present } = setup();
    void present({ url: AUTHORIZE, redirectUri: REDIRECT_URI, signal: new AbortController().signal }).catch(() => undefined);
    expect(fake.partitions[0]?.certificateVerifyProc).toBeNull();
    const demo = setup({ demoCaPem: 'not a CA' });
    void demo.present({ url: AUTHORIZE, redirectUri: REDIRECT_URI, signal: new AbortController().signal }).catch(() => undefined);
    let verdict: number | undefined;
    fake.partitions[1]?.certificateVerifyProc?.({ hostname: 'localhost', certificate: { data: 'x' } }, (r) => (verdict = r));
    expect(verdict).toBe(-3); // not issued by the CA: Chromium's own verdict stands
  });
});
