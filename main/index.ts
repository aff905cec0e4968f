// Electron entry: single instance, configuration, the secure window, wiring. The only file that knows every part.
// Everything with logic lives in electron-free modules (main/kiosk/*-policy, wipe, quit-tasks, demo-emulator and the
// services); this file only connects them.
import { app, ipcMain, Menu, powerMonitor, type BrowserWindow } from 'electron';
import { COMMAND_CHANNEL, SNAPSHOT_CHANNEL, type KioskReply } from '../common/contract';
import { ConfigError, configPath, configRequestsDemo, defaultStationId, loadConfig, type StationConfig } from './config';
import { createKioskHandlers, type KioskHandlers } from './ipc';
import { NodeHidSource } from './keys/node-hid-source';
import { registerAppScheme } from './kiosk/app-protocol';
import { startDemoEmulator, type DemoEmulator } from './kiosk/demo-emulator';
import { builtPaths, createMainWindow } from './kiosk/main-window';
import { APP_ORIGIN, securityInfoPolicy } from './kiosk/navigation-policy';
import { withoutSecrets } from './kiosk/page-step';
import { runQuitTasksOnSessionEnd, watchRenderer } from './kiosk/exit-paths';
import { dropKioskShortcuts, refuseClientCertificates } from './kiosk/guard';
import { forbiddenLaunchSwitches } from './kiosk/hardening';
import { QuitTasks, type QuitReport } from './kiosk/quit-tasks';
import { installSafeStorageKeyring } from './kiosk/safe-storage-keyring';
import { checkProtection, nodeProtectionReaders, protectionNote } from './kiosk/acl-check';
import { SecurityInfoView } from './kiosk/security-info-view';
import { createSignInPresenter } from './kiosk/signin-window';
import { configFailedStatus, createStation, type Station } from './station';
import { nativeWindowHandleOf } from './kiosk/station-window';

const quitTasks = new QuitTasks();
let mainWindow: BrowserWindow | undefined;

/** Denied navigations, windows, permissions and downloads: origin and path only (queries can carry codes). */
const logDenied = (url: string, reason: string) => console.warn(`[kiosk] denied ${withoutSecrets(url) || '(opaque URL)'}: ${reason}`);

// A packaged build refuses a debugging or net-log switch on its command line (main/kiosk/hardening.ts), before any
// window, token or pass exists. (Chromium may already have opened a remote-debugging port; nothing is in it yet.)
const forbidden = app.isPackaged ? forbiddenLaunchSwitches(process.argv) : [];
if (forbidden.length > 0) {
  console.error(`[kiosk] refusing to start with ${forbidden.join(', ')} on the command line`);
  app.exit(2);
}

// Must precede `ready`: the app's pages are served on app://kiosk/ (main/kiosk/app-protocol.ts).
registerAppScheme();
// No application menu in a packaged build (its accelerators include reload and DevTools).
if (app.isPackaged) Menu.setApplicationMenu(null);
// A TLS client-certificate request is never answered with a certificate from the store.
refuseClientCertificates(app);

if (forbidden.length > 0) {
  // app.exit above ends the process; nothing below runs.
} else if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => app.quit());
  installQuitHook();
  void app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      console.error('[kiosk] start failed:', error instanceof Error ? error.message : String(error));
      app.exit(1);
    });
}

