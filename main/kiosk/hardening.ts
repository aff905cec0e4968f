/**
 * Kiosk hardening decisions, electron-free (tested in Node, test/kiosk/hardening.test.ts); main/index.ts,
 * guard.ts and the window files only apply them.
 *
 * - `forbiddenLaunchSwitches`: a packaged build refuses to start with a debugging or net-log switch on its command
 *   line. Chromium reads switches with the prefixes `--` and `-` (and `/` on Windows), switch names
 *   case-insensitively on Windows, and stops at a bare `--` (base/command_line.cc, `kSwitchPrefixes`).
 * - `droppedShortcut`: in kiosk mode `before-input-event` drops reload, DevTools, print and close shortcuts.
 * - `blockedRequest`: in the My Security Info and sign-in partitions, every request (not only navigations) to
 *   Seamless SSO (`autologon.microsoftazuread-sso.com`, would sign the person in as the station's Windows account)
 *   and device registration (`device.login.microsoftonline.com`) is cancelled.
 */

/** Switch names (lower case, without prefix) a packaged build refuses; `*` ends a prefix match. */
export const FORBIDDEN_SWITCHES = [
  'remote-debugging-port',
  'remote-debugging-pipe',
  'remote-debugging-address',
  'remote-allow-origins',
  'inspect*',
  'debug',
  'debug-brk',
  'log-net-log',
  'net-log-capture-mode',
  'net-log-max-size-mb',
] as const;

/** The forbidden switches on `argv` (program path included or not), as written; empty when it may start. */
export function forbiddenLaunchSwitches(argv: readonly string[], platform: NodeJS.Platform = process.platform): string[] {
  const prefixes = platform === 'win32' ? ['--', '-', '/'] : ['--', '-'];
  const found: string[] = [];
  for (const arg of argv) {
    if (arg === '--') break;
    const prefix = prefixes.find((p) => arg.startsWith(p) && arg.length > p.length);
    if (!prefix) continue;
    const name = arg.slice(prefix.length).split('=')[0]!.toLowerCase();
    const hit = FORBIDDEN_SWITCHES.some((f) => (f.endsWith('*') ? name.startsWith(f.slice(0, -1)) : name === f));
    if (hit) found.push(arg.split('=')[0]!);
  }
  return found;
}

/** What `before-input-event` tells about a key (Electron's `Input`, the fields used here). */
export interface KeyInput {
  type: string;
  key: string;
  code?: string;
  control: boolean;
  meta: boolean;
  alt: boolean;
  shift: boolean;
}

export type DroppedShortcut = 'reload' | 'devtools' | 'print' | 'close';

/**
 * Which kiosk-breaking shortcut this key is, or null to let it through. Ctrl on Windows/Linux, Cmd on macOS
 * (both are checked: a kiosk keyboard may be either). Letters are matched by the key and by the physical code, so
 * a German layout's Ctrl+W is still Ctrl+W.
 */
export function droppedShortcut(input: KeyInput): DroppedShortcut | null {
  const key = input.key.length === 1 ? input.key.toLowerCase() : input.key;
  const letter = input.code?.startsWith('Key') ? input.code.slice(3).toLowerCase() : key;
  const mod = input.control || input.meta;
  const is = (l: string) => key === l || letter === l;
  if (key === 'F5' || key === 'BrowserRefresh' || (mod && is('r'))) return 'reload';
  if (key === 'F12' || (mod && input.shift && (is('i') || is('j') || is('c'))) || (input.meta && input.alt && (is('i') || is('j')))) return 'devtools';
  if (mod && is('p')) return 'print';
  if ((input.alt && key === 'F4') || (mod && key === 'F4') || (mod && (is('w') || is('q')))) return 'close';
  return null;
}

/** Hosts whose every request is cancelled in the remote partitions. */
export const BLOCKED_REQUEST_HOSTS = ['autologon.microsoftazuread-sso.com', 'device.login.microsoftonline.com'] as const;

/** Whether a request to `url` is cancelled (the host or any subdomain of it; unparseable URLs pass to the navigation policy). */
export function blockedRequest(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return false;
  }
  return BLOCKED_REQUEST_HOSTS.some((h) => host === h || host.endsWith(`.${h}`));
}
