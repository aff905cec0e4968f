/**
 * webauthn.dll itself: makeCredential and getAssertion through Windows' WebAuthn API, whose own dialog asks for
 * the PIN (or has one set on a new key) and the touch. Used where raw FIDO HID needs administrator rights
 * (Windows 10 1903+) and the kiosk account has none.
 *
 *   1. `loadWebAuthnDll()` (win32 only, lazily): `%SystemRoot%\System32\webauthn.dll` by absolute path through
 *      koffi; WebAuthNGetApiVersionNumber must exist and be ≥ 1.
 *   2. A cancellation GUID (WebAuthNGetCancellationId) in `pCancellationId`; the caller's AbortSignal calls
 *      WebAuthNCancelCurrentOperation with it.
 *   3. The blocking call runs on koffi's worker thread (`.async`), owned by the station's window (the HWND from
 *      BrowserWindow.getNativeWindowHandle(), read as an integer: `hwndFromHandle`).
 *   4. Any HRESULT other than S_OK → `WebAuthnDllError` (hresult.ts). On S_OK the result is copied out
 *      (results.ts) and the DLL's memory freed (WebAuthNFreeCredentialAttestation / WebAuthNFreeAssertion)
 *      whatever the decoding said.
 *
 * The binding is an interface so that everything but the DLL itself is tested in Node (a fake binding with
 * koffi-allocated results): test/keys/webauthn-dll/. Facts and sources: docs/reference/webauthn-dll.md.
 */
import koffi from 'koffi';
import {
  CLIENT_DATA,
  COSE_CREDENTIAL_PARAMETERS,
  RP_ENTITY_INFORMATION,
  USER_ENTITY_INFORMATION,
  clientData,
  coseParameters,
  rpEntity,
  userEntity,
} from './structs';
import type { ClientData, RpEntity, UserEntity, CoseParameter } from './structs';
import { GET_ASSERTION_OPTIONS, GUID, MAKE_CREDENTIAL_OPTIONS, getAssertionOptions, makeCredentialOptions } from './options';
import type { GetAssertionOptions, MakeCredentialOptions } from './options';
import { checkHresult } from './hresult';
import { decodeAssertion, decodeAttestation, type DllAssertion, type DllCredential } from './results';

/** DSInternals' default; Windows treats it as guidance. */
const DEFAULT_TIMEOUT_MS = 60_000;

/** The DLL's functions as the station calls them (koffi's marshalling of the JS values included). */
export interface WebAuthnDllBinding {
  getApiVersionNumber(): number;
  /** Resolves with the HRESULT; `out[0]` receives the attestation pointer. */
  makeCredential(
    hwnd: bigint,
    rp: RpEntity,
    user: UserEntity,
    params: { cCredentialParameters: number; pCredentialParameters: CoseParameter[] },
    clientData: ClientData,
    options: MakeCredentialOptions,
    out: unknown[],
  ): Promise<number>;
  /** Resolves with the HRESULT; `out[0]` receives the assertion pointer. */
  getAssertion(hwnd: bigint, rpId: string, clientData: ClientData, options: GetAssertionOptions, out: unknown[]): Promise<number>;
  freeCredentialAttestation(ptr: unknown): void;
  freeAssertion(ptr: unknown): void;
  /** Fills the 16-byte GUID memory; returns the HRESULT. */
  getCancellationId(guid: unknown): number;
  cancelCurrentOperation(guid: unknown): number;
}

export interface DllMakeCredentialRequest {
  /** The exact clientDataJSON bytes: the DLL hashes them, and the same bytes go to Graph. */
  clientDataJSON: Uint8Array;
  rp: { id: string; name?: string };
  user: { id: Uint8Array; name: string; displayName: string };
  algorithms: readonly number[];
  excludeList: readonly { id: Uint8Array }[];
  residentKey: boolean;
  timeoutMs?: number;
}

export interface DllGetAssertionRequest {
  rpId: string;
  clientDataJSON: Uint8Array;
  allowList: readonly { id: Uint8Array }[];
  timeoutMs?: number;
}

/** The HWND inside Electron's `getNativeWindowHandle()` Buffer (little-endian, pointer-sized). */
export function hwndFromHandle(handle: Uint8Array): bigint {
  const b = Buffer.from(handle.buffer, handle.byteOffset, handle.byteLength);
  if (b.length >= 8) return b.readBigUInt64LE(0);
  if (b.length >= 4) return BigInt(b.readUInt32LE(0));
  return 0n;
}

export class WebAuthnDll {
  readonly apiVersion: number;
  constructor(private readonly binding: WebAuthnDllBinding) {
    this.apiVersion = binding.getApiVersionNumber();
    if (this.apiVersion < 1) throw new Error(`webauthn.dll API version ${this.apiVersion}: Windows 10 1903 or later is needed`);
  }

