/**
 * Provisioning at the desk: the person's passkey made on the key at the station, with their own PIN, registered
 * on their behalf through Graph, and proven before they leave.
 *
 *   policy check (AAGUID) → [setPIN, for a key without one] → creationOptions (just in time) → pinUvAuthToken
 *   (mc) → clientDataJSON {webauthn.create, challenge, origin https:// + the RP id Graph named} → makeCredential
 *   (resident, UV, excludeList) → the attestation verified here (@simplewebauthn/server) → POST fido2Methods
 *   (display name: model and date, ≤ 30 characters) → a second token (ga) → getAssertion with up=false on a
 *   fresh local challenge, verified against the new credential's public key → audit `key.provisioned`.
 *
 * Why a second token: makeCredential clears the token's permissions once the user was present (CTAP 2.1 §6.1.2
 * step 16, "clearPinUvAuthTokenPermissionsExceptLbw"; OpenSK token_state.rs), so a token asked for with mc+ga up
 * front is used up for the proof as well (test/keys/ctap2/client.test.ts shows it). The PIN bytes are kept (in
 * the one buffer the caller handed over) until the second token is had, then overwritten: no second PIN entry,
 * and `up: false` costs no second touch.
 *
 * The challenge: fetched right before the PIN token; when less than `challengeMarginMs` of it is left a new one
 * is fetched. When it ran out while the key waited for the touch (the station's clock says so, or Graph refuses
 * the challenge), the flow starts once more from new options (one more touch); twice in a row is
 * `graph.challenge-expired`.
 *
 * Operator-set PIN (`forceChangePin`): the PIN is kept until after the proof, then a token with acfg sets
 * forceChangePin (authenticatorConfig), where getInfo offers authnrCfg and setMinPINLength.
 *
 * Secrets: the PIN (and its confirmation) are bytes the caller hands over and this function overwrites before it
 * returns, whatever happens; no message, error, step or audit field is built from them. Tokens are wiped.
 */
import { randomBytes } from 'node:crypto';
import { ClientPin, PinPermission, type PinUvAuthToken } from '../keys/ctap2/client-pin';
import { getAssertion } from '../keys/ctap2/get-assertion';
import { forceChangePin, supportsSetMinPinLength } from '../keys/ctap2/config';
import type { AuthenticatorInfo } from '../keys/ctap2/info';
import { type MakeCredentialResult, makeCredential } from '../keys/ctap2/make-credential';
import { choosePinProtocol } from '../keys/ctap2/pin-protocol';
import type { Ctap2Session } from '../keys/ctap2/session';
import { Ctap2Error, Ctap2Status } from '../keys/ctap2/status';
import type { PasskeyProvisioningCalls } from '../directory/methods';
import type { ProvisionError } from '../../common/provision-codes';
import type { Fido2KeyPolicy } from '../../common/keys';
import { ProvisionFailure, isChallengeRefusal, toProvisionError } from './errors';
import { checkNewPin, minimumPinLength } from './pin-rules';
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

export { keyDisplayName } from './registration';

export type ProvisionStep = 'checking' | 'setting-pin' | 'options' | 'verifying-pin' | 'touch' | 'registering' | 'proving' | 'done';

export interface ProvisionDeps {
  graph: PasskeyProvisioningCalls;
  /** `probe` (audit/journal.ts): asked first; unless the journal can be written nothing is done (`journal.*`). */
  journal: ProvisionJournal;
  /** The station's clock (ms). */
  now?: () => number;
  /** A challenge with less than this left is fetched again before the PIN is used. Default 60 s. */
  challengeMarginMs?: number;
}

