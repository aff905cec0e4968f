/**
 * The version-1 structs of Microsoft's webauthn.h (microsoft/webauthn, `webauthn.h`: RP, user, client data,
 * COSE credential parameter(s), credential(s)) as koffi types, x64 layout. Type mapping: DWORD → uint32,
 * LONG → int32 (koffi's `long` follows the platform), PCWSTR → str16 (UTF-16LE), PBYTE → pointer to uint8.
 * Facts and offsets: docs/reference/webauthn-dll.md.
 *
 * The versioned structs are in options.ts (inputs) and results.ts (outputs), the function bindings in call.ts.
 */
import koffi from 'koffi';

/** `WEBAUTHN_CREDENTIAL_TYPE_PUBLIC_KEY`. */
export const CREDENTIAL_TYPE_PUBLIC_KEY = 'public-key';
/** `WEBAUTHN_HASH_ALGORITHM_SHA_256`: the DLL hashes pbClientDataJSON itself with this. */
export const HASH_ALGORITHM_SHA_256 = 'SHA-256';
/** `WEBAUTHN_MAX_USER_ID_LENGTH`. */
export const MAX_USER_ID_LENGTH = 64;

export const RP_ENTITY_INFORMATION = koffi.struct('WEBAUTHN_RP_ENTITY_INFORMATION', {
  dwVersion: 'uint32_t',
  pwszId: 'str16',
  pwszName: 'str16',
  pwszIcon: 'str16',
});

export const USER_ENTITY_INFORMATION = koffi.struct('WEBAUTHN_USER_ENTITY_INFORMATION', {
  dwVersion: 'uint32_t',
  cbId: 'uint32_t',
  pbId: 'uint8_t *',
  pwszName: 'str16',
  pwszIcon: 'str16',
  pwszDisplayName: 'str16',
});

export const CLIENT_DATA = koffi.struct('WEBAUTHN_CLIENT_DATA', {
  dwVersion: 'uint32_t',
  cbClientDataJSON: 'uint32_t',
  pbClientDataJSON: 'uint8_t *',
  pwszHashAlgId: 'str16',
});

export const COSE_CREDENTIAL_PARAMETER = koffi.struct('WEBAUTHN_COSE_CREDENTIAL_PARAMETER', {
  dwVersion: 'uint32_t',
  pwszCredentialType: 'str16',
  lAlg: 'int32_t',
});

export const COSE_CREDENTIAL_PARAMETERS = koffi.struct('WEBAUTHN_COSE_CREDENTIAL_PARAMETERS', {
  cCredentialParameters: 'uint32_t',
  pCredentialParameters: koffi.pointer(COSE_CREDENTIAL_PARAMETER),
});

export const CREDENTIAL = koffi.struct('WEBAUTHN_CREDENTIAL', {
  dwVersion: 'uint32_t',
  cbId: 'uint32_t',
  pbId: 'uint8_t *',
  pwszCredentialType: 'str16',
});

export const CREDENTIALS = koffi.struct('WEBAUTHN_CREDENTIALS', {
  cCredentials: 'uint32_t',
  pCredentials: koffi.pointer(CREDENTIAL),
});

/** JS values for the v1 input structs, ready for koffi to marshal. */
export interface RpEntity {
  dwVersion: 1;
  pwszId: string;
  pwszName: string;
  pwszIcon: null;
}
export interface UserEntity {
  dwVersion: 1;
  cbId: number;
  pbId: Uint8Array;
  pwszName: string;
  pwszIcon: null;
  pwszDisplayName: string;
}
export interface ClientData {
  dwVersion: 1;
  cbClientDataJSON: number;
  pbClientDataJSON: Uint8Array;
  pwszHashAlgId: string;
}
export interface CoseParameter {
  dwVersion: 1;
  pwszCredentialType: string;
  lAlg: number;
}

export function rpEntity(rp: { id: string; name?: string }): RpEntity {
  // pwszName is required by the header ("This field is required"); the RP id stands in when there is no name.
  return { dwVersion: 1, pwszId: rp.id, pwszName: rp.name ?? rp.id, pwszIcon: null };
}

export function userEntity(user: { id: Uint8Array; name: string; displayName: string }): UserEntity {
  if (user.id.length === 0 || user.id.length > MAX_USER_ID_LENGTH) throw new RangeError(`user.id must be 1 to ${MAX_USER_ID_LENGTH} bytes`);
  return { dwVersion: 1, cbId: user.id.length, pbId: user.id, pwszName: user.name, pwszIcon: null, pwszDisplayName: user.displayName };
}

/** The exact clientDataJSON bytes: the DLL hashes them (SHA-256) and the same bytes go to the relying party. */
export function clientData(json: Uint8Array): ClientData {
  return { dwVersion: 1, cbClientDataJSON: json.length, pbClientDataJSON: json, pwszHashAlgId: HASH_ALGORITHM_SHA_256 };
}

export function coseParameters(algorithms: readonly number[]): { cCredentialParameters: number; pCredentialParameters: CoseParameter[] } {
  return {
    cCredentialParameters: algorithms.length,
    pCredentialParameters: algorithms.map((lAlg) => ({ dwVersion: 1, pwszCredentialType: CREDENTIAL_TYPE_PUBLIC_KEY, lAlg })),
  };
}