  async makeCredential(hwnd: bigint, req: DllMakeCredentialRequest, signal?: AbortSignal): Promise<DllCredential> {
    const options = makeCredentialOptions({
      apiVersion: this.apiVersion,
      timeoutMs: req.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      excludeIds: req.excludeList.map((c) => c.id),
      residentKey: req.residentKey,
    });
    const out: unknown[] = [null];
    const hr = await this.cancellable(options, signal, () =>
      this.binding.makeCredential(hwnd, rpEntity(req.rp), userEntity(req.user), coseParameters(req.algorithms), clientData(req.clientDataJSON), options, out),
    );
    try {
      checkHresult(hr);
      return decodeAttestation(out[0]);
    } finally {
      // Chromium frees whenever the out pointer is set, whatever the HRESULT.
      if (out[0]) this.binding.freeCredentialAttestation(out[0]);
    }
  }

  async getAssertion(hwnd: bigint, req: DllGetAssertionRequest, signal?: AbortSignal): Promise<DllAssertion> {
    const options = getAssertionOptions({ timeoutMs: req.timeoutMs ?? DEFAULT_TIMEOUT_MS, allowIds: req.allowList.map((c) => c.id) });
    const out: unknown[] = [null];
    const hr = await this.cancellable(options, signal, () => this.binding.getAssertion(hwnd, req.rpId, clientData(req.clientDataJSON), options, out));
    try {
      checkHresult(hr);
      return decodeAssertion(out[0]);
    } finally {
      if (out[0]) this.binding.freeAssertion(out[0]);
    }
  }

  /** Gives the call a cancellation GUID and cancels it when the signal aborts; the GUID's memory outlives the call. */
  private async cancellable(options: { pCancellationId: unknown }, signal: AbortSignal | undefined, call: () => Promise<number>): Promise<number> {
    signal?.throwIfAborted();
    const guid: unknown = koffi.alloc(GUID, 1);
    const onAbort = () => void this.binding.cancelCurrentOperation(guid);
    try {
      if (this.binding.getCancellationId(guid) >>> 0 === 0) options.pCancellationId = guid;
      signal?.addEventListener('abort', onAbort, { once: true });
      const hr = await call();
      signal?.throwIfAborted();
      return hr;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      koffi.free(guid);
    }
  }
}

type AsyncFn = { async(...args: unknown[]): void };
const promised =
  (fn: AsyncFn) =>
  (...args: unknown[]): Promise<number> =>
    new Promise((resolve, reject) =>
      fn.async(...args, (err: unknown, hr: number) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(hr))),
    );

/** The koffi binding of `%SystemRoot%\System32\webauthn.dll`; throws off Windows or when the DLL is too old. */
export function loadWebAuthnDll(platform: NodeJS.Platform = process.platform): WebAuthnDll {
  if (platform !== 'win32') throw new Error('webauthn.dll exists only on Windows');
  const lib = koffi.load(`${process.env['SystemRoot'] ?? 'C:\\Windows'}\\System32\\webauthn.dll`);
  const outPtr = koffi.out(koffi.pointer('void *'));
  const mc = lib.func('WebAuthNAuthenticatorMakeCredential', 'int32_t', [
    'void *',
    koffi.pointer(RP_ENTITY_INFORMATION),
    koffi.pointer(USER_ENTITY_INFORMATION),
    koffi.pointer(COSE_CREDENTIAL_PARAMETERS),
    koffi.pointer(CLIENT_DATA),
    koffi.pointer(MAKE_CREDENTIAL_OPTIONS),
    outPtr,
  ]);
  const ga = lib.func('WebAuthNAuthenticatorGetAssertion', 'int32_t', [
    'void *',
    'str16',
    koffi.pointer(CLIENT_DATA),
    koffi.pointer(GET_ASSERTION_OPTIONS),
    outPtr,
  ]);
  const version = lib.func('WebAuthNGetApiVersionNumber', 'uint32_t', []);
  const freeAtt = lib.func('WebAuthNFreeCredentialAttestation', 'void', ['void *']);
  const freeAss = lib.func('WebAuthNFreeAssertion', 'void', ['void *']);
  const cancelId = lib.func('WebAuthNGetCancellationId', 'int32_t', ['void *']);
  const cancel = lib.func('WebAuthNCancelCurrentOperation', 'int32_t', ['void *']);
  return new WebAuthnDll({
    getApiVersionNumber: () => version() as number,
    makeCredential: promised(mc),
    getAssertion: promised(ga),
    freeCredentialAttestation: (p) => void freeAtt(p),
    freeAssertion: (p) => void freeAss(p),
    getCancellationId: (g) => cancelId(g) as number,
    cancelCurrentOperation: (g) => cancel(g) as number,
  });
}
