export { startEmulator, type Emulator, type EmulatorOptions } from './server';
export type { EmulatorUrls, RequestLogEntry } from './context';
export { Role, PASSWORD_METHOD_ID } from './model';
