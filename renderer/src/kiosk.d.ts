import type { KioskBridge } from '../../common/contract';

declare global {
  interface Window {
    /** The preload's bridge (Electron) or the harness shim (browser): the renderer's only way to main. */
    kiosk: KioskBridge;
  }
}

export {};
