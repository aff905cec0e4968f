// The My Security Info view's glue, against a stand-in for Electron (support/fake-electron.ts): which partition
// each user gets, what the view may load, what it reports and what a wipe leaves behind.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { securityInfoPolicy } from '../../main/kiosk/navigation-policy';
import { WipeError } from '../../main/kiosk/wipe';
import * as fake from './support/fake-electron';

vi.mock('electron', () => import('./support/fake-electron'));
const { SecurityInfoView } = await import('../../main/kiosk/security-info-view');

const MSI = 'https://mysignins.microsoft.com/security-info';
const policy = securityInfoPolicy({ authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com', mySecurityInfoUrl: MSI, demo: false });

function setup(options: { lifetimeMs?: number } = {}) {
  const window = new fake.BrowserWindow();
  const denied: string[] = [];
  const view = new SecurityInfoView({
    window: window as never,
    policy,
    onDenied: (url) => denied.push(url),
    ...options,
  });
  const navigations: { url: string }[] = [];
  view.onNavigation((n) => navigations.push(n));
  return { window, view, navigations, denied };
}

const lastView = () => {
  const v = fake.views.at(-1);
  if (!v) throw new Error('no view was created');
  return v;
};

beforeEach(() => fake.resetFakes());

describe('My Security Info view', () => {
  it('opens in a fresh in-memory partition, sandboxed, with no preload, beside the guide panel', async () => {
    const { window, view } = setup();
    await view.open(MSI);
    const v = lastView();
    expect(fake.partitions).toHaveLength(1);
    expect(fake.partitions[0]?.partition).toMatch(/^msi-[0-9a-f-]{36}$/);
    // Seamless SSO: cancelled as a request (a script or an image), not only as a navigation.
    let sso: { cancel?: boolean } | undefined;
    fake.partitions[0]?.beforeRequest?.({ url: 'https://autologon.microsoftazuread-sso.com/x/winauth/sso', resourceType: 'script' }, (r) => (sso = r));
    expect(sso).toEqual({ cancel: true });
    expect(v.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      disableDialogs: true,
      devTools: false,
    });
    expect(v.options.webPreferences?.preload).toBeUndefined();
    expect(v.webContents.loads).toEqual([MSI]);
    // In the kiosk's language (English by default), the user agent left as it is.
    expect(fake.partitions[0]?.acceptLanguages).toBe('en-US,en');
    expect(fake.partitions[0]?.userAgent).toBe('Mozilla/5.0 (fake) Chrome/140');
    expect(window.children).toEqual([v]);
    expect(v.bounds).toEqual({ x: 400, y: 0, width: 600, height: 800 });
  });

  it('gives the next user a different partition and wipes the previous one first', async () => {
    const { view } = setup();
    await view.open(MSI);
    await view.open(MSI, { language: 'de' });
    expect(fake.partitions).toHaveLength(2);
    // The next user's pages in German when the kiosk shows German (main/kiosk/view-language.ts).
    expect(fake.partitions[1]?.acceptLanguages).toBe('de-DE,de,en-US,en');
    expect(fake.partitions[0]?.partition).not.toBe(fake.partitions[1]?.partition);
    expect(fake.partitions[0]?.calls).toEqual(['closeAllConnections', 'clearStorageData', 'clearCache', 'clearAuthCache', 'clearHostResolverCache']);
    expect(fake.partitions[1]?.calls).toEqual([]);
  });

  it('refuses to open anything but an allowed page', async () => {
    const { view } = setup();
    await expect(view.open('https://evil.example/security-info')).rejects.toThrow(/refusing to open/);
    await expect(view.open('file:///etc/passwd')).rejects.toThrow(/refusing to open/);
    expect(fake.views).toHaveLength(0);
  });

  it('stops page navigations, new windows and permissions the policy does not allow', async () => {
    const { view, denied } = setup();
    await view.open(MSI);
    const contents = lastView().webContents;
    expect(contents.attemptNavigation('https://login.microsoftonline.com/common/oauth2/v2.0/authorize').defaultPrevented).toBe(false);
    expect(contents.attemptNavigation('https://phish.example/').defaultPrevented).toBe(true);
    expect(contents.attemptNavigation('https://phish.example/', 'will-redirect').defaultPrevented).toBe(true);
    expect(contents.windowOpenHandler?.({ url: 'https://mysignins.microsoft.com/' })).toEqual({ action: 'deny' });
    const ses = fake.partitions[0];
    let granted: boolean | undefined;
    ses?.permissionRequest?.(contents, 'hid', (g) => (granted = g), { requestingUrl: MSI });
    expect(granted).toBe(false);
    expect(ses?.permissionCheck?.(contents, 'usb', 'https://mysignins.microsoft.com')).toBe(false);
    expect(denied).toContain('https://phish.example/');
  });

  it('reports each navigation as origin and path, only once, and runs no script in the page', async () => {
    const { view, navigations } = setup();
    await view.open(MSI);
    const contents = lastView().webContents;
    contents.navigated('https://login.microsoftonline.com/contoso/oauth2/authorize?client_id=x&login_hint=user');
    contents.emit('did-finish-load');
    contents.navigated('https://mysignins.microsoft.com/security-info#code=secret-code');
    contents.emit('did-navigate-in-page', new fake.FakeEvent(), 'https://mysignins.microsoft.com/security-info/add?x=1', true);
    contents.emit('did-navigate-in-page', new fake.FakeEvent(), 'https://mysignins.microsoft.com/frame', false);
    await vi.waitFor(() => expect(navigations).toHaveLength(3));
    expect(navigations).toEqual([
      { url: 'https://login.microsoftonline.com/contoso/oauth2/authorize' },
      { url: 'https://mysignins.microsoft.com/security-info' },
      { url: 'https://mysignins.microsoft.com/security-info/add' },
    ]);
    expect(JSON.stringify(navigations)).not.toContain('secret-code');
    expect(contents.scripts).toEqual([]);
  });

  it('wipe closes the page, removes the view and clears the partition; nothing of that user is reported afterwards', async () => {
    const { window, view, navigations } = setup();
    await view.open(MSI);
    const contents = lastView().webContents;
    await view.wipe();
    expect(contents.destroyed).toBe(true);
    expect(window.children).toEqual([]);
    expect(fake.partitions[0]?.calls).toContain('clearStorageData');
    contents.navigated('https://mysignins.microsoft.com/security-info');
    await Promise.resolve();
    await view.wipe(); // idempotent
    expect(navigations).toEqual([]);
    expect(fake.partitions[0]?.calls.filter((c) => c === 'clearStorageData')).toHaveLength(1);
  });

  it('wipes itself when its lifetime runs out (a backstop behind the session timeout)', async () => {
    vi.useFakeTimers();
    try {
      const { window, view } = setup({ lifetimeMs: 60_000 });
      await view.open(MSI);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(window.children).toEqual([]);
      expect(fake.partitions[0]?.calls).toContain('clearAuthCache');
    } finally {
      vi.useRealTimers();
    }
  });

  it('says so when a wipe step fails, after trying every step', async () => {
    const { view } = setup();
    await view.open(MSI);
    fake.partitions[0]?.failing.add('clearCache');
    await expect(view.wipe()).rejects.toBeInstanceOf(WipeError);
    expect(fake.partitions[0]?.calls).toHaveLength(5);
  });
});
