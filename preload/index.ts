// contextBridge: exposes the contract as `window.kiosk`, nothing more — `request` and `subscribe` over two fixed
// channels. No ipcRenderer, no event objects, no Node or Electron API reaches the page: listeners get the payload
// only, and every request goes to COMMAND_CHANNEL, where main validates it against the contract's schema.
// Bundled to CommonJS (a sandboxed preload cannot load ES modules).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { COMMAND_CHANNEL, SNAPSHOT_CHANNEL, type KioskBridge, type KioskReply, type KioskRequest, type KioskState } from '../common/contract';

const request = (req: KioskRequest): Promise<KioskReply> => ipcRenderer.invoke(COMMAND_CHANNEL, req);

const bridge: KioskBridge = {
  request,
  subscribe(listener: (state: KioskState) => void) {
    const forward = (_event: IpcRendererEvent, state: KioskState) => listener(state);
    ipcRenderer.on(SNAPSHOT_CHANNEL, forward);
    // The current state first; later ones arrive on the stream.
    void request({ kind: 'query', query: { type: 'state' } }).then((reply) => {
      if (reply.ok && reply.kind === 'state') listener(reply.state);
    });
    return () => {
      ipcRenderer.removeListener(SNAPSHOT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('kiosk', Object.freeze(bridge));
