/**
 * authenticatorMakeCredential and authenticatorGetAssertion on the software authenticator (CTAP 2.1 §6.1.2,
 * §6.2.2), independent of the client: ES256 credentials, resident keys with a bounded store, credProtect,
 * excludeList, UV through a pinUvAuthToken, UP through a touch, and packed attestation (WebAuthn §8.2).
 */
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { encode } from 'cborg';
import { Ctap2Status } from '../../../main/keys/hid/constants';
import type { TestAttestation } from './attestation';
import { type AuthenticatorState, Permission, type StoredCredential } from './state';
import { bytesOf, mapOf, ok, refuse, textOf, uintOf } from './wire';

export interface CredentialContext {
  state: AuthenticatorState;
  aaguid: Buffer;
  attestation: TestAttestation;
  /** The getInfo extensions the key lists (credProtect honoured only when listed). */
  extensions: readonly string[];
  /** Wait for a touch: 'present', 'timeout' or 'denied'. */
  userPresence(): Promise<'present' | 'timeout' | 'denied'>;
}

const ES256 = -7;
const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;
const FLAG_ED = 0x80;

function sha256(data: Uint8Array | string): Buffer {
  return createHash('sha256').update(data).digest();
}

/** The options map's booleans; anything else is CBOR_UNEXPECTED_TYPE. */
function booleans(options: Map<unknown, unknown> | undefined): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const [k, v] of options ?? []) {
    if (typeof k !== 'string' || typeof v !== 'boolean') refuse(Ctap2Status.CborUnexpectedType);
    out.set(k, v);
  }
  return out;
}

/**
 * UV through pinUvAuthParam (§6.1.2 steps 1-2 and 11): zero-length params make the key blink and answer
 * PIN_NOT_SET / PIN_INVALID after a touch; otherwise the MAC must verify with the token's permission.
 */
async function userVerification(
  ctx: CredentialContext,
  p: Map<number, unknown>,
  paramKey: number,
  cdh: Uint8Array,
  permission: number,
  rpId: string,
): Promise<boolean> {
  const param = bytesOf(p.get(paramKey), false);
  if (param === undefined) return false;
  if (param.length === 0) {
    const up = await ctx.userPresence();
    if (up !== 'present') refuse(up === 'denied' ? Ctap2Status.OperationDenied : Ctap2Status.UserActionTimeout);
    refuse(ctx.state.pinSet ? Ctap2Status.PinInvalid : Ctap2Status.PinNotSet);
  }
  const check = ctx.state.verifyToken(p.get(paramKey + 1), param, cdh, permission, rpId);
  if (!check.ok) refuse(check.status);
  return true;
}

async function requirePresence(ctx: CredentialContext): Promise<void> {
  const up = await ctx.userPresence();
  if (up === 'denied') refuse(Ctap2Status.OperationDenied);
  if (up === 'timeout') refuse(Ctap2Status.UserActionTimeout);
}

/** A credential is visible without UV unless credProtect hides it (§12.1 "credProtect"). */
function visible(c: StoredCredential, uv: boolean, viaAllowList: boolean): boolean {
  if (uv || c.credProtect === 1) return true;
  return c.credProtect === 2 && viaAllowList;
}

function findById(ctx: CredentialContext, rpId: string, list: unknown): StoredCredential[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) refuse(Ctap2Status.CborUnexpectedType);
  const out: StoredCredential[] = [];
  for (const d of list as unknown[]) {
    const desc = mapOf(d, true)!;
    const id = bytesOf(desc.get('id'), true)!;
    if (textOf(desc.get('type'), true) !== 'public-key') continue;
    const hit = ctx.state.credentials.find((c) => c.rpId === rpId && c.id.equals(id));
    if (hit) out.push(hit);
  }
  return out;
}

