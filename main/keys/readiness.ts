/**
 * Will this key be accepted? One pure function from what the key told us (getInfo) and the tenant's
 * FIDO2 policy to a verdict with reasons, checked before a TAP is spent.
 *
 * What Microsoft asks of a key at registration (docs/reference/entra-graph.md, section 4.2):
 * a discoverable credential (`requireResidentKey: true`) and user verification (`userVerification:
 * "required"`), so the key needs `rk` and either a PIN (`clientPin`) or built-in verification (`uv`).
 * Reasons carry a stable code and parameters so the UI can translate them; `text` is the English.
 */
import type { GetInfoResult } from './ctap2/info';
import { modelFromAaguid } from './identity';

import type { Fido2KeyPolicy } from '../../common/keys';

export type { Fido2KeyPolicy };

/** What we know of the key: a getInfo result, or why we could not get one (e.g. Windows denied HID access). */
export type KeyFacts = GetInfoResult | { readonly kind: 'unavailable'; readonly detail?: string };

export type ReadinessVerdict = 'ready' | 'ready-with-note' | 'will-be-refused' | 'unknown';

/** ok: a check passed; note: worth telling the user; blocker: registration will fail; unknown: not checkable. */
export type ReasonSeverity = 'ok' | 'note' | 'blocker' | 'unknown';

export type ReadinessCode =
  | 'key-unreadable'
  | 'u2f-only'
  | 'fido2-capable'
  | 'discoverable-supported'
  | 'discoverable-unsupported'
  | 'key-full'
  | 'room-left'
  | 'pin-set'
  | 'pin-to-create'
  | 'built-in-verification'
  | 'no-user-verification'
  | 'pin-change-required'
  | 'biometric-enrolled'
  | 'biometric-capable'
  | 'policy-unreadable'
  | 'policy-disabled'
  | 'self-service-not-allowed'
  | 'aaguid-allowed'
  | 'aaguid-not-allowed'
  | 'aaguid-blocked'
  | 'restriction-unchecked'
  | 'attestation-required'
  | 'attestation-required-unlisted-model';

export interface ReadinessReason {
  readonly code: ReadinessCode;
  readonly severity: ReasonSeverity;
  /** English text for the operator and the user. */
  readonly text: string;
  /** Values the text mentions, for translated templates. */
  readonly params?: Readonly<Record<string, string | number>>;
}

export interface Readiness {
  readonly verdict: ReadinessVerdict;
  /** Every check made, in a stable order: key first, then policy. */
  readonly reasons: readonly ReadinessReason[];
}

const reason = (
  code: ReadinessCode,
  severity: ReasonSeverity,
  text: string,
  params?: Record<string, string | number>,
): ReadinessReason => (params ? { code, severity, text, params } : { code, severity, text });

/**
 * Judge a key against the tenant's policy.
 * @param key getInfo result (or `unavailable`); null means the same as unavailable
 * @param policy the tenant's FIDO2 policy; null when the operator may not read it (Graph 403)
 */
export function assessReadiness(key: KeyFacts | null, policy: Fido2KeyPolicy | null): Readiness {
  const reasons: ReadinessReason[] = [...keyReasons(key), ...policyReasons(key, policy)];
  return { verdict: verdictOf(reasons), reasons };
}

function verdictOf(reasons: readonly ReadinessReason[]): ReadinessVerdict {
  if (reasons.some((r) => r.severity === 'blocker')) return 'will-be-refused';
  if (reasons.some((r) => r.severity === 'unknown')) return 'unknown';
  if (reasons.some((r) => r.severity === 'note')) return 'ready-with-note';
  return 'ready';
}

