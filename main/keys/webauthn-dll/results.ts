/**
 * The DLL's outputs, read as their version-1 prefix (every later version only appends: "Structure formats are
 * incremental", webauthn.h): CREDENTIAL_ATTESTATION (96 bytes: format, authenticatorData, attStmt, decode info,
 * attestationObject, credential id) and ASSERTION (72 bytes: authenticatorData, signature, credential, user id).
 * Every byte is copied out before the DLL's free function runs, and decoded into the shapes the CTAP client
 * returns (main/keys/ctap2/make-credential.ts, get-assertion.ts), so provisioning reads either the same way.
 */
import koffi from 'koffi';
import { parseAuthData } from '../ctap2/auth-data';
import type { MakeCredentialResult } from '../ctap2/make-credential';
import type { GetAssertionResult } from '../ctap2/get-assertion';
import { CREDENTIAL } from './structs';

export const CREDENTIAL_ATTESTATION_V1 = koffi.struct('WEBAUTHN_CREDENTIAL_ATTESTATION_V1', {
  dwVersion: 'uint32_t',
  pwszFormatType: 'str16',
  cbAuthenticatorData: 'uint32_t',
  pbAuthenticatorData: 'void *',
  cbAttestation: 'uint32_t',
  pbAttestation: 'void *',
  dwAttestationDecodeType: 'uint32_t',
  pvAttestationDecode: 'void *',
  cbAttestationObject: 'uint32_t',
  pbAttestationObject: 'void *',
  cbCredentialId: 'uint32_t',
  pbCredentialId: 'void *',
});

export const ASSERTION_V1 = koffi.struct('WEBAUTHN_ASSERTION_V1', {
  dwVersion: 'uint32_t',
  cbAuthenticatorData: 'uint32_t',
  pbAuthenticatorData: 'void *',
  cbSignature: 'uint32_t',
  pbSignature: 'void *',
  Credential: CREDENTIAL,
  cbUserId: 'uint32_t',
  pbUserId: 'void *',
});

/** What makeCredential through the DLL yields: the CTAP client's result minus what only CTAP reports. */
export type DllCredential = Pick<MakeCredentialResult, 'fmt' | 'authDataBytes' | 'authData' | 'credentialId' | 'attestationObject'>;
/** What getAssertion through the DLL yields, in the CTAP client's shape. */
export type DllAssertion = Pick<GetAssertionResult, 'credentialId' | 'authDataBytes' | 'authData' | 'signature' | 'userId'>;

interface RawAttestation {
  dwVersion: number;
  pwszFormatType: string | null;
  cbAuthenticatorData: number;
  pbAuthenticatorData: unknown;
  cbAttestationObject: number;
  pbAttestationObject: unknown;
  cbCredentialId: number;
  pbCredentialId: unknown;
}

interface RawAssertion {
  dwVersion: number;
  cbAuthenticatorData: number;
  pbAuthenticatorData: unknown;
  cbSignature: number;
  pbSignature: unknown;
  Credential: { cbId: number; pbId: unknown };
  cbUserId: number;
  pbUserId: unknown;
}

/** A copy of `len` bytes at a DLL-owned pointer (empty for 0 or NULL). */
function copy(ptr: unknown, len: number): Uint8Array {
  if (!ptr || len === 0) return new Uint8Array(0);
  return new Uint8Array(koffi.view(ptr, len).slice(0));
}

export class WebAuthnDllResultError extends Error {
  override readonly name = 'WebAuthnDllResultError';
  readonly code = 'WEBAUTHN_RESULT' as const;
}

export function decodeAttestation(ptr: unknown): DllCredential {
  if (!ptr) throw new WebAuthnDllResultError('webauthn.dll returned S_OK without an attestation');
  const raw = koffi.decode(ptr, CREDENTIAL_ATTESTATION_V1) as RawAttestation;
  if (raw.dwVersion < 1) throw new WebAuthnDllResultError(`attestation version ${raw.dwVersion}`);
  const authDataBytes = copy(raw.pbAuthenticatorData, raw.cbAuthenticatorData);
  const attestationObject = copy(raw.pbAttestationObject, raw.cbAttestationObject);
  const credentialId = copy(raw.pbCredentialId, raw.cbCredentialId);
  if (!authDataBytes.length || !attestationObject.length || !credentialId.length)
    throw new WebAuthnDllResultError('attestation without authenticator data, object or credential id');
  const authData = parseAuthData(authDataBytes);
  // The credential id the DLL extracted must be the one inside the authenticator data the relying party checks.
  if (!authData.attested || !Buffer.from(authData.attested.credentialId).equals(Buffer.from(credentialId)))
    throw new WebAuthnDllResultError('credential id does not match the authenticator data');
  return { fmt: raw.pwszFormatType ?? 'none', authDataBytes, authData, credentialId, attestationObject };
}

export function decodeAssertion(ptr: unknown): DllAssertion {
  if (!ptr) throw new WebAuthnDllResultError('webauthn.dll returned S_OK without an assertion');
  const raw = koffi.decode(ptr, ASSERTION_V1) as RawAssertion;
  if (raw.dwVersion < 1) throw new WebAuthnDllResultError(`assertion version ${raw.dwVersion}`);
  const authDataBytes = copy(raw.pbAuthenticatorData, raw.cbAuthenticatorData);
  const signature = copy(raw.pbSignature, raw.cbSignature);
  const credentialId = copy(raw.Credential.pbId, raw.Credential.cbId);
  if (!authDataBytes.length || !signature.length) throw new WebAuthnDllResultError('assertion without authenticator data or signature');
  const userId = raw.cbUserId ? copy(raw.pbUserId, raw.cbUserId) : undefined;
  return { credentialId, authDataBytes, authData: parseAuthData(authDataBytes), signature, userId };
}
