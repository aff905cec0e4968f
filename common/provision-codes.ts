/**
 * Provisioning at the desk (main/provision/): why the person's passkey could not be made, registered or proven;
 * recycling a returned key; why a way of enrolling cannot be chosen. Every CTAP status the key can answer maps to
 * one of the `key.*` codes (main/provision/errors.ts); each says what the person or the operator does next. Written
 * like every set of codes (coded.ts); the renderer's locale files word each.
 */
import { z } from 'zod';
import { aaguid, codesOf, none, type CodeSchemas, type Coded } from './coded';

const graphRef = z.strictObject({ requestId: z.string().nullable() });

export const PROVISION_ERRORS = {
  // The new PIN, checked before anything is sent (main/provision/pin-rules.ts).
  /** Shorter than the key's and the policy's minimum (`min`, characters). */
  'pin.too-short': z.strictObject({ min: z.int().min(4) }),
  /** Longer than CTAP's 63 bytes. */
  'pin.too-long': none,
  /** Every character the same (111111). */
  'pin.all-same': none,
  /** A simple sequence (123456, 987654). */
  'pin.sequence': none,
  /** The two entries differ. */
  'pin.mismatch': none,
  // The audit journal cannot record (probed before anything is done): nothing was done.
  'journal.full': none,
  'journal.read-only': none,
  'journal.unwritable': none,
  // The key (CTAP 2.1 statuses and the transport).
  /** Wrong PIN; `retries`: tries left when the key said. */
  'key.wrong-pin': z.strictObject({ retries: z.int().min(0).nullable() }),
  /** No tries left: only a reset of the key (which erases it) helps. */
  'key.pin-blocked': none,
  /** Three wrong PINs since plug-in: unplug, plug back in, try again. */
  'key.pin-auth-blocked': none,
  /** The key refused the new PIN under its own policy (`min`: the minimum the station knew). */
  'key.pin-policy': z.strictObject({ min: z.int().min(4) }),
  /** The key has no PIN although the station thought it had: set one. */
  'key.pin-not-set': none,
  /** The key demands a new PIN before use (forcePINChange). */
  'key.pin-change-required': none,
  /** The key already holds a passkey registered for this person (CREDENTIAL_EXCLUDED). */
  'key.already-registered': none,
  /** No room on the key for another passkey. */
  'key.full': none,
  /** The key refused (declined on the key, or OPERATION_DENIED). */
  'key.denied': none,
  /** Nobody touched the key in time. */
  'key.no-touch': none,
  /** Windows' own security-key dialog (webauthn.dll) was cancelled or closed: nothing was made or registered. */
  'key.dialog-cancelled': none,
  /** The key was unplugged (or stopped answering) during the operation. */
  'key.unplugged': none,
  /** The key does not allow this now (NOT_ALLOWED). */
  'key.not-allowed': none,
  /** The key lacks a feature provisioning needs (an algorithm, resident keys, a PIN protocol). */
  'key.unsupported': none,
  /** Any other status or a malformed answer: `status` is the CTAP status name or `response`. */
  'key.error': z.strictObject({ status: z.string().max(40) }),
  // The station's own checks.
  /** The key's AAGUID is not allowed by the passkey policy: nothing was made on the key. */
  'policy.aaguid-blocked': aaguid,
  /** The attestation the key made did not verify (wrong RP, challenge or signature): nothing was registered. */
  'attestation.invalid': none,
  /** Registered, but the key could not prove it (the assertion failed or did not verify): the method stays. */
  'proof.failed': z.strictObject({ methodId: z.string() }),
  // Microsoft Graph.
  /** Passkeys are not for guests (internal or external). */
  'graph.guest': graphRef,
  /** The passkey policy refuses (not enabled, not targeted, self-service setup off). */
  'graph.policy': graphRef,
  /** The policy refuses this key model or unattested keys. */
  'graph.key-refused': graphRef,
  /** Twice in a row the challenge ran out before Microsoft had the attestation. */
  'graph.challenge-expired': graphRef,
  /** The operator's role or the app's permission does not allow provisioning for this person. */
  'graph.forbidden': graphRef,
  /** Any other refusal or failure (network, throttling, timeout). */
  'graph.failed': z.strictObject({ requestId: z.string().nullable(), kind: z.string().max(40) }),
} as const satisfies CodeSchemas;
export type ProvisionErrorCode = keyof typeof PROVISION_ERRORS;
export const PROVISION_ERROR_CODES = codesOf(PROVISION_ERRORS);
export type ProvisionError = Coded<typeof PROVISION_ERRORS>;
/**
 * Recycling a returned key at the desk (main/provision/recycle.ts): authenticatorReset erases every credential and
 * the PIN, and keys accept it only within seconds of power-up, so the operator unplugs it, plugs it back in and
 * touches it. `done` is the one success; every other code says what to do next.
 */
export const RECYCLE_OUTCOMES = {
  /** Reset: no PIN, no passkeys on the key any more. */
  'recycle.done': none,
  /** The touch came later than the key allows after plug-in (NOT_ALLOWED): unplug and try again, faster. */
  'recycle.too-late': z.strictObject({ seconds: z.int().min(1) }),
  /** The key was not unplugged and plugged back in within `seconds`: try again. */
  'recycle.not-replugged': z.strictObject({ seconds: z.int().min(1) }),
  /** Nobody touched the key in time. */
  'recycle.no-touch': none,
  /** The key refused the reset (declined on the key, OPERATION_DENIED). */
  'recycle.denied': none,
  /** The key cannot be reset this way (no CTAP2 reset, a U2F-only key): use the vendor's tool. */
  'recycle.unsupported': none,
  /** The key went during the reset, or more than one key was plugged in. */
  'recycle.unplugged': none,
  /** The audit journal cannot record: nothing was done. */
  'recycle.journal': none,
  /** Any other status or answer: `status` is the CTAP status name. */
  'recycle.error': z.strictObject({ status: z.string().max(40) }),
} as const satisfies CodeSchemas;
export type RecycleOutcomeCode = keyof typeof RECYCLE_OUTCOMES;
export const RECYCLE_OUTCOME_CODES = codesOf(RECYCLE_OUTCOMES);
export type RecycleOutcome = Coded<typeof RECYCLE_OUTCOMES>;
/** Why a way of enrolling cannot be chosen for this person now (the mode choice explains itself). */
export const MODE_REASON_CODES = [
  'mode.disabled',
  'mode.no-key',
  'mode.key-unreadable',
  'mode.key-without-pin',
  'mode.refused',
  'mode.event-disallows',
] as const;
export type ModeReasonCode = (typeof MODE_REASON_CODES)[number];
