// contextBridge: exposes the contract as `window.kiosk`, nothing more — a typed send/subscribe pair over two fixed
// channels. No ipcRenderer, no event objects, no Node or Electron API reaches the page: listeners get the payload
// only, `send` can only use COMMAND_CHANNEL. Bundled to CommonJS (a sandboxed preload cannot load ES modules).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { COMMAND_CHANNEL, SNAPSHOT_CHANNEL, type KioskBridge, type KioskCommand, type KioskSnapshot } from './contract';

const bridge: KioskBridge = {
  send: (command: KioskCommand) => ipcRenderer.invoke(COMMAND_CHANNEL, command),
  subscribe(listener: (snapshot: KioskSnapshot) => void) {
    const forward = (_event: IpcRendererEvent, snapshot: KioskSnapshot) => listener(snapshot);
    ipcRenderer.on(SNAPSHOT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(SNAPSHOT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('kiosk', Object.freeze(bridge));
