/**
 * The audit journal's key store in the packaged app: the station key and the anchored chain head
 * (main/audit/keys.ts) in files under the app's user-data folder, their content sealed with Electron's
 * `safeStorage` — DPAPI on Windows (bound to the account the kiosk runs as), the platform secret store on Linux
 * (libsecret / KWallet) and the Keychain on macOS.
 * https://www.electronjs.org/docs/latest/api/safe-storage
 *
 * Refuses (throws) when encryption is not available, or on Linux when Electron would fall back to its
 * hard-coded `basic_text` password (no secret store): the sealing would then protect nothing.
 * Type-checked only; the journal's behaviour with a key store is tested with the plain-file keyring.
 */
import { app, safeStorage } from 'electron';
import { join } from 'node:path';
import { KeyStoreError, keyFileRing, keyFileSchema, useKeyring, type KeyFileCodec, type StationKeyring } from '../audit';

const sealedCodec: KeyFileCodec = {
  kind: 'sealed',
  encode: (file) => safeStorage.encryptString(JSON.stringify(file)),
  decode: (bytes) => keyFileSchema.parse(JSON.parse(safeStorage.decryptString(bytes))),
};

function assertSealing(): void {
  if (!safeStorage.isEncryptionAvailable()) throw new KeyStoreError('safeStorage is not available: the audit key cannot be sealed');
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
    throw new KeyStoreError('no platform secret store (safeStorage backend basic_text): the audit key cannot be sealed');
  }
}

/** The sealed keyring for a journal folder. Call after `app` is ready. */
export function safeStorageKeyring(folder: string): StationKeyring {
  assertSealing();
  return keyFileRing({ dir: join(app.getPath('userData'), 'audit-keys'), folder, codec: sealedCodec });
}

/** Make the sealed keyring the one the journal, verify and crash recovery use. Call once, after `app` is ready. */
export function installSafeStorageKeyring(): void {
  assertSealing();
  useKeyring(safeStorageKeyring);
}
