/**
 * Provisioning at the desk through the platform's authenticator API (Windows' webauthn.dll) where the station may
 * not open the key over HID (Windows without administrator rights; keys/webauthn-dll/select.ts). Windows' own
 * dialog asks for the PIN (or has the person choose one on a new key) and the touch: no PIN reaches the station,
 * there are no tokens, and nothing about the key is known before it answers.
 *
 *   journal probe → creationOptions (just in time) → clientDataJSON {webauthn.create, challenge, origin https:// +
 *   the RP id Graph named} → makeCredential through the dialog (resident key, UV required, the person's existing
 *   keys excluded, Graph's algorithms, direct attestation) → the attestation verified here → the AAGUID from the
 *   attestation against the key restrictions, BEFORE the POST → POST fido2Methods → the proof: getAssertion
 *   through the dialog (UV required: the PIN and a touch once more; Windows has no `up: false`) on a fresh local
 *   challenge, the new credential only, verified against the attested public key → audit `key.provisioned`.
 *
 * A blocked AAGUID is found only after the key made the credential: it stays on the key, unused and unregistered
 * (`leftOnKey`), and the screen says the key can be reset (Reset a returned key) before it goes to anyone. The
 * challenge runs out as in flow.ts: once more from new options, twice is `graph.challenge-expired`. The dialog's
 * cancel, its timeout and every HRESULT are codes (errors.ts `fromHresult`). The shared checks: registration.ts.
 */
import { randomBytes } from 'node:crypto';
import type { DllGetAssertionRequest, DllMakeCredentialRequest } from '../keys/webauthn-dll/call';
import type { DllAssertion, DllCredential } from '../keys/webauthn-dll/results';
import type { PasskeyProvisioningCalls } from '../directory/methods';
import type { ProvisionError } from '../../common/provision-codes';
import type { Fido2KeyPolicy } from '../../common/keys';
import { ProvisionFailure, isChallengeRefusal, toProvisionError } from './errors';
import { minimumPinLength } from './pin-rules';
import {
  b64url,
  clientDataJSON,
  failedWith,
  freshOptions,
  journalWritable,
  keyDisplayName,
  keyRestrictionRefuses,
  proofHolds,
  provisionedEvent,
  registeredRecord,
  sha256,
  verifiedAttestation,
  type ProvisionJournal,
  type RegisteredRecord,
} from './registration';

/**
 * The platform's authenticator: `WebAuthnDll.makeCredential/getAssertion` (keys/webauthn-dll/call.ts) with the
 * station's window bound, or a test's stand-in. Throws `WebAuthnDllError` for an HRESULT.
 */
export interface PlatformAuthenticator {
  makeCredential(request: DllMakeCredentialRequest, signal?: AbortSignal): Promise<DllCredential>;
  getAssertion(request: DllGetAssertionRequest, signal?: AbortSignal): Promise<DllAssertion>;
}

/** `windows-dialog`: Windows asks for the PIN and the touch; `windows-proof`: it asks once more, for the proof. */
export type PlatformStep = 'checking' | 'options' | 'windows-dialog' | 'registering' | 'windows-proof' | 'done';

export interface PlatformProvisionDeps {
  graph: PasskeyProvisioningCalls;
  journal: ProvisionJournal;
  now?: () => number;
  /** A challenge with less than this left is fetched again before the dialog opens. Default 60 s. */
  challengeMarginMs?: number;
}

export interface PlatformProvisionRequest {
  enrollmentId: string;
  operator: { id: string; upn: string };
  user: { id: string; upn: string };
  authenticator: PlatformAuthenticator;
  /** The model's name for the AAGUID the attestation carries (the keys catalogue). */
  modelOf(aaguid: string): string;
  /** The tenant's passkey policy when the operator's role could read it: checked against the attested AAGUID. */
  policy?: Fido2KeyPolicy | null;
  onStep?: (step: PlatformStep) => void;
  signal?: AbortSignal;
}

