/**
 * What both ways of making the passkey at the desk share (flow.ts over the station's own CTAP client,
 * platform-flow.ts through Windows' webauthn.dll): the options fetched just in time, the clientDataJSON, our own
 * check of the attestation before Microsoft sees it, the tenant's key restrictions, the display name, the proof's
 * check, and the audit record. Pure but for the Graph fetch and the journal append they are handed.
 */
import { createHash } from 'node:crypto';
import { verifyRegistrationResponse } from '@simplewebauthn/server';
import { AuthDataFlag, CoseAlgorithm, verifySignature, type AttestedCredential, type AuthData } from '../keys/ctap2/auth-data';
import type { CborMap } from '../keys/ctap2/session';
import type { PasskeyCreationOptions, PasskeyProvisioningCalls, PasskeyRegistration } from '../directory/methods';
import { auditEvents, type AuditEvent, type Payload } from '../audit/events';
import type { JournalHealthCode } from '../../common/codes';
import type { ProvisionError } from '../../common/provision-codes';
import type { Fido2KeyPolicy } from '../../common/keys';
import { ProvisionFailure } from './errors';

/** Algorithms the station's proof can verify (auth-data.ts coseToKeyObject). */
const VERIFIABLE = new Set<number>([CoseAlgorithm.ES256, CoseAlgorithm.EdDSA]);
/** When Graph names no expiry: the v1.0 "system-defined challenge timeout of 5 minutes" (entra-graph.md 4.2). */
const DEFAULT_CHALLENGE_MS = 5 * 60_000;
const DISPLAY_NAME_MAX = 30;

export const b64url = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');
export const sha256 = (b: Uint8Array | string): Buffer => createHash('sha256').update(b).digest();

/** "YubiKey 5 Series 2026-12-05": whole words of the model, then the day, at most 30 characters. */
export function keyDisplayName(model: string, day: Date): string {
  const date = day.toISOString().slice(0, 10);
  const room = DISPLAY_NAME_MAX - date.length - 1;
  let name = '';
  for (const word of model.trim().split(/\s+/)) {
    const next = name ? `${name} ${word}` : word;
    if (next.length > room) break;
    name = next;
  }
  if (!name) name = model.trim().slice(0, room);
  return name ? `${name} ${date}` : date;
}

/** Whether the tenant's enforced key restrictions refuse this AAGUID (allow list without it, or block list with it). */
export function keyRestrictionRefuses(policy: Fido2KeyPolicy | null | undefined, aaguid: string): boolean {
  const r = policy?.keyRestrictions;
  if (!r?.isEnforced) return false;
  const listed = r.aaGuids.some((g) => g.toLowerCase() === aaguid.toLowerCase());
  return r.enforcementType === 'allow' ? !listed : listed;
}

/** The options Graph names, with the challenge's end by the station's clock. */
export interface FreshOptions {
  options: PasskeyCreationOptions;
  /** When the challenge runs out (station's clock, ms). */
  expires: number;
  origin: string;
  /** The algorithms Graph asks for that the proof can verify (ES256 when none). */
  algorithms: number[];
}

/** creationOptions just in time: fetched again at once when less than `marginMs` of the challenge is left. */
export async function freshOptions(
  graph: PasskeyProvisioningCalls,
  userId: string,
  now: () => number,
  marginMs: number,
  signal?: AbortSignal,
): Promise<FreshOptions> {
  const expiry = (x: PasskeyCreationOptions, at: number) => (x.challengeExpires ? Date.parse(x.challengeExpires) : at + DEFAULT_CHALLENGE_MS);
  const fetchedAt = now();
  let options = await graph.passkeyCreationOptions(userId, signal);
  let expires = expiry(options, fetchedAt);
  if (expires - now() < marginMs) {
    const again = now();
    options = await graph.passkeyCreationOptions(userId, signal);
    expires = expiry(options, again);
  }
  const verifiable = options.algorithms.filter((a) => VERIFIABLE.has(a));
  return { options, expires, origin: `https://${options.rpId}`, algorithms: verifiable.length ? verifiable : [CoseAlgorithm.ES256] };
}

/** The clientDataJSON bytes a browser would make for this ceremony (the same bytes are hashed and sent). */
export function clientDataJSON(type: 'webauthn.create' | 'webauthn.get', challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
}

/** What the key made, as both ways yield it (keys/ctap2/make-credential.ts, keys/webauthn-dll/results.ts). */
export interface MadeCredential {
  credentialId: Uint8Array;
  attestationObject: Uint8Array;
  authData: AuthData;
}

/**
 * Our own check of what the key made, before Microsoft sees it: type, challenge, origin, RP, UP+UV, algorithm and
 * the attestation signature (@simplewebauthn/server). Anything else is `attestation.invalid`. Returns the body
 * Graph's POST carries and the attested credential (AAGUID, public key).
 */
