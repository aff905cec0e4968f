// Electron entry: single instance, configuration, the secure window, wiring. The only file that knows every part.
// Everything with logic lives in electron-free modules (main/kiosk/*-policy, wipe, quit-tasks, demo-emulator and the
// services); this file only connects them.
import { app, type BrowserWindow } from 'electron';
import { ConfigError, configRequestsDemo, loadConfig, type StationConfig } from './config';
import { KeyWatcher } from './keys/watcher';
import { NodeHidSource } from './keys/node-hid-source';
import { registerAppScheme } from './kiosk/app-protocol';
import { startDemoEmulator, type DemoEmulator } from './kiosk/demo-emulator';
import { builtPaths, createMainWindow } from './kiosk/main-window';
import { securityInfoPolicy } from './kiosk/navigation-policy';
import { withoutSecrets } from './kiosk/page-step';
import { QuitTasks } from './kiosk/quit-tasks';
import { SecurityInfoView } from './kiosk/security-info-view';
import { createSignInPresenter } from './kiosk/signin-window';

const quitTasks = new QuitTasks();
let mainWindow: BrowserWindow | undefined;

/** Denied navigations, windows, permissions and downloads: origin and path only (queries can carry codes). */
const logDenied = (url: string, reason: string) => console.warn(`[kiosk] denied ${withoutSecrets(url) || '(opaque URL)'}: ${reason}`);

// Must precede `ready`: the app's pages are served on app://kiosk/ (main/kiosk/app-protocol.ts).
registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => app.quit());
  installQuitHook();
  void app.whenReady().then(start).catch((error: unknown) => {
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
    console.log(`[kiosk] demo: Entra emulator at ${emulator.defaults.authority}; operators: ${emulator.operators.map((o) => `${o.upn} / ${o.password}`).join(', ')}`);
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
  const window = createMainWindow({
    ...builtPaths(import.meta.dirname),
    kiosk: config ? (config.kioskMode ?? !config.demo) : app.isPackaged,
    devTools: !app.isPackaged || config?.demo === true,
    devServerUrl,
    onDenied: logDenied,
  });
  mainWindow = window;

  // The FIDO2 key reader (main/keys/): node-hid with usb hot-plug, polling as the fallback.
  const keys = new KeyWatcher(new NodeHidSource());
  quitTasks.add({ name: 'key watcher', phase: 'release', run: () => keys.stop(), timeoutMs: 3_000 });
  await keys.start();

  if (!config) {
    // WIRING POINT (station status screen): the renderer shows `configError` with what to do, once the IPC
    // contract carries the station status. Until then the message is on stderr.
    void configError;
    return;
  }

  // The user's side: My Security Info in its own fresh partition per user (main/kiosk/security-info-view.ts).
  const securityInfo = new SecurityInfoView({
    window,
    policy: securityInfoPolicy({ authority: config.authority, mySecurityInfoUrl: config.mySecurityInfoUrl, demo: config.demo }),
    onDenied: logDenied,
  });
  quitTasks.add({ name: 'My Security Info wipe', phase: 'wipe', run: () => securityInfo.wipe(), timeoutMs: 5_000 });

  // The operator's sign-in page (main/operator/presenter.ts contract) as a modal child window.
  const presentSignIn = createSignInPresenter({
    parent: window,
    authority: config.authority,
    ...(demo ? { demoCaPem: demo.caPem } : {}),
    onDenied: logDenied,
  });

  // WIRING POINT (enrollment session, issue 4 / main/enrollment/): build the EnrollmentSession from the ports —
  //   OperatorPort    ← main/operator/ with `presentSignIn` as its SignInPresenter (demo: trust `demo.caPem`)
  //   DirectoryPort   ← main/directory/ over createGraphClient({ baseUrl: config.graphBaseUrl, … })
  //   KeysPort        ← `keys`
  //   AuditPort       ← main/audit/ openJournal(config.auditFolder, config.stationId)
  //   SecurityInfoViewPort ← `securityInfo`
  //   ClockPort       ← { now: Date.now }
  // and register its stop on quit (phase 'drain' runs before every wipe and release). The session's `stop()`
  // cancels the enrollment, cleans up and drains the TAP-deletion queue for at most its `drainTimeoutMs`:
  //   quitTasks.add({ name: 'drain pending TAP deletions', phase: 'drain', run: async () => void (await session.stop()), timeoutMs: 15_000 })
  // (the TAP-deletion queue is the session's; a TAP it could not delete stays in the journal's pending list and is
  // deleted by crash recovery on the next start — main/audit `pendingTaps`).
  //
  // WIRING POINT (IPC, main/ipc/): serve the handler table on preload/contract.ts COMMAND_CHANNEL with
  // `ipcMain.handle`, checking `event.senderFrame` is the main window's app://kiosk frame, and push snapshots on
  // SNAPSHOT_CHANNEL with `window.webContents.send`.
  void presentSignIn;
}

/**
 * Quit: the tasks registered above run once, in order, each within its budget (main/kiosk/quit-tasks.ts); then
 * the app exits. `before-quit` is prevented until they are done, so closing the window or the OS logging off
 * still drains pending TAP deletions and wipes the browser partitions.
 */
function installQuitHook(): void {
  let drained = false;
  app.on('before-quit', (event) => {
    if (drained) return;
    event.preventDefault();
    void quitTasks.run().then((report) => {
      for (const f of report.failed) console.error(`[kiosk] on quit, ${f.name} failed: ${f.message}`);
      for (const name of report.timedOut) console.error(`[kiosk] on quit, ${name} did not finish in time`);
      drained = true;
      app.quit();
    });
  });
}