export type PlatformOutcome =
  | { ok: true; methodId: string; aaguid: string; model: string; displayName: string; credIdSha256: string; attempts: number }
  /** `leftOnKey`: the key holds a credential nobody registered (the AAGUID was refused after makeCredential). */
  | { ok: false; error: ProvisionError; leftOnKey: boolean };

export async function provisionThroughPlatform(deps: PlatformProvisionDeps, req: PlatformProvisionRequest): Promise<PlatformOutcome> {
  const now = deps.now ?? Date.now;
  const margin = deps.challengeMarginMs ?? 60_000;
  const step = (s: PlatformStep) => req.onStep?.(s);
  let registered: RegisteredRecord | null = null;
  let leftOnKey = false;

  try {
    step('checking');
    await journalWritable(deps.journal);
    for (let attempt = 1; ; attempt++) {
      step('options');
      const fresh = await freshOptions(deps.graph, req.user.id, now, margin, req.signal);
      const { options: o, expires, origin } = fresh;
      const rpId = o.rpId;
      const clientData = clientDataJSON('webauthn.create', o.challenge, origin);

      step('windows-dialog');
      const made = await req.authenticator.makeCredential(
        {
          clientDataJSON: clientData,
          rp: { id: rpId, ...(o.rpName ? { name: o.rpName } : {}) },
          user: {
            id: Buffer.from(o.userHandle, 'base64url'),
            name: o.userName ?? req.user.upn,
            displayName: o.userDisplayName ?? o.userName ?? req.user.upn,
          },
          algorithms: fresh.algorithms,
          excludeList: o.excludeCredentials.map((id) => ({ id: Buffer.from(id, 'base64url') })),
          residentKey: true,
        },
        req.signal,
      );
      const { registration, attested } = await verifiedAttestation(made, clientData, fresh);

      // Only now is the key's model known: its AAGUID, from the attestation we verified.
      const aaguid = attested.aaguid;
      if (keyRestrictionRefuses(req.policy, aaguid)) {
        leftOnKey = true;
        throw new ProvisionFailure({ code: 'policy.aaguid-blocked', params: { aaguid } });
      }
      if (now() >= expires) {
        if (attempt >= 2) throw new ProvisionFailure({ code: 'graph.challenge-expired', params: { requestId: o.requestId } });
        continue;
      }

      step('registering');
      const model = req.modelOf(aaguid);
      const displayName = keyDisplayName(model, new Date(now()));
      let method;
      try {
        method = await deps.graph.registerPasskey(req.user.id, { displayName, publicKeyCredential: registration }, req.signal);
      } catch (e) {
        if (isChallengeRefusal(e) && attempt < 2) continue;
        throw e;
      }
      registered = registeredRecord(req, method, { aaguid, model, credentialId: made.credentialId });

      // The proof: Windows asks for the PIN and a touch once more (UV required; its API has no silent assertion).
      step('windows-proof');
      const proofData = clientDataJSON('webauthn.get', b64url(randomBytes(32)), origin);
      const proof = await req.authenticator.getAssertion({ rpId, clientDataJSON: proofData, allowList: [{ id: made.credentialId }] }, req.signal);
      const proven = proofHolds(proof, { credentialId: made.credentialId, publicKey: attested.publicKey, rpId, clientDataHash: sha256(proofData) });
      const record = registered;
      registered = null; // journalled here, not again below
      await deps.journal.append(provisionedEvent(record, false, proven));
      if (!proven) return { ok: false, error: { code: 'proof.failed', params: { methodId: method.id } }, leftOnKey: false };
      step('done');
      return { ok: true, methodId: method.id, aaguid, model, displayName, credIdSha256: record.credIdSha256, attempts: attempt };
    }
  } catch (e) {
    // Windows chose or checked the PIN: the station knows no minimum but CTAP's own.
    const unproven = registered ? { record: registered, pinSetHere: false } : null;
    const error = await failedWith(deps.journal, req.enrollmentId, unproven, e, req.signal, (x) => toProvisionError(x, minimumPinLength(undefined, undefined)));
    return { ok: false, error, leftOnKey };
  }
}