async function start(): Promise<void> {
  // Demo: `--demo` or `"demo": true`. The emulator is dev/test only; a packaged build refuses here (demo-emulator.ts).
  let demo: DemoEmulator | undefined;
  if (process.argv.includes('--demo') || configRequestsDemo()) {
    demo = await startDemoEmulator({ packaged: app.isPackaged, appRoot: app.getAppPath() });
    const emulator = demo;
    quitTasks.add({ name: 'demo emulator', phase: 'release', run: () => emulator.close(), timeoutMs: 5_000 });
    console.log(
      `[kiosk] demo: Entra emulator at ${emulator.defaults.authority}; operators: ${emulator.operators.map((o) => `${o.upn} / ${o.password}`).join(', ')}`,
    );
  }

  let config: StationConfig | undefined;
  let configError: ConfigError | undefined;
  try {
    config = loadConfig(demo ? { demoDefaults: demo.defaults } : {});
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    configError = error;
    console.error(`[kiosk] ${error.message}`);
  }

  const devServerUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];
  const kiosk = config ? (config.kioskMode ?? !config.demo) : app.isPackaged;
  // Kiosk mode: every web contents from now on (the main window, My Security Info, the sign-in window) drops the
  // reload, DevTools, print and close shortcuts.
  if (kiosk) app.on('web-contents-created', (_event, contents) => dropKioskShortcuts(contents));
  const window = createMainWindow({
    ...builtPaths(import.meta.dirname),
    kiosk,
    devTools: !app.isPackaged || config?.demo === true,
    devServerUrl,
    onDenied: logDenied,
  });
  mainWindow = window;
  // Logoff, shutdown and restart run the same quit tasks as before-quit; a crashed or hung renderer is reloaded and
  // asks for the current state (main/kiosk/exit-paths.ts).
  runQuitTasksOnSessionEnd({
    window,
    powerMonitor,
    runQuitTasks: () => quitTasks.run(),
    quit: () => app.quit(),
    onReport: (trigger, report) => logQuitReport(`on ${trigger}`, report),
  });
  watchRenderer(window.webContents, { onEvent: (what) => console.error(`[kiosk] ${what}`) });

  if (!config) {
    // The station status screen shows the configuration error with what to do; no session without a configuration.
    const status = configFailedStatus({
      stationId: defaultStationId(),
      demo: demo !== undefined,
      file: configError?.file ?? '',
      note: configError ? { code: 'config.invalid', params: { detail: configError.message } } : { code: 'config.missing', params: {} },
    });
    serveIpc(window, createKioskHandlers({ session: null, station: status, audit: null }), devServerUrl);
    return;
  }

  // Not in demo: the configuration file and the journal folder must be protected as the installer leaves them
  // (main/kiosk/acl-check.ts); if loose, the status screen says which and what to do, and no session starts.
  const findings = config.demo ? [] : await checkProtection({ configFile: configPath(), journalFolder: config.auditFolder }, nodeProtectionReaders());
  for (const f of findings) console.error(`[kiosk] ${f.path} is less protected than the installer leaves it: ${f.problems.join(', ')}`);
  const loose = protectionNote(findings);
  if (loose) {
    const status = configFailedStatus({ stationId: config.stationId, demo: config.demo, file: configPath(), note: loose });
    serveIpc(window, createKioskHandlers({ session: null, station: status, audit: null }), devServerUrl);
    return;
  }

  // The user's side: My Security Info in its own fresh partition per user (main/kiosk/security-info-view.ts).
  const securityInfo = new SecurityInfoView({
    window,
    policy: securityInfoPolicy({ authority: config.authority, mySecurityInfoUrl: config.mySecurityInfoUrl, demo: config.demo }),
    onDenied: logDenied,
  });

  // The operator's sign-in page (main/operator/presenter.ts contract) as a modal child window.
  const presentSignIn = createSignInPresenter({
    parent: window,
    authority: config.authority,
    federationHosts: config.federationHosts,
    ...(demo ? { demoCaPem: demo.caPem } : {}),
    onDenied: logDenied,
  });

  // Every service, composed as the web harness and the tests compose it (main/station/): operator session, Graph
  // gateway, key reader (node-hid with usb hot-plug, polling as the fallback), journal, enrollment session. The idle
  // lock is the session's (config.idleLockMinutes).
  let station: Station;
  try {
    // The audit journal's key and anchored head, sealed by the OS (main/kiosk/safe-storage-keyring.ts).
    installSafeStorageKeyring();
    station = await createStation({
      config,
      configFile: configPath(),
      ...(demo ? { caPem: demo.caPem } : {}),
      presenter: presentSignIn,
      view: securityInfo,
      keySource: new NodeHidSource(),
      // Windows without administrator rights: keys are set up through webauthn.dll, its dialog owned by this window.
      nativeWindowHandle: nativeWindowHandleOf(window),
    });
  } catch (error) {
    // Typically the audit journal: in use by another instance, or the folder not writable. Shown on the status screen.
    const message = `The station could not start: ${error instanceof Error ? error.message : String(error)}`;
    console.error(`[kiosk] ${message}`);
    const status = configFailedStatus({
      stationId: config.stationId,
      demo: config.demo,
      file: configPath(),
      note: { code: 'config.start-failed', params: { detail: error instanceof Error ? error.message : String(error) } },
    });
    serveIpc(window, createKioskHandlers({ session: null, station: status, audit: null }), devServerUrl);
    return;
  }
  // Quit, in phases: cancel the enrollment and drain pending TAP deletions (a TAP left is crash recovery's on the
  // next start, main/audit `pendingTaps`), then wipe the partitions, then release the key reader, journal, tokens.
  quitTasks.add({ name: 'drain pending TAP deletions', phase: 'drain', run: async () => void (await station.drain()), timeoutMs: 15_000 });
  quitTasks.add({ name: 'My Security Info wipe', phase: 'wipe', run: () => securityInfo.wipe(), timeoutMs: 5_000 });
  quitTasks.add({ name: 'station services', phase: 'release', run: () => station.release(), timeoutMs: 5_000 });

  serveIpc(window, station.handlers, devServerUrl);
  await station.start();
}