function keyReasons(key: KeyFacts | null): ReadinessReason[] {
  if (key === null || key.kind === 'unavailable') {
    const detail = key?.detail;
    return [
      reason(
        'key-unreadable',
        'unknown',
        'The key could not be read, so it cannot be checked before registration.',
        detail ? { detail } : undefined,
      ),
    ];
  }
  if (key.kind === 'u2f-only' || !key.info.versions.some((v) => v.startsWith('FIDO_2'))) {
    return [
      reason(
        'u2f-only',
        'blocker',
        'This key only supports the older U2F standard. It cannot hold a passkey; use a FIDO2 key.',
      ),
    ];
  }

  const { info } = key;
  const opts = info.options;
  const out: ReadinessReason[] = [reason('fido2-capable', 'ok', 'The key supports FIDO2 passkeys.')];

  out.push(
    opts.rk === true
      ? reason('discoverable-supported', 'ok', 'The key can store a passkey on itself.')
      : reason(
          'discoverable-unsupported',
          'blocker',
          'The key cannot store a passkey on itself, which Microsoft requires. Use another key.',
        ),
  );

  const remaining = info.remainingDiscoverableCredentials;
  if (remaining === 0) {
    out.push(
      reason(
        'key-full',
        'blocker',
        'The key is full: it has no room for another passkey. Remove an old passkey from it, or use another key.',
        { remaining },
      ),
    );
  } else if (remaining !== undefined) {
    out.push(reason('room-left', 'ok', `The key has room for ${remaining} more passkey${remaining === 1 ? '' : 's'}.`, { remaining }));
  }

  if (opts.clientPin === true) {
    out.push(reason('pin-set', 'ok', 'The key has a PIN. The user will be asked for it.'));
  } else if (opts.clientPin === false) {
    out.push(reason('pin-to-create', 'note', 'The key has no PIN yet. The user will be asked to create one.'));
  } else if (opts.uv === true) {
    out.push(reason('built-in-verification', 'ok', 'The key verifies the user itself (for example by fingerprint).'));
  } else {
    out.push(
      reason(
        'no-user-verification',
        'blocker',
        'The key supports neither a PIN nor built-in verification, and Microsoft requires one. Use another key.',
      ),
    );
  }

  if (info.forcePINChange === true) {
    out.push(
      reason('pin-change-required', 'note', "The key's PIN must be changed first. The user will be asked for a new PIN."),
    );
  }

  const bio = opts.bioEnroll ?? opts.userVerificationMgmtPreview;
  if (bio === true) {
    out.push(reason('biometric-enrolled', 'ok', 'The key has a fingerprint enrolled.'));
  } else if (bio === false || opts.uvBioEnroll !== undefined) {
    out.push(
      reason('biometric-capable', 'ok', 'The key has a fingerprint reader. A fingerprint can be added later; the PIN is enough now.'),
    );
  }
  return out;
}

function policyReasons(key: KeyFacts | null, policy: Fido2KeyPolicy | null): ReadinessReason[] {
  if (policy === null) {
    return [
      reason(
        'policy-unreadable',
        'note',
        "The tenant's passkey policy could not be read (no permission), so its key restrictions were not checked.",
      ),
    ];
  }
  const out: ReadinessReason[] = [];
  if (policy.state !== 'enabled') {
    out.push(reason('policy-disabled', 'blocker', 'Passkeys (FIDO2 security keys) are turned off in this organisation.'));
  }
  if (!policy.isSelfServiceRegistrationAllowed) {
    out.push(
      reason('self-service-not-allowed', 'blocker', 'This organisation does not let users register security keys themselves.'),
    );
  }

  const aaguid = key?.kind === 'fido2' ? key.info.aaguid.toLowerCase() : null;
  const restrictions = policy.keyRestrictions;
  if (restrictions?.isEnforced) {
    const listed = aaguid !== null && restrictions.aaGuids.some((g) => g.toLowerCase() === aaguid);
    if (aaguid === null) {
      // A U2F-only key is refused anyway; for an unreadable key the list cannot be checked.
      if (key?.kind !== 'u2f-only') {
        out.push(
          reason(
            'restriction-unchecked',
            'unknown',
            'This organisation only accepts certain key models, and this key could not be identified to check.',
          ),
        );
      }
    } else if (restrictions.enforcementType === 'allow') {
      out.push(
        listed
          ? reason('aaguid-allowed', 'ok', "This key model is on the organisation's list of allowed keys.", { aaguid })
          : reason('aaguid-not-allowed', 'blocker', "This key model is not on the organisation's list of allowed keys.", {
              aaguid,
            }),
      );
    } else if (listed) {
      out.push(reason('aaguid-blocked', 'blocker', 'This organisation blocks this key model.', { aaguid }));
    }
  }

  if (policy.isAttestationEnforced) {
    const listedModel = aaguid === null ? null : modelFromAaguid(aaguid);
    out.push(
      aaguid !== null && listedModel?.source !== 'aaguids'
        ? reason(
            'attestation-required-unlisted-model',
            'note',
            'The organisation requires keys to prove their make and model, and this model is not in the public list of certified keys. Microsoft may refuse it.',
            { aaguid },
          )
        : reason('attestation-required', 'note', 'The organisation requires keys to prove their make and model (attestation).'),
    );
  }
  return out;
}
