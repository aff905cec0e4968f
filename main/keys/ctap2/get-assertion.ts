/**
 * authenticatorGetAssertion (0x02), CTAP 2.1 §6.2: the station's proof that a new credential works. With
 * `up: false` the key signs without a touch (UP flag clear), where it allows that. Keys and rules:
 * docs/reference/ctap2-commands.md.
 */
import { Ctap2Command } from './constants';
import { type AuthData, parseAuthData } from './auth-data';
import type { PinUvAuthToken } from './client-pin';
import { type CredentialDescriptor, descriptor } from './make-credential';
import { type CborMap, type Ctap2CallOptions, type Ctap2Session, optionalBytes, optionalUint, requiredBytes } from './session';
import { Ctap2ResponseError } from './status';

export enum GetAssertionKey {
  RpId = 0x01,
  ClientDataHash = 0x02,
  AllowList = 0x03,
  Extensions = 0x04,
  Options = 0x05,
  PinUvAuthParam = 0x06,
  PinUvAuthProtocol = 0x07,
}

export enum GetAssertionResponseKey {
  Credential = 0x01,
  AuthData = 0x02,
  Signature = 0x03,
  User = 0x04,
  NumberOfCredentials = 0x05,
}

export interface GetAssertionRequest {
  rpId: string;
  clientDataHash: Uint8Array;
  allowList?: readonly CredentialDescriptor[];
  /** Require a touch (default true). False: a silent assertion, UP flag clear. */
  userPresence?: boolean;
  /** User verification through a token with the getAssertion permission. */
  token?: PinUvAuthToken;
}

export interface GetAssertionResult {
  credentialId: Uint8Array;
  authDataBytes: Uint8Array;
  authData: AuthData;
  signature: Uint8Array;
  userId: Uint8Array | undefined;
  numberOfCredentials: number | undefined;
}

export async function getAssertion(session: Ctap2Session, req: GetAssertionRequest, options?: Ctap2CallOptions): Promise<GetAssertionResult> {
  if (req.clientDataHash.length !== 32) throw new RangeError('clientDataHash must be 32 bytes');
  const params = new Map<number, unknown>([
    [GetAssertionKey.RpId, req.rpId],
    [GetAssertionKey.ClientDataHash, req.clientDataHash],
    [GetAssertionKey.AllowList, req.allowList?.length ? req.allowList.map(descriptor) : undefined],
    [GetAssertionKey.Options, req.userPresence === false ? new Map([['up', false]]) : undefined],
    [GetAssertionKey.PinUvAuthParam, req.token?.authenticate(req.clientDataHash)],
    [GetAssertionKey.PinUvAuthProtocol, req.token?.protocol.version],
  ]);
  const r = await session.call(Ctap2Command.getAssertion, params, options);
  const authDataBytes = requiredBytes(r, GetAssertionResponseKey.AuthData, 'getAssertion authData');
  const credential = r.get(GetAssertionResponseKey.Credential);
  let credentialId: Uint8Array | undefined;
  if (credential instanceof Map) credentialId = optionalBytes(credential as CborMap, 'id', 'credential id');
  // A key may omit the credential when the allow list had exactly one entry.
  credentialId ??= req.allowList?.length === 1 ? req.allowList[0]?.id : undefined;
  if (!credentialId) throw new Ctap2ResponseError('getAssertion: no credential id in the response');
  const user = r.get(GetAssertionResponseKey.User);
  return {
    credentialId,
    authDataBytes,
    authData: parseAuthData(authDataBytes),
    signature: requiredBytes(r, GetAssertionResponseKey.Signature, 'getAssertion signature'),
    userId: user instanceof Map ? optionalBytes(user as CborMap, 'id', 'user id') : undefined,
    numberOfCredentials: optionalUint(r, GetAssertionResponseKey.NumberOfCredentials, 'numberOfCredentials'),
  };
}