export async function verifiedAttestation(
  made: MadeCredential,
  clientData: Uint8Array,
  o: FreshOptions,
): Promise<{ registration: PasskeyRegistration['publicKeyCredential']; attested: AttestedCredential }> {
  const credentialId = b64url(made.credentialId);
  const registration = {
    id: credentialId,
    response: { clientDataJSON: b64url(clientData), attestationObject: b64url(made.attestationObject) },
    clientExtensionResults: {} as Record<string, never>,
  };
  const verified = await verifyRegistrationResponse({
    response: { ...registration, rawId: credentialId, type: 'public-key' },
    expectedChallenge: o.options.challenge,
    expectedOrigin: o.origin,
    expectedRPID: o.options.rpId,
    expectedType: 'webauthn.create',
    requireUserPresence: true,
    requireUserVerification: true,
    supportedAlgorithmIDs: o.algorithms,
  }).catch(() => null);
  const attested = made.authData.attested;
  if (!verified?.verified || !attested) throw new ProvisionFailure({ code: 'attestation.invalid', params: {} });
  return { registration, attested };
}

/** An assertion of the proof, as both ways yield it. */
export interface ProofAssertion {
  credentialId: Uint8Array;
  authDataBytes: Uint8Array;
  authData: AuthData;
  signature: Uint8Array;
}

/** The proof holds: the new credential, the person verified, our RP, signed by the attested public key. */
export function proofHolds(
  proof: ProofAssertion,
  expected: { credentialId: Uint8Array; publicKey: CborMap; rpId: string; clientDataHash: Uint8Array },
): boolean {
  return (
    Buffer.from(proof.credentialId).equals(Buffer.from(expected.credentialId)) &&
    (proof.authData.flags & AuthDataFlag.UserVerified) !== 0 &&
    Buffer.from(proof.authData.rpIdHash).equals(sha256(expected.rpId)) &&
    verifySignature(expected.publicKey, proof.authDataBytes, expected.clientDataHash, proof.signature)
  );
}

/** The audit record's facts once Graph has the passkey (no PIN, no challenge). */
export type RegisteredRecord = Omit<Payload<'key.provisioned'>, 'proven' | 'pinSetHere'>;

export function registeredRecord(
  req: { enrollmentId: string; operator: { id: string; upn: string }; user: { id: string; upn: string } },
  method: { id: string; requestId: string | null },
  key: { aaguid: string; model: string; credentialId: Uint8Array },
): RegisteredRecord {
  return {
    enrollmentId: req.enrollmentId,
    operator: req.operator,
    user: req.user,
    methodId: method.id,
    aaguid: key.aaguid,
    model: key.model,
    credIdSha256: sha256(key.credentialId).toString('hex'),
    requestId: method.requestId,
  };
}

export const provisionedEvent = (record: RegisteredRecord, pinSetHere: boolean, proven: boolean): AuditEvent =>
  auditEvents.keyProvisioned({ ...record, pinSetHere, proven });

/** Where the flows write: `probe` (audit/journal.ts) is asked first, and nothing is done unless it can record. */
export interface ProvisionJournal {
  append(event: AuditEvent): Promise<unknown>;
  probe?(): Promise<JournalHealthCode>;
}

/** A passkey the journal could not record must not be made: refuse before the key or Graph is touched. */
export async function journalWritable(journal: ProvisionJournal): Promise<void> {
  const health = (await journal.probe?.()) ?? 'ok';
  if (health !== 'ok') throw new ProvisionFailure({ code: `journal.${health}`, params: {} });
}

/**
 * A flow failed with `e`: registered at Microsoft but not proven (`unproven`, the key failed or went during the
 * proof) is journalled so and is `proof.failed`; the caller's abort is re-thrown; anything else is its code, with a
 * failure record unless the journal itself is what refused.
 */
export async function failedWith(
  journal: ProvisionJournal,
  enrollmentId: string,
  unproven: { record: RegisteredRecord; pinSetHere: boolean } | null,
  e: unknown,
  signal: AbortSignal | undefined,
  toError: (e: unknown) => ProvisionError,
): Promise<ProvisionError> {
  if (unproven) await journal.append(provisionedEvent(unproven.record, unproven.pinSetHere, false));
  if (signal?.aborted) throw signal.reason;
  const error: ProvisionError = unproven ? { code: 'proof.failed', params: { methodId: unproven.record.methodId } } : toError(e);
  if (!error.code.startsWith('journal.')) await journal.append(auditEvents.failure({ enrollmentId, step: 'provision', code: error.code }));
  return error;
}
