// contextBridge: exposes the contract as `window.kiosk`, nothing more. The contract arrives with the kiosk issue.
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('kiosk', Object.freeze({}));
