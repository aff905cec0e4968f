// The handler table behind common/contract.ts, served by Electron IPC (main/index.ts) and the web harness.
export { createKioskHandlers, csvFileName, toTodayRow } from './handlers';
export type { KioskHandlerOptions, KioskHandlers, SessionPort, StationStatusSource } from './handlers';
