// Kiosk hardening: the launch-switch check, the dropped shortcuts, the cancelled hosts, and the glue that applies
// them (against the stand-in for Electron).
import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { blockedRequest, droppedShortcut, forbiddenLaunchSwitches, type KeyInput } from '../../main/kiosk/hardening';
import * as fake from './support/fake-electron';

vi.mock('electron', () => import('./support/fake-electron'));
const { cancelBlockedRequests, dropKioskShortcuts, refuseClientCertificates } = await import('../../main/kiosk/guard');

beforeEach(() => fake.resetFakes());

describe('a packaged build refuses debugging and net-log switches', () => {
  const exe = 'C:\\Program Files\\TAP Kiosk\\TAP Kiosk.exe';
  it.each([
    [['--remote-debugging-port=9222'], '--remote-debugging-port'],
    [['--remote-debugging-port', '9222'], '--remote-debugging-port'],
    [['--remote-debugging-pipe'], '--remote-debugging-pipe'],
    [['--remote-allow-origins=*'], '--remote-allow-origins'],
    [['--inspect'], '--inspect'],
    [['--inspect=0.0.0.0:9229'], '--inspect'],
    [['--inspect-brk'], '--inspect-brk'],
    [['--inspect-port=1'], '--inspect-port'],
    [['--log-net-log=C:\\x\\net.json'], '--log-net-log'],
    [['--net-log-capture-mode=Everything'], '--net-log-capture-mode'],
    [['-remote-debugging-port=9222'], '-remote-debugging-port'],
    [['--REMOTE-DEBUGGING-PORT=9222'], '--REMOTE-DEBUGGING-PORT'],
  ])('%j is refused', (args, shown) => {
    expect(forbiddenLaunchSwitches([exe, ...args], 'linux')).toEqual([shown]);
  });
  it('Windows also reads /switch', () => {
    expect(forbiddenLaunchSwitches([exe, '/remote-debugging-port=9222'], 'win32')).toEqual(['/remote-debugging-port']);
    expect(forbiddenLaunchSwitches(['/usr/bin/tap-kiosk', '/remote-debugging-port=9222'], 'linux')).toEqual([]);
  });
  it('ordinary and Chromium-added switches start; arguments after a bare -- are not switches', () => {
    expect(forbiddenLaunchSwitches([exe, '--demo', '--lang=de', '--type=renderer', '--enable-logging', '--no-sandbox-not'], 'win32')).toEqual([]);
    expect(forbiddenLaunchSwitches([exe, '--', '--inspect'], 'win32')).toEqual([]);
    expect(forbiddenLaunchSwitches([exe, '--remote-debugging-portx'], 'win32')).toEqual([]);
  });
});

describe('kiosk shortcuts', () => {
  const key = (k: string, mods: Partial<KeyInput> = {}): KeyInput => ({
    type: 'keyDown',
    key: k,
    control: false,
    meta: false,
    alt: false,
    shift: false,
    ...mods,
  });
  it.each([
    [key('F5'), 'reload'],
    [key('F5', { control: true }), 'reload'],
    [key('r', { control: true }), 'reload'],
    [key('R', { control: true, shift: true }), 'reload'],
    [key('r', { meta: true }), 'reload'],
    [key('BrowserRefresh'), 'reload'],
    [key('F12'), 'devtools'],
    [key('I', { control: true, shift: true }), 'devtools'],
    [key('J', { control: true, shift: true }), 'devtools'],
    [key('C', { control: true, shift: true }), 'devtools'],
    [key('i', { meta: true, alt: true }), 'devtools'],
    [key('p', { control: true }), 'print'],
    [key('P', { control: true, shift: true }), 'print'],
    [key('F4', { alt: true }), 'close'],
    [key('F4', { control: true }), 'close'],
    [key('w', { control: true }), 'close'],
    [key('q', { meta: true }), 'close'],
    // A layout where the key says something else: the physical key decides.
    [{ ...key('ß', { control: true }), code: 'KeyW' }, 'close'],
  ])('%j is dropped (%s)', (input, what) => {
    expect(droppedShortcut(input)).toBe(what);
  });
  it.each([
    key('r'),
    key('p'),
    key('w', { shift: true }),
    key('F4'),
    key('Enter'),
    key('c', { control: true }),
    key('v', { control: true }),
    key('a', { control: true }),
    key('Tab', { alt: true }),
  ])('%j passes (typing, copy-paste and the rest of the keyboard work)', (input) => expect(droppedShortcut(input)).toBeNull());
  it('the glue prevents exactly the dropped ones', () => {
    const contents = new fake.FakeWebContents(fake.session.defaultSession);
    dropKioskShortcuts(contents as never);
    const press = (input: KeyInput) => {
      const event = new fake.FakeEvent();
      contents.emit('before-input-event', event, input);
      return event.defaultPrevented;
    };
    expect(press(key('r', { control: true }))).toBe(true);
    expect(press(key('F12'))).toBe(true);
    expect(press(key('r'))).toBe(false);
  });
});

describe('Seamless SSO and device registration', () => {
  it.each([
    'https://autologon.microsoftazuread-sso.com/contoso.com/winauth/trust/2005/windowstransport?client-request-id=1',
    'https://AUTOLOGON.microsoftazuread-sso.com./x',
    'https://device.login.microsoftonline.com/common/oauth2/authorize',
    'https://eu.device.login.microsoftonline.com/',
  ])('a request to %s is cancelled', (url) => expect(blockedRequest(url)).toBe(true));
  it.each([
    'https://login.microsoftonline.com/contoso.com/oauth2/v2.0/authorize',
    'https://mysignins.microsoft.com/security-info',
    'https://evil.example/?u=autologon.microsoftazuread-sso.com',
    'not a url',
  ])('%s is left to the navigation policy', (url) => expect(blockedRequest(url)).toBe(false));
  it('the partition glue cancels them for every resource type and reports them', () => {
    const ses = new fake.FakeSession('msi-x');
    const denied: string[] = [];
    cancelBlockedRequests(ses as never, { onDenied: (url) => denied.push(url) });
    const ask = (url: string, resourceType: string) => {
      let answer: { cancel?: boolean } | undefined;
      ses.beforeRequest!({ url, resourceType }, (r) => (answer = r));
      return answer;
    };
    expect(ask('https://autologon.microsoftazuread-sso.com/x', 'script')).toEqual({ cancel: true });
    expect(ask('https://device.login.microsoftonline.com/x', 'xhr')).toEqual({ cancel: true });
    expect(ask('https://login.microsoftonline.com/x', 'mainFrame')).toEqual({ cancel: false });
    expect(denied).toHaveLength(2);
  });
});

describe('client certificates', () => {
  it('a select-client-certificate request is refused: no certificate is chosen', () => {
    const app = new EventEmitter();
    refuseClientCertificates(app as never);
    const event = new fake.FakeEvent();
    const chosen: unknown[][] = [];
    app.emit('select-client-certificate', event, {}, 'https://login.microsoftonline.com/', [{ subjectName: 'station' }], (...args: unknown[]) =>
      chosen.push(args),
    );
    expect(event.defaultPrevented).toBe(true);
    expect(chosen).toEqual([[]]);
  });
});
