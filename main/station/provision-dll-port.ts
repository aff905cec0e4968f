/**
 * "Set up the key here" where Windows refuses the station raw FIDO HID (no administrator rights; keys/identify.ts
 * `access-denied`): the session's ProvisionPort over provision/platform-flow.ts and webauthn.dll, and the choice
 * per key between it and the HID port (provision-port.ts), by `keyPathFor` (keys/webauthn-dll/select.ts).
 *
 *   readKey    nothing can be read (no getInfo through the DLL): the facts say Windows' dialog asks for the PIN
 *              (`WINDOWS_ASKS`: PIN set or not, tries, model and AAGUID unknown)
 *   provision  provisionThroughPlatform: no PIN from the station, no random PIN (Windows sets the PIN in its
 *              dialog); the model from the attested AAGUID
 *
 * webauthn.dll is loaded on first need, on win32 only, and once: `windowsDialog` is read when the session's chart
 * is made, so on a Windows station the load is tried then; elsewhere never. Its calls are owned by the station's
 * window (the HWND from main/kiosk/, injected as `nativeWindowHandle`).
 */
import { hwndFromHandle, loadWebAuthnDll, type WebAuthnDll } from '../keys/webauthn-dll/call';
import { keyPathFor } from '../keys/webauthn-dll/select';
import type { IdentifyFailureCode } from '../keys/identify';
import type { PasskeyProvisioningCalls } from '../directory/methods';
import type { AuditEvent } from '../audit';
import { WINDOWS_ASKS, type ProvisionPort } from '../enrollment/provision';
import { provisionThroughPlatform, type PlatformAuthenticator } from '../provision/platform-flow';
import type { JournalHealthCode } from '../../common/codes';

export interface DllProvisionOptions {
  authenticator: PlatformAuthenticator;
  graph: PasskeyProvisioningCalls;
  journal: { append(event: AuditEvent): Promise<unknown>; probe?(): Promise<JournalHealthCode> };
  /** The model's name for an AAGUID (the keys catalogue). */
  modelOf(aaguid: string): string | null;
}

/** The ProvisionPort through Windows' dialog. */
export function dllProvisionPort(o: DllProvisionOptions): ProvisionPort {
  return {
    windowsDialog: true,
    readKey: async (_keyId, signal) => {
      signal?.throwIfAborted();
      return { ok: true, key: WINDOWS_ASKS };
    },
    async provision(request, signal) {
      // No PIN crosses to the station on this path; whatever the caller handed over is overwritten unread.
      request.pin.fill(0);
      request.pinConfirm?.fill(0);
      const outcome = await provisionThroughPlatform(
        { graph: o.graph, journal: o.journal },
        {
          enrollmentId: request.enrollmentId,
          operator: request.operator,
          user: request.user,
          authenticator: o.authenticator,
          modelOf: (aaguid) => o.modelOf(aaguid) ?? 'Security key',
          policy: request.policy,
          onStep: request.onStep,
          ...(signal ? { signal } : {}),
        },
      );
      if (!outcome.ok) return { ok: false, error: outcome.error };
      return { ok: true, methodId: outcome.methodId, displayName: outcome.displayName, model: outcome.model, aaguid: outcome.aaguid, proven: true };
    },
  };
}

/** webauthn.dll as the PlatformAuthenticator, its calls owned by the station's window; null where it cannot load. */
export function webAuthnDllAuthenticator(
  nativeWindowHandle: () => Uint8Array,
  load: () => WebAuthnDll = loadWebAuthnDll,
  onLoadFailed: (e: unknown) => void = () => undefined,
): PlatformAuthenticator | null {
  let dll: WebAuthnDll;
  try {
    dll = load();
  } catch (e) {
    onLoadFailed(e);
    return null;
  }
  return {
    makeCredential: (request, signal) => dll.makeCredential(hwndFromHandle(nativeWindowHandle()), request, signal),
    getAssertion: (request, signal) => dll.getAssertion(hwndFromHandle(nativeWindowHandle()), request, signal),
  };
}

export interface PortChoice {
  platform: NodeJS.Platform;
  /** The HID port (provision-port.ts). */
  hid: ProvisionPort;
  /** The port through Windows' dialog, made on first need (null: webauthn.dll did not load). */
  dll: () => ProvisionPort | null;
  /** Why the key reader could not read this key over HID (null: it could, or it is not known). */
  hidFailureOf(keyId: string): IdentifyFailureCode | null;
}

/** The session's ProvisionPort: per key, HID where it can be opened, else (Windows, access denied) the DLL. */
export function chooseProvisionPort(c: PortChoice): ProvisionPort {
  let made: { port: ProvisionPort | null } | null = null;
  const dll = (): ProvisionPort | null => {
    // Off Windows a refused HID open stays a refusal: the DLL is never even loaded.
    if (keyPathFor(c.platform, 'access-denied') !== 'webauthn-dll') return null;
    made ??= { port: c.dll() };
    return made.port;
  };
  const portFor = (keyId: string): ProvisionPort => (keyPathFor(c.platform, c.hidFailureOf(keyId)) === 'webauthn-dll' ? (dll() ?? c.hid) : c.hid);
  return {
    get windowsDialog() {
      return dll() !== null;
    },
    readKey: (keyId, signal) => portFor(keyId).readKey(keyId, signal),
    provision: (request, signal) => portFor(request.keyId).provision(request, signal),
  };
}
