/**
 * Will this key be accepted? One pure function from what the key told us (getInfo) and the tenant's
 * FIDO2 policy to a verdict with reasons, checked before a TAP is spent.
 *
 * What Microsoft asks of a key at registration (docs/reference/entra-graph.md, section 4.2):
 * a discoverable credential (`requireResidentKey: true`) and user verification (`userVerification:
 * "required"`), so the key needs `rk` and either a PIN (`clientPin`) or built-in verification (`uv`).
 * Reasons are codes with typed parameters (common/codes.ts READINESS_REASONS); the renderer words them.
 */
import type { GetInfoResult } from './ctap2/info';
import { modelFromAaguid } from './identity';

import type { ReadinessCode, ReadinessReason, ReasonSeverity } from '../../common/codes';
import type { Fido2KeyPolicy } from '../../common/keys';

export type { Fido2KeyPolicy };

/** What we know of the key: a getInfo result, or why we could not get one (e.g. Windows denied HID access). */
export type KeyFacts = GetInfoResult | { readonly kind: 'unavailable'; readonly detail?: string };

export type ReadinessVerdict = 'ready' | 'ready-with-note' | 'will-be-refused' | 'unknown';

/** ok: a check passed; note: worth telling the user; blocker: registration will fail; unknown: not checkable. */
export type { ReadinessCode, ReadinessReason, ReasonSeverity };

export interface Readiness {
  readonly verdict: ReadinessVerdict;
  /** Every check made, in a stable order: key first, then policy. */
  readonly reasons: readonly ReadinessReason[];
}

/** One reason; `params` as common/codes.ts types them for `code`. */
function reason<C extends ReadinessCode>(
  code: C,
  severity: ReasonSeverity,
  ...params: Extract<ReadinessReason, { code: C }>['params'] extends Record<string, never> ? [] : [Extract<ReadinessReason, { code: C }>['params']]
): ReadinessReason {
  return { code, severity, params: params[0] ?? {} } as ReadinessReason;
}

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
  // An unreadable key's detail (the HID or CTAP error) is for the log, not for the screen.
  if (key === null || key.kind === 'unavailable') return [reason('key-unreadable', 'unknown')];
  if (key.kind === 'u2f-only' || !key.info.versions.some((v) => v.startsWith('FIDO_2'))) {
    // Only the older U2F standard: it cannot hold a passkey.
    return [reason('u2f-only', 'blocker')];
  }

  const { info } = key;
  const opts = info.options;
  const out: ReadinessReason[] = [reason('fido2-capable', 'ok')];

  // Microsoft requires a discoverable credential (a passkey stored on the key).
  out.push(opts.rk === true ? reason('discoverable-supported', 'ok') : reason('discoverable-unsupported', 'blocker'));

  const remaining = info.remainingDiscoverableCredentials;
  if (remaining === 0) {
    out.push(reason('key-full', 'blocker', { remaining }));
  } else if (remaining !== undefined) {
    out.push(reason('room-left', 'ok', { remaining }));
  }

  // Microsoft requires user verification: a PIN (set now, or created at registration) or built-in verification.
  if (opts.clientPin === true) {
    out.push(reason('pin-set', 'ok'));
  } else if (opts.clientPin === false) {
    out.push(reason('pin-to-create', 'note'));
  } else if (opts.uv === true) {
    out.push(reason('built-in-verification', 'ok'));
  } else {
    out.push(reason('no-user-verification', 'blocker'));
  }

  if (info.forcePINChange === true) out.push(reason('pin-change-required', 'note'));

  const bio = opts.bioEnroll ?? opts.userVerificationMgmtPreview;
  if (bio === true) {
    out.push(reason('biometric-enrolled', 'ok'));
  } else if (bio === false || opts.uvBioEnroll !== undefined) {
    // A fingerprint reader without a fingerprint: one can be added later, the PIN is enough now.
    out.push(reason('biometric-capable', 'ok'));
  }
  return out;
}

function policyReasons(key: KeyFacts | null, policy: Fido2KeyPolicy | null): ReadinessReason[] {
  // No permission to read the policy: its key restrictions were not checked.
  if (policy === null) return [reason('policy-unreadable', 'note')];
  const out: ReadinessReason[] = [];
  if (policy.state !== 'enabled') out.push(reason('policy-disabled', 'blocker'));
  if (!policy.isSelfServiceRegistrationAllowed) out.push(reason('self-service-not-allowed', 'blocker'));

  const aaguid = key?.kind === 'fido2' ? key.info.aaguid.toLowerCase() : null;
  const restrictions = policy.keyRestrictions;
  if (restrictions?.isEnforced) {
    const listed = aaguid !== null && restrictions.aaGuids.some((g) => g.toLowerCase() === aaguid);
    if (aaguid === null) {
      // A U2F-only key is refused anyway; for an unreadable key the list cannot be checked.
      if (key?.kind !== 'u2f-only') out.push(reason('restriction-unchecked', 'unknown'));
    } else if (restrictions.enforcementType === 'allow') {
      out.push(listed ? reason('aaguid-allowed', 'ok', { aaguid }) : reason('aaguid-not-allowed', 'blocker', { aaguid }));
    } else if (listed) {
      out.push(reason('aaguid-blocked', 'blocker', { aaguid }));
    }
  }

  if (policy.isAttestationEnforced) {
    // The key must prove its make and model; a model missing from the public list of certified keys (MDS) may
    // be refused.
    const listedModel = aaguid === null ? null : modelFromAaguid(aaguid);
    out.push(
      aaguid !== null && listedModel?.source !== 'aaguids'
        ? reason('attestation-required-unlisted-model', 'note', { aaguid })
        : reason('attestation-required', 'note'),
    );
  }
  return out;
}