export interface ProvisionRequest {
  enrollmentId: string;
  operator: { id: string; upn: string };
  user: { id: string; upn: string };
  key: { session: Ctap2Session; info: AuthenticatorInfo; model: string };
  /** The person's PIN as UTF-8 bytes. Overwritten before this returns. */
  pin: Uint8Array;
  /** For a key without a PIN: the second entry (overwritten too). Ignored for a key that has a PIN. */
  pinConfirm?: Uint8Array;
  /** The tenant's passkey policy when the operator's role could read it: its key restrictions are checked first. */
  policy?: Fido2KeyPolicy | null;
  /** A PIN length the station's configuration requires on top of the key's own minimum. */
  policyMinPinLength?: number;
  /**
   * The operator set a random PIN for someone not at the desk (random-pin.ts): once proven, the key is told to
   * demand a new PIN at first use (forceChangePin) where it supports it. Only for a key without a PIN.
   */
  forceChangePin?: boolean;
  /** Each step as it starts (`touch`: the key waits for a touch, live from the keepalive). */
  onStep?: (step: ProvisionStep) => void;
  signal?: AbortSignal;
}

export interface Provisioned {
  ok: true;
  methodId: string;
  aaguid: string;
  model: string;
  displayName: string;
  /** SHA-256 (hex) of the credential id: what the audit record holds. */
  credIdSha256: string;
  pinSetHere: boolean;
  /** How many times the key was asked to make the credential (2 when the challenge ran out once). */
  attempts: number;
  /** `forceChangePin` asked for: whether the key now demands a new PIN at first use (false: it cannot). */
  pinChangeForced: boolean;
}

export type ProvisionOutcome = Provisioned | { ok: false; error: ProvisionError; pinSetHere: boolean };

