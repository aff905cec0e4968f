/**
 * Which way the station talks to the key at the desk. Raw FIDO HID wherever it can be opened; on Windows, when
 * opening it is refused (Windows 10 1903+ keeps FIDO HID for administrators: identify.ts `access-denied`),
 * webauthn.dll, whose own dialog asks for the PIN and the touch. Elsewhere a refusal stays a refusal (udev rules,
 * macOS input monitoring), and the key is unreadable.
 */
import type { IdentifyFailureCode } from '../identify';

export type KeyPath = 'hid' | 'webauthn-dll';

export function keyPathFor(platform: NodeJS.Platform, hidFailure: IdentifyFailureCode | null): KeyPath {
  return platform === 'win32' && hidFailure === 'access-denied' ? 'webauthn-dll' : 'hid';
}
