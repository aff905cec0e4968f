/**
 * authenticatorMakeCredential (0x01), CTAP 2.1 §6.1: a resident (discoverable) credential verified through a
 * pinUvAuthToken, with credProtect when asked and an exclude list. Keys and rules:
 * docs/reference/ctap2-commands.md.
 */
import { encode } from 'cborg';
import { Ctap2Command } from './constants';
import { type AuthData, CoseAlgorithm, parseAuthData } from './auth-data';
import type { PinUvAuthToken } from './client-pin';
import { type CborMap, type Ctap2CallOptions, type Ctap2Session, optionalBool, requiredBytes, requiredMap } from './session';
import { Ctap2ResponseError } from './status';

export enum MakeCredentialKey {
  ClientDataHash = 0x01,
  Rp = 0x02,
  User = 0x03,
  PubKeyCredParams = 0x04,
  ExcludeList = 0x05,
  Extensions = 0x06,
  Options = 0x07,
  PinUvAuthParam = 0x08,
  PinUvAuthProtocol = 0x09,
}

export enum MakeCredentialResponseKey {
  Fmt = 0x01,
  AuthData = 0x02,
  AttStmt = 0x03,
  EpAtt = 0x04,
}

/** credProtect levels (CTAP 2.1 §12.1). */
export enum CredProtect {
  UserVerificationOptional = 1,
  UserVerificationOptionalWithCredentialIdList = 2,
  UserVerificationRequired = 3,
}

export interface CredentialDescriptor {
  id: Uint8Array;
}

export interface MakeCredentialRequest {
  /** SHA-256 of the clientDataJSON (32 bytes). */
  clientDataHash: Uint8Array;
  rp: { id: string; name?: string };
  /** user.id at most 64 bytes. */
  user: { id: Uint8Array; name?: string; displayName?: string };
  /** COSE algorithms in order of preference (from the relying party's pubKeyCredParams). Default ES256. */
  algorithms?: readonly number[];
  /** Credentials already registered for the account: the key answers CREDENTIAL_EXCLUDED if it holds one. */
  excludeList?: readonly CredentialDescriptor[];
  /** Store the credential on the key (discoverable). */
  residentKey?: boolean;
  /** Ask for this credProtect level (only when the key lists the extension). */
  credProtect?: CredProtect;
  /** User verification: a token with the makeCredential permission (its MAC over clientDataHash is sent). */
  token?: PinUvAuthToken;
}

export interface MakeCredentialResult {
  fmt: string;
  authDataBytes: Uint8Array;
  authData: AuthData;
  attStmt: CborMap;
  credentialId: Uint8Array;
  /** The WebAuthn attestationObject: canonical CBOR {fmt, attStmt, authData}. */
  attestationObject: Uint8Array;
  enterpriseAttestation: boolean | undefined;
}

export async function makeCredential(session: Ctap2Session, req: MakeCredentialRequest, options?: Ctap2CallOptions): Promise<MakeCredentialResult> {
  if (req.clientDataHash.length !== 32) throw new RangeError('clientDataHash must be 32 bytes');
  if (req.user.id.length === 0 || req.user.id.length > 64) throw new RangeError('user.id must be 1 to 64 bytes');
  const algorithms = req.algorithms?.length ? req.algorithms : [CoseAlgorithm.ES256];
  const opts = new Map<string, boolean>();
  if (req.residentKey) opts.set('rk', true);
  // With a pinUvAuthParam the `uv` option is left out (CTAP 2.1 §6.1.2; YubiKeys refuse both together).
  const params = new Map<number, unknown>([
    [MakeCredentialKey.ClientDataHash, req.clientDataHash],
    [MakeCredentialKey.Rp, entity({ id: req.rp.id, name: req.rp.name })],
    [MakeCredentialKey.User, entity({ id: req.user.id, name: req.user.name, displayName: req.user.displayName })],
    [
      MakeCredentialKey.PubKeyCredParams,
      algorithms.map(
        (alg) =>
          new Map<string, unknown>([
            ['alg', alg],
            ['type', 'public-key'],
          ]),
      ),
    ],
    [MakeCredentialKey.ExcludeList, req.excludeList?.length ? req.excludeList.map(descriptor) : undefined],
    [MakeCredentialKey.Extensions, req.credProtect === undefined ? undefined : new Map([['credProtect', req.credProtect]])],
    [MakeCredentialKey.Options, opts.size ? opts : undefined],
    [MakeCredentialKey.PinUvAuthParam, req.token?.authenticate(req.clientDataHash)],
    [MakeCredentialKey.PinUvAuthProtocol, req.token?.protocol.version],
  ]);
  const r = await session.call(Ctap2Command.makeCredential, params, options);
  const fmt = r.get(MakeCredentialResponseKey.Fmt);
  if (typeof fmt !== 'string') throw new Ctap2ResponseError('makeCredential: fmt (key 1) is missing or not text');
  const authDataBytes = requiredBytes(r, MakeCredentialResponseKey.AuthData, 'makeCredential authData');
  const attStmt = requiredMap(r, MakeCredentialResponseKey.AttStmt, 'makeCredential attStmt');
  const authData = parseAuthData(authDataBytes);
  if (!authData.attested) throw new Ctap2ResponseError('makeCredential: authData carries no attested credential');
  return {
    fmt,
    authDataBytes,
    authData,
    attStmt,
    credentialId: authData.attested.credentialId,
    attestationObject: encode(
      new Map<string, unknown>([
        ['fmt', fmt],
        ['attStmt', attStmt],
        ['authData', authDataBytes],
      ]),
    ),
    enterpriseAttestation: optionalBool(r, MakeCredentialResponseKey.EpAtt, 'epAtt'),
  };
}

/** A PublicKeyCredentialDescriptor as libfido2 sends it: id and type only (some keys refuse `transports`). */
export function descriptor(d: CredentialDescriptor): Map<string, unknown> {
  return new Map<string, unknown>([
    ['id', d.id],
    ['type', 'public-key'],
  ]);
}

function entity(fields: Record<string, unknown>): Map<string, unknown> {
  return new Map(Object.entries(fields).filter(([, v]) => v !== undefined));
}
