/**
 * HRESULTs of webauthn.dll as typed errors. Names from webauthn.h's `WebAuthNGetErrorName` mapping, values from
 * winerror.h (as libfido2 src/winhello.c and DSInternals' ApiHelper.cs use them); docs/reference/webauthn-dll.md.
 * koffi returns an HRESULT as a signed int32: it is compared as unsigned.
 */

/** What the station does about the result (the same vocabulary as the CTAP client's remedies, where they overlap). */
export type WebAuthnDllRemedy = 'already-registered' | 'key-full' | 'unsupported' | 'cancelled' | 'not-allowed' | 'protocol';

export enum WebAuthnHresult {
  Ok = 0x00000000,
  NteExists = 0x8009000f,
  NteTokenKeysetStorageFull = 0x80090023,
  NteNotSupported = 0x80090029,
  Win32NotSupported = 0x80070032,
  NteInvalidParameter = 0x80090027,
  NteDeviceNotFound = 0x80090035,
  NteNotFound = 0x80090011,
  NteUserCancelled = 0x80090036,
  Win32Cancelled = 0x800704c7,
  Win32Timeout = 0x800705b4,
  EInvalidArg = 0x80070057,
  Win32InvalidData = 0x8007000d,
  RpcAccessDenied = 0x8001011b,
}

const REMEDY: Readonly<Partial<Record<WebAuthnHresult, WebAuthnDllRemedy>>> = {
  [WebAuthnHresult.NteExists]: 'already-registered',
  [WebAuthnHresult.NteTokenKeysetStorageFull]: 'key-full',
  [WebAuthnHresult.NteNotSupported]: 'unsupported',
  [WebAuthnHresult.Win32NotSupported]: 'unsupported',
  [WebAuthnHresult.NteUserCancelled]: 'cancelled',
  [WebAuthnHresult.Win32Cancelled]: 'cancelled',
  [WebAuthnHresult.Win32Timeout]: 'cancelled',
  [WebAuthnHresult.NteDeviceNotFound]: 'not-allowed',
  [WebAuthnHresult.NteNotFound]: 'not-allowed',
};

export class WebAuthnDllError extends Error {
  override readonly name = 'WebAuthnDllError';
  readonly code = 'WEBAUTHN_HRESULT' as const;
  /** Unsigned 32-bit HRESULT. */
  readonly hresult: number;
  readonly hresultName: string;
  readonly remedy: WebAuthnDllRemedy;
  constructor(hresult: number) {
    const unsigned = hresult >>> 0;
    const name = WebAuthnHresult[unsigned] ?? `0x${unsigned.toString(16).padStart(8, '0')}`;
    super(`webauthn.dll failed with HRESULT 0x${unsigned.toString(16).padStart(8, '0')} (${name})`);
    this.hresult = unsigned;
    this.hresultName = name;
    this.remedy = REMEDY[unsigned as WebAuthnHresult] ?? 'protocol';
  }
}

/** Throw for any HRESULT other than S_OK (accepts koffi's signed int32). */
export function checkHresult(hresult: number): void {
  if (hresult >>> 0 !== WebAuthnHresult.Ok) throw new WebAuthnDllError(hresult);
}