/**
 * The contract on Electron IPC: requests on COMMAND_CHANNEL only from the main window's own app frame, states
 * pushed on SNAPSHOT_CHANNEL. The handler table validates every request (main/ipc/).
 */
function serveIpc(window: BrowserWindow, handlers: KioskHandlers, devServerUrl: string | undefined): void {
  const allowed = [`${APP_ORIGIN}/`, ...(devServerUrl ? [`${new URL(devServerUrl).origin}/`] : [])];
  ipcMain.handle(COMMAND_CHANNEL, async (event, raw: unknown): Promise<KioskReply> => {
    // The main window's top frame on the app's own origin: not a subframe, not another window, not a page that
    // navigated elsewhere (the navigation guard already prevents that; this holds even if it failed).
    const frame = event.senderFrame;
    const top = window.isDestroyed() ? null : window.webContents.mainFrame;
    const fromMainFrame = !!frame && !!top && frame.processId === top.processId && frame.routingId === top.routingId;
    if (event.sender !== window.webContents || !frame || !fromMainFrame || !allowed.some((o) => frame.url.startsWith(o))) {
      return { ok: false, error: { code: 'invalid-request', message: 'Requests are accepted from the station window only.' } };
    }
    return handlers.handle(raw);
  });
  const off = handlers.subscribe((state) => {
    if (!window.isDestroyed()) window.webContents.send(SNAPSHOT_CHANNEL, state);
  });
  window.on('closed', () => {
    off();
    ipcMain.removeHandler(COMMAND_CHANNEL);
  });
}

/**
 * Quit: the tasks registered above run once, in order, each within its budget (main/kiosk/quit-tasks.ts); then
 * the app exits. `before-quit` is prevented until they are done, so closing the window still drains pending TAP
 * deletions and wipes the browser partitions; logoff and shutdown start the same tasks (runQuitTasksOnSessionEnd).
 */
function installQuitHook(): void {
  let drained = false;
  app.on('before-quit', (event) => {
    if (drained) return;
    event.preventDefault();
    void quitTasks.run().then((report) => {
      logQuitReport('on quit', report);
      drained = true;
      app.quit();
    });
  });
}

function logQuitReport(when: string, report: QuitReport): void {
  for (const f of report.failed) console.error(`[kiosk] ${when}, ${f.name} failed: ${f.message}`);
  for (const name of report.timedOut) console.error(`[kiosk] ${when}, ${name} did not finish in time`);
}
