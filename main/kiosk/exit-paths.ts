/**
 * The exit paths `before-quit` does not see, and the main window's renderer dying or hanging. Electron-free: the
 * objects are event emitters with the few methods used (main/index.ts passes the real window, webContents and
 * powerMonitor; tests pass plain emitters).
 *
 * - Windows logoff, shutdown and restart emit no `before-quit`: the window's `query-session-end` and `session-end`
 *   (Windows) and `powerMonitor`'s `shutdown` (Linux, macOS) start the same quit tasks (quit-tasks.ts: drain TAP
 *   deletions, wipe the partitions, release). `shutdown` can be delayed (preventDefault) until they are done,
 *   then the app quits; Windows gives a few seconds after `session-end` and cannot be delayed there, so the tasks
 *   start already at `query-session-end`.
 * - The renderer is only a view: when it crashes (`render-process-gone`, any reason but a clean exit) or stays
 *   unresponsive past a grace time, it is reloaded, and on load it asks main for the current state (App.tsx). The
 *   session's timers live in main and keep running meanwhile; nothing of the session is lost.
 */
import type { QuitReport } from './quit-tasks';

/** The window's Windows session events (BrowserWindow). */
export interface SessionEndSource {
  on(event: 'query-session-end', listener: () => void): unknown;
  on(event: 'session-end', listener: () => void): unknown;
}

/**
 * powerMonitor's shutdown, which can be delayed: Electron passes an event whose preventDefault delays it (docs,
 * powerMonitor "Event: 'shutdown'"), though electron.d.ts types the listener without arguments.
 */
export interface ShutdownSource {
  on(event: 'shutdown', listener: (event?: { preventDefault(): void }) => void): unknown;
}

export interface SessionEndOptions {
  /** The main window (Windows: `query-session-end`, `session-end`). */
  window: SessionEndSource;
  /** Electron's powerMonitor (`shutdown`). */
  powerMonitor: ShutdownSource;
  /** QuitTasks.run: runs once, later calls return the same report. */
  runQuitTasks: () => Promise<QuitReport>;
  /** app.quit, after a delayed shutdown's tasks are done. */
  quit: () => void;
  onReport?: (trigger: string, report: QuitReport) => void;
}

/** Runs the quit tasks on logoff, shutdown and restart. */
export function runQuitTasksOnSessionEnd(o: SessionEndOptions): void {
  const start = (trigger: string) => o.runQuitTasks().then((report) => (o.onReport?.(trigger, report), report));
  o.window.on('query-session-end', () => void start('query-session-end'));
  o.window.on('session-end', () => void start('session-end'));
  o.powerMonitor.on('shutdown', (event) => {
    event?.preventDefault();
    void start('shutdown').then(() => o.quit());
  });
}

/** The main window's webContents, the events and methods used. */
export interface WatchedContents {
  on(event: 'render-process-gone', listener: (event: unknown, details: { reason: string }) => void): unknown;
  on(event: 'unresponsive' | 'responsive', listener: () => void): unknown;
  reload(): void;
  isDestroyed(): boolean;
  forcefullyCrashRenderer(): void;
}

export interface RendererWatchOptions {
  /** How long the renderer may hang before it is restarted (ms). Default 10 s. */
  unresponsiveMs?: number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  onEvent?: (what: string) => void;
}

/** Reloads the main window's renderer when it crashes, or when it hangs for `unresponsiveMs`. */
export function watchRenderer(contents: WatchedContents, o: RendererWatchOptions = {}): void {
  const set = o.setTimeout ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clear = o.clearTimeout ?? ((h: unknown) => clearTimeout(h as NodeJS.Timeout));
  let hang: unknown = null;
  const reload = (why: string) => {
    if (contents.isDestroyed()) return;
    o.onEvent?.(why);
    contents.reload();
  };
  contents.on('render-process-gone', (_event, details) => {
    if (hang !== null) clear(hang);
    hang = null;
    if (details.reason === 'clean-exit') return;
    reload(`renderer gone (${details.reason}): reloaded`);
  });
  contents.on('unresponsive', () => {
    if (hang !== null) return;
    hang = set(() => {
      hang = null;
      if (contents.isDestroyed()) return;
      // A hung renderer does not reload by itself: end it, and `render-process-gone` (crashed) reloads.
      o.onEvent?.('renderer unresponsive: restarted');
      contents.forcefullyCrashRenderer();
    }, o.unresponsiveMs ?? 10_000);
  });
  contents.on('responsive', () => {
    if (hang !== null) clear(hang);
    hang = null;
  });
}