export async function provisionKey(deps: ProvisionDeps, req: ProvisionRequest): Promise<ProvisionOutcome> {
  const now = deps.now ?? Date.now;
  const margin = deps.challengeMarginMs ?? 60_000;
  const { info, session } = req.key;
  const step = (s: ProvisionStep) => req.onStep?.(s);
  const hasPin = info.options['clientPin'] === true;
  const minPin = minimumPinLength(info.minPINLength, req.policyMinPinLength);
  const options = req.signal ? { signal: req.signal } : {};
  const tokens: PinUvAuthToken[] = [];
  let pinSetHere = false;
  /** Once Graph has the passkey: what the audit record needs should the proof fail. */
  let registered: RegisteredRecord | null = null;
  const journalProvisioned = (r: RegisteredRecord, proven: boolean) => deps.journal.append(provisionedEvent(r, pinSetHere, proven));

  const token = async (cp: ClientPin, permissions: number, rpId: string): Promise<PinUvAuthToken> => {
    // CTAP 2.1 keys (option pinUvAuthToken) scope a token to permissions and an RP; CTAP 2.0 keys know getPinToken.
    const t = info.options['pinUvAuthToken'] ? await cp.getPinUvAuthTokenUsingPin(req.pin, permissions, rpId, options) : await cp.getPinToken(req.pin, options);
    tokens.push(t);
    return t;
  };

  try {
    step('checking');
    // A passkey the journal could not record must not be made: refuse before the key or Graph is touched.
    await journalWritable(deps.journal);
    if (keyRestrictionRefuses(req.policy, info.aaguid)) throw new ProvisionFailure({ code: 'policy.aaguid-blocked', params: { aaguid: info.aaguid } });
    if (info.options['rk'] !== true || info.options['clientPin'] === undefined) throw new ProvisionFailure({ code: 'key.unsupported', params: {} });
    if (hasPin && info.forcePINChange) throw new ProvisionFailure({ code: 'key.pin-change-required', params: {} });
    const cp = new ClientPin(session, choosePinProtocol(info.pinUvAuthProtocols));

    if (!hasPin) {
      const problem = checkNewPin(req.pin, req.pinConfirm ?? new Uint8Array(0), minPin);
      if (problem) throw new ProvisionFailure(problem);
      step('setting-pin');
      await cp.setPin(req.pin, options);
      pinSetHere = true;
    }

    for (let attempt = 1; ; attempt++) {
      step('options');
      const fresh = await freshOptions(deps.graph, req.user.id, now, margin, req.signal);
      const { options: o, expires, origin } = fresh;
      const rpId = o.rpId;

      step('verifying-pin');
      const mc = await token(cp, PinPermission.MakeCredential, rpId);
      const clientData = clientDataJSON('webauthn.create', o.challenge, origin);
      let touchAsked = false;
      const made: MakeCredentialResult = await makeCredential(
        session,
        {
          clientDataHash: sha256(clientData),
          rp: { id: rpId, ...(o.rpName ? { name: o.rpName } : {}) },
          user: {
            id: Buffer.from(o.userHandle, 'base64url'),
            name: o.userName ?? req.user.upn,
            displayName: o.userDisplayName ?? o.userName ?? req.user.upn,
          },
          algorithms: fresh.algorithms,
          excludeList: o.excludeCredentials.map((id) => ({ id: Buffer.from(id, 'base64url') })),
          residentKey: true,
          token: mc,
        },
        {
          ...options,
          onTouchNeeded: () => {
            if (!touchAsked) step('touch');
            touchAsked = true;
          },
        },
      );

      // Our own check of what the key made, before Microsoft sees it: RP, challenge, origin, UP+UV, signature.
      const { registration, attested } = await verifiedAttestation(made, clientData, fresh);

      // The challenge ran out while the key waited for the touch: Microsoft would refuse it. Start once more.
      if (now() >= expires) {
        if (attempt >= 2) throw new ProvisionFailure({ code: 'graph.challenge-expired', params: { requestId: o.requestId } });
        continue;
      }

      step('registering');
      const aaguid = attested.aaguid;
      const model = req.key.model;
      const displayName = keyDisplayName(model, new Date(now()));
      let method;
      try {
        method = await deps.graph.registerPasskey(req.user.id, { displayName, publicKeyCredential: registration }, req.signal);
      } catch (e) {
        if (isChallengeRefusal(e) && attempt < 2) continue;
        throw e;
      }
      registered = registeredRecord(req, method, { aaguid, model, credentialId: made.credentialId });
      const credIdSha256 = registered.credIdSha256;

      // The proof: a fresh token (the first one is used up), a local challenge, no touch where the key allows it.
      step('proving');
      const ga = await token(cp, PinPermission.GetAssertion, rpId);
      const forceChange = req.forceChangePin === true && pinSetHere && supportsSetMinPinLength(info);
      if (!forceChange) req.pin.fill(0);
      const proofHash = sha256(clientDataJSON('webauthn.get', b64url(randomBytes(32)), origin));
      const assert = (userPresence: boolean) =>
        getAssertion(
          session,
          { rpId, clientDataHash: proofHash, allowList: [{ id: made.credentialId }], userPresence, token: ga },
          { ...options, onTouchNeeded: () => step('touch') },
        );
      const proof = await assert(false).catch((e: unknown) => {
        // A key that refuses a silent assertion signs with a touch instead.
        if (e instanceof Ctap2Error && (e.status === Ctap2Status.InvalidOption || e.status === Ctap2Status.UnsupportedOption)) return assert(true);
        throw e;
      });
      const proven = proofHolds(proof, { credentialId: made.credentialId, publicKey: attested.publicKey, rpId, clientDataHash: proofHash });
      const record = registered;
      registered = null; // journalled here, not again in the catch below
      await journalProvisioned(record, proven);
      if (!proven) return { ok: false, error: { code: 'proof.failed', params: { methodId: method.id } }, pinSetHere };
      // A new token (asking for one ends the last) with acfg; a key that refuses leaves the person to change it.
      const pinChangeForced =
        forceChange &&
        (await token(cp, PinPermission.AuthenticatorConfig, rpId)
          .then((acfg) => forceChangePin(session, acfg, options))
          .then(
            () => true,
            () => false,
          ));
      step('done');
      return { ok: true, methodId: method.id, aaguid, model, displayName, credIdSha256, pinSetHere, attempts: attempt, pinChangeForced };
    }
  } catch (e) {
    // Registered at Microsoft but not proven (the key failed or went during the proof): the record says so.
    const unproven = registered ? { record: registered, pinSetHere } : null;
    const error = await failedWith(deps.journal, req.enrollmentId, unproven, e, req.signal, (x) => toProvisionError(x, minPin));
    return { ok: false, error, pinSetHere };
  } finally {
    req.pin.fill(0);
    req.pinConfirm?.fill(0);
    for (const t of tokens) t.wipe();
  }
}
