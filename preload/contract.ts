/**
 * MINIMAL PLACEHOLDER, written with the Electron shell: the channel names only. The IPC work (main/ipc/)
 * replaces this file with the full contract — every command, query, event and the session snapshot, with the
 * zod schemas main validates against — keeping these channel names (or changing them here and in the preload
 * together). Nothing else may be added to `window.kiosk` than what `KioskBridge` declares.
 */

/** Renderer → main: one typed command or query, answered once (`ipcRenderer.invoke` / `ipcMain.handle`). */
export const COMMAND_CHANNEL = 'kiosk:command';
/** Main → renderer: the session snapshot stream (`webContents.send`). */
export const SNAPSHOT_CHANNEL = 'kiosk:snapshot';

/** Placeholders until the contract lands: a command is an object with a `type`; a snapshot is opaque here. */
export interface KioskCommand {
  type: string;
}
export type KioskReply = unknown;
export type KioskSnapshot = unknown;

/** What the preload exposes as `window.kiosk`, and nothing more. */
export interface KioskBridge {
  send(command: KioskCommand): Promise<KioskReply>;
  /** Calls `listener` with every snapshot main pushes; returns the unsubscribe function. */
  subscribe(listener: (snapshot: KioskSnapshot) => void): () => void;
}