export async function makeCredential(ctx: CredentialContext, p: Map<number, unknown>): Promise<Uint8Array> {
  const { state } = ctx;
  const cdh = bytesOf(p.get(1), true)!;
  const rp = mapOf(p.get(2), true)!;
  const user = mapOf(p.get(3), true)!;
  const params = p.get(4);
  if (params === undefined) refuse(Ctap2Status.MissingParameter);
  const rpId = textOf(rp.get('id'), true)!;
  const userId = bytesOf(user.get('id'), true)!;
  if (userId.length > 64) refuse(Ctap2Status.InvalidLength);
  if (!Array.isArray(params)) refuse(Ctap2Status.CborUnexpectedType);
  const algs = (params as unknown[]).map((x) => mapOf(x, true)!);
  if (!algs.some((a) => a.get('type') === 'public-key' && a.get('alg') === ES256)) refuse(Ctap2Status.UnsupportedAlgorithm);

  const options = booleans(mapOf(p.get(7), false));
  // §6.1.2 step 5: "up" is not a valid makeCredential option in 2.1 when false; "uv" without built-in UV.
  if (options.get('up') === false) refuse(Ctap2Status.InvalidOption);
  if (options.get('uv') === true) refuse(Ctap2Status.InvalidOption);
  const rk = options.get('rk') === true;

  const uv = await userVerification(ctx, p, 8, cdh, Permission.mc, rpId);
  if (!uv && state.pinSet && rk) refuse(Ctap2Status.PuatRequired);

  const ext = mapOf(p.get(6), false);
  let credProtect = 1;
  const asked = ext?.get('credProtect');
  if (asked !== undefined && ctx.extensions.includes('credProtect')) {
    const level = uintOf(asked, true)!;
    if (level < 1 || level > 3) refuse(Ctap2Status.InvalidOption);
    credProtect = level;
  }

  // §6.1.2 step 10: a credential of this RP in the exclude list (and visible) → touch, then CREDENTIAL_EXCLUDED.
  if (findById(ctx, rpId, p.get(5)).some((c) => visible(c, uv, true))) {
    await requirePresence(ctx);
    refuse(Ctap2Status.CredentialExcluded);
  }
  const replaces = rk ? state.credentials.findIndex((c) => c.resident && c.rpId === rpId && Buffer.from(c.userId).equals(userId)) : -1;
  if (rk && replaces < 0 && state.residentCount >= state.maxResidentKeys) refuse(Ctap2Status.KeyStoreFull);

  await requirePresence(ctx);
  if (uv) state.consumeTokenPermissions();

  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const cose = new Map<number, unknown>([
    [1, 2],
    [3, ES256],
    [-1, 1],
    [-2, Buffer.from(jwk.x ?? '', 'base64url')],
    [-3, Buffer.from(jwk.y ?? '', 'base64url')],
  ]);
  const credential: StoredCredential = {
    id: randomBytes(48),
    rpId,
    userId: Uint8Array.from(userId),
    user: new Map([...user].filter(([k]) => typeof k === 'string') as [string, unknown][]),
    privateKey,
    credProtect,
    resident: rk,
  };
  if (replaces >= 0) state.credentials.splice(replaces, 1);
  state.credentials.push(credential);

  const credIdLength = Buffer.alloc(2);
  credIdLength.writeUInt16BE(credential.id.length);
  const extensionsOut = asked !== undefined && ctx.extensions.includes('credProtect') ? encode(new Map([['credProtect', credProtect]])) : undefined;
  const authData = Buffer.concat([
    header(rpId, FLAG_UP | (uv ? FLAG_UV : 0) | FLAG_AT | (extensionsOut ? FLAG_ED : 0), ++state.signCount),
    ctx.aaguid,
    credIdLength,
    credential.id,
    encode(cose),
    extensionsOut ?? new Uint8Array(0),
  ]);
  const sig = sign('sha256', Buffer.concat([authData, cdh]), ctx.attestation.privateKey);
  const attStmt = new Map<string, unknown>([
    ['alg', ES256],
    ['sig', sig],
    ['x5c', [ctx.attestation.leafDer]],
  ]);
  return ok(
    new Map<number, unknown>([
      [1, 'packed'],
      [2, authData],
      [3, attStmt],
    ]),
  );
}

function header(rpId: string, flags: number, counter: number): Buffer {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(counter);
  return Buffer.concat([sha256(rpId), Uint8Array.of(flags), count]);
}

export async function getAssertion(ctx: CredentialContext, p: Map<number, unknown>): Promise<Uint8Array> {
  const { state } = ctx;
  const rpId = textOf(p.get(1), true)!;
  const cdh = bytesOf(p.get(2), true)!;
  const options = booleans(mapOf(p.get(5), false));
  if (options.has('rk')) refuse(Ctap2Status.InvalidOption);
  if (options.get('uv') === true) refuse(Ctap2Status.InvalidOption);
  const up = options.get('up') ?? true;

  const uv = await userVerification(ctx, p, 6, cdh, Permission.ga, rpId);
  const allow = p.get(3);
  const candidates =
    allow === undefined
      ? state.credentials.filter((c) => c.resident && c.rpId === rpId && visible(c, uv, false))
      : findById(ctx, rpId, allow).filter((c) => visible(c, uv, true));
  const chosen = candidates.at(-1);
  if (!chosen) refuse(Ctap2Status.NoCredentials);
  if (up) {
    await requirePresence(ctx);
    if (uv) state.consumeTokenPermissions();
  }
  const authData = header(rpId, (up ? FLAG_UP : 0) | (uv ? FLAG_UV : 0), ++state.signCount);
  const signature = sign('sha256', Buffer.concat([authData, cdh]), chosen.privateKey);
  const response = new Map<number, unknown>([
    [
      1,
      new Map<string, unknown>([
        ['id', chosen.id],
        ['type', 'public-key'],
      ]),
    ],
    [2, authData],
    [3, signature],
  ]);
  if (chosen.resident) {
    // User name and display name only after UV (§6.2.2 step 12, "user" member).
    response.set(4, uv ? chosen.user : new Map([['id', chosen.userId]]));
  }
  if (allow === undefined && candidates.length > 1) response.set(5, candidates.length);
  return ok(response);
}
