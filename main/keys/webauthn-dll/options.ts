/**
 * The option structs of webauthn.h as far as the station needs them, x64 layout: MAKE_CREDENTIAL_OPTIONS through
 * version 4 (`bPreferResidentKey`) and GET_ASSERTION_OPTIONS through version 4 (`pAllowCredentialList`), plus
 * GUID, CREDENTIAL_EX and CREDENTIAL_LIST. Fields above a struct's `dwVersion` are never read by the DLL
 * ("Structure formats are incremental"), so the version sent is the one these declarations cover, lowered to
 * what the OS's API version knows (docs/reference/webauthn-dll.md §3): MAKE_CREDENTIAL_OPTIONS v3 on API 1–2,
 * v4 from API 3; GET_ASSERTION_OPTIONS v4 from API 1.
 */
import koffi from 'koffi';
import { CREDENTIALS } from './structs';

/** `WEBAUTHN_AUTHENTICATOR_ATTACHMENT_CROSS_PLATFORM`: a security key, never Windows Hello. */
export const ATTACHMENT_CROSS_PLATFORM = 2;
/** `WEBAUTHN_USER_VERIFICATION_REQUIREMENT_REQUIRED`: the PIN (Windows' own dialog asks for it). */
export const UV_REQUIRED = 1;
/** `WEBAUTHN_ATTESTATION_CONVEYANCE_PREFERENCE_DIRECT`: the key's attestation, checked against the policy. */
export const ATTESTATION_DIRECT = 3;

export const GUID = koffi.struct('GUID', {
  Data1: 'uint32_t',
  Data2: 'uint16_t',
  Data3: 'uint16_t',
  Data4: koffi.array('uint8_t', 8),
});

export const EXTENSIONS = koffi.struct('WEBAUTHN_EXTENSIONS', {
  cExtensions: 'uint32_t',
  pExtensions: 'void *',
});

export const MAKE_CREDENTIAL_OPTIONS = koffi.struct('WEBAUTHN_AUTHENTICATOR_MAKE_CREDENTIAL_OPTIONS_V4', {
  dwVersion: 'uint32_t',
  dwTimeoutMilliseconds: 'uint32_t',
  CredentialList: CREDENTIALS,
  Extensions: EXTENSIONS,
  dwAuthenticatorAttachment: 'uint32_t',
  bRequireResidentKey: 'int32_t',
  dwUserVerificationRequirement: 'uint32_t',
  dwAttestationConveyancePreference: 'uint32_t',
  dwFlags: 'uint32_t',
  // v2
  pCancellationId: 'void *',
  // v3
  pExcludeCredentialList: 'void *',
  // v4
  dwEnterpriseAttestation: 'uint32_t',
  dwLargeBlobSupport: 'uint32_t',
  bPreferResidentKey: 'int32_t',
});

export const GET_ASSERTION_OPTIONS = koffi.struct('WEBAUTHN_AUTHENTICATOR_GET_ASSERTION_OPTIONS_V4', {
  dwVersion: 'uint32_t',
  dwTimeoutMilliseconds: 'uint32_t',
  CredentialList: CREDENTIALS,
  Extensions: EXTENSIONS,
  dwAuthenticatorAttachment: 'uint32_t',
  dwUserVerificationRequirement: 'uint32_t',
  dwFlags: 'uint32_t',
  // v2
  pwszU2fAppId: 'str16',
  pbU2fAppId: 'void *',
  // v3
  pCancellationId: 'void *',
  // v4
  pAllowCredentialList: 'void *',
});

export interface CredentialDescriptorV1 {
  dwVersion: 1;
  cbId: number;
  pbId: Uint8Array;
  pwszCredentialType: 'public-key';
}

interface Credentials {
  cCredentials: number;
  pCredentials: CredentialDescriptorV1[] | null;
}

export interface MakeCredentialOptions {
  dwVersion: 3 | 4;
  dwTimeoutMilliseconds: number;
  CredentialList: Credentials;
  Extensions: { cExtensions: 0; pExtensions: null };
  dwAuthenticatorAttachment: number;
  bRequireResidentKey: 0 | 1;
  dwUserVerificationRequirement: number;
  dwAttestationConveyancePreference: number;
  dwFlags: 0;
  /** Filled by the caller with the cancellation GUID's memory (or null). */
  pCancellationId: unknown;
  pExcludeCredentialList: null;
  dwEnterpriseAttestation: 0;
  dwLargeBlobSupport: 0;
  bPreferResidentKey: 0 | 1;
}

export interface GetAssertionOptions {
  dwVersion: 4;
  dwTimeoutMilliseconds: number;
  CredentialList: Credentials;
  Extensions: { cExtensions: 0; pExtensions: null };
  dwAuthenticatorAttachment: number;
  dwUserVerificationRequirement: number;
  dwFlags: 0;
  pwszU2fAppId: null;
  pbU2fAppId: null;
  pCancellationId: unknown;
  pAllowCredentialList: null;
}

function credentials(ids: readonly Uint8Array[]): Credentials {
  return {
    cCredentials: ids.length,
    pCredentials: ids.length ? ids.map((id) => ({ dwVersion: 1, cbId: id.length, pbId: id, pwszCredentialType: 'public-key' })) : null,
  };
}

/**
 * The station's makeCredential options: a security key (cross-platform), the PIN required, direct attestation,
 * a resident key, the person's existing keys in the legacy contiguous `CredentialList` (the DLL ignores it only
 * when `pExcludeCredentialList` is set, which stays NULL).
 */
export function makeCredentialOptions(o: {
  apiVersion: number;
  timeoutMs: number;
  excludeIds: readonly Uint8Array[];
  residentKey: boolean;
}): MakeCredentialOptions {
  const rk = o.residentKey ? 1 : 0;
  return {
    dwVersion: o.apiVersion >= 3 ? 4 : 3,
    dwTimeoutMilliseconds: o.timeoutMs,
    CredentialList: credentials(o.excludeIds),
    Extensions: { cExtensions: 0, pExtensions: null },
    dwAuthenticatorAttachment: ATTACHMENT_CROSS_PLATFORM,
    bRequireResidentKey: rk,
    dwUserVerificationRequirement: UV_REQUIRED,
    dwAttestationConveyancePreference: ATTESTATION_DIRECT,
    dwFlags: 0,
    pCancellationId: null,
    pExcludeCredentialList: null,
    dwEnterpriseAttestation: 0,
    dwLargeBlobSupport: 0,
    bPreferResidentKey: rk,
  };
}

/** The proof's getAssertion options: the new credential only, a security key, the PIN required. */
export function getAssertionOptions(o: { timeoutMs: number; allowIds: readonly Uint8Array[] }): GetAssertionOptions {
  return {
    dwVersion: 4,
    dwTimeoutMilliseconds: o.timeoutMs,
    CredentialList: credentials(o.allowIds),
    Extensions: { cExtensions: 0, pExtensions: null },
    dwAuthenticatorAttachment: ATTACHMENT_CROSS_PLATFORM,
    dwUserVerificationRequirement: UV_REQUIRED,
    dwFlags: 0,
    pwszU2fAppId: null,
    pbU2fAppId: null,
    pCancellationId: null,
    pAllowCredentialList: null,
  };
}
