/** The webauthn.dll call itself: only on Windows. Elsewhere this prints exactly one line and skips. */
import koffi from 'koffi';
import { describe, expect, it } from 'vitest';
import { loadWebAuthnDll } from '../../../main/keys/webauthn-dll/call';

const onWindows = process.platform === 'win32';
if (!onWindows) console.log('webauthn.dll tests skipped: not Windows');

describe.runIf(onWindows)('webauthn.dll', () => {
  it('loads from System32 and reports an API version ≥ 1 (Windows 10 1903+)', () => {
    const lib = koffi.load(`${process.env['SystemRoot'] ?? 'C:\\Windows'}\\System32\\webauthn.dll`);
    const version = lib.func('uint32_t WebAuthNGetApiVersionNumber()') as () => number;
    expect(version()).toBeGreaterThanOrEqual(1);
    lib.unload();
  });
  it('binds every function the station calls', () => {
    expect(loadWebAuthnDll().apiVersion).toBeGreaterThanOrEqual(1);
  });
});
