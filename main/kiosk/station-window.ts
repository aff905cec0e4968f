/**
 * The station window's native handle (an HWND on Windows), for webauthn.dll: Windows' security-key dialog is shown
 * as a child of the window that asks (main/station/provision-dll-port.ts reads the HWND from these bytes). Read at
 * each call, from the live window; a destroyed window has none (an empty handle: Windows then parents the dialog
 * to the desktop).
 */
import type { BrowserWindow } from 'electron';

export function nativeWindowHandleOf(window: BrowserWindow): () => Uint8Array {
  return () => (window.isDestroyed() ? new Uint8Array(0) : window.getNativeWindowHandle());
}
