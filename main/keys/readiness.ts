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
import type { Fido2KeyPolicy, KeyRestrictions } from '../../common/keys';

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
 * @param userId the person's id, to find the passkey profiles that apply to them (`keyRulesFor`)
 */
export function assessReadiness(key: KeyFacts | null, policy: Fido2KeyPolicy | null, userId?: string): Readiness {
  const reasons: ReadinessReason[] = [...keyReasons(key), ...policyReasons(key, policy, userId)];
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

function policyReasons(key: KeyFacts | null, policy: Fido2KeyPolicy | null, userId: string | undefined): ReadinessReason[] {
  // No permission to read the policy: its key restrictions were not checked.
  if (policy === null) return [reason('policy-unreadable', 'note')];
  const out: ReadinessReason[] = [];
  if (policy.state !== 'enabled') out.push(reason('policy-disabled', 'blocker'));
  if (!policy.isSelfServiceRegistrationAllowed) out.push(reason('self-service-not-allowed', 'blocker'));
  return [...out, ...judgeAgainstRules(key, keyRulesFor(policy, userId))];
}

// ---------------------------------------------------------------------------------------------------------------
// The key rules that apply to a person: the legacy top-level form, or the passkey profiles of the include targets
// that cover them (common/keys.ts says where each form comes from).

/** One set of key rules: the legacy top-level settings (`profile` null) or one passkey profile. */
export interface KeyRule {
  /** The profile's name (else its id); null for the legacy form. */
  readonly profile: string | null;
  readonly attestation: 'enforced' | 'not-enforced' | 'unknown';
  readonly restrictions: KeyRestrictions | null | 'unknown';
  /** Whether the rule admits device-bound passkeys (a security key is one). */
  readonly deviceBound: 'allowed' | 'not-allowed' | 'unknown';
}

export interface KeyRules {
  readonly form: 'legacy' | 'profiles';
  /** Rules that certainly apply to the person (`all_users`, or the person named as a target). */
  readonly certain: readonly KeyRule[];
  /** Rules of group targets: they apply if the person is a member, which the station cannot see. */
  readonly possible: readonly KeyRule[];
}

const UNKNOWN_RULE = (profile: string): KeyRule => ({ profile, attestation: 'unknown', restrictions: 'unknown', deviceBound: 'unknown' });

/**
 * The rules that apply to the person `userId` (undefined: not known, so only `all_users` certainly applies).
 * Passkey profiles win when the answer has any (a tenant migrated to them); otherwise the legacy form. A target
 * without `allowedPasskeyProfiles` is read as allowing the default profile (an assumption: Microsoft Learn does
 * not say; the default profile "initially mirrors the tenant's legacy global passkey settings").
 */
export function keyRulesFor(policy: Fido2KeyPolicy, userId?: string): KeyRules {
  const profiles = policy.passkeyProfiles ?? [];
  if (profiles.length === 0) {
    const attestation = policy.isAttestationEnforced === true ? 'enforced' : policy.isAttestationEnforced === false ? 'not-enforced' : 'unknown';
    // Legacy: absent or null restrictions restrict nothing (Graph's own default is "not enforced").
    return { form: 'legacy', certain: [{ profile: null, attestation, restrictions: policy.keyRestrictions ?? null, deviceBound: 'allowed' }], possible: [] };
  }
  const byId = new Map(profiles.map((p) => [p.id.toLowerCase(), p]));
  const ruleOf = (id: string): KeyRule => {
    const p = byId.get(id.toLowerCase());
    if (!p) return UNKNOWN_RULE(id);
    const types = p.passkeyTypes;
    return {
      profile: p.name ?? p.id,
      attestation: p.attestationEnforcement === 'registrationOnly' ? 'enforced' : p.attestationEnforcement === 'disabled' ? 'not-enforced' : 'unknown',
      restrictions: p.keyRestrictions,
      deviceBound: types === null ? 'unknown' : types.includes('deviceBound') ? 'allowed' : types.includes('unknownFutureValue') ? 'unknown' : 'not-allowed',
    };
  };
  const fallback = policy.defaultPasskeyProfile ? [policy.defaultPasskeyProfile] : [];
  const certain = new Map<string, KeyRule>();
  const possible = new Map<string, KeyRule>();
  const targets = policy.includeTargets;
  if (targets === undefined) {
    // The answer did not say whom each profile covers: any of them may apply.
    for (const p of profiles) possible.set(p.id.toLowerCase(), ruleOf(p.id));
  }
  for (const t of targets ?? []) {
    const ids = t.allowedPasskeyProfiles && t.allowedPasskeyProfiles.length > 0 ? t.allowedPasskeyProfiles : fallback;
    const covers =
      t.id === 'all_users' || (t.targetType === 'user' && userId !== undefined && t.id === userId) ? certain : t.targetType === 'user' ? null : possible;
    if (covers === null) continue;
    if (ids.length === 0) covers.set(`?${t.id}`, UNKNOWN_RULE(t.id));
    for (const id of ids) covers.set(id.toLowerCase(), ruleOf(id));
  }
  for (const id of certain.keys()) possible.delete(id);
  return { form: 'profiles', certain: [...certain.values()], possible: [...possible.values()] };
}

type Outcome = 'accepts' | 'refuses' | 'unknown';
const outcomeOf = (reasons: readonly ReadinessReason[]): Outcome =>
  reasons.some((r) => r.severity === 'blocker') ? 'refuses' : reasons.some((r) => r.severity === 'unknown') ? 'unknown' : 'accepts';

/**
 * The key against the rules that apply. With several passkey profiles, a key any applicable profile accepts is
 * accepted (an assumption: Microsoft Learn describes profiles per group, not how two that cover one person
 * combine); with profiles that may apply by group membership and disagree on this key, the verdict is unknown.
 */
function judgeAgainstRules(key: KeyFacts | null, rules: KeyRules): ReadinessReason[] {
  const judged = (rule: KeyRule): ReadinessReason[] => {
    const reasons = judgeRule(key, rule);
    return rule.profile === null || rules.form === 'legacy' ? reasons : [reason('passkey-profile', 'ok', { profile: rule.profile }), ...reasons];
  };
  const certain = rules.certain.map(judged);
  const all = [...certain, ...rules.possible.map(judged)];
  if (all.length === 0) return [reason('policy-rule-unknown', 'unknown')];
  const accepting = certain.find((r) => outcomeOf(r) === 'accepts');
  if (accepting) return accepting;
  const outcomes = all.map(outcomeOf);
  if (outcomes.every((o) => o === outcomes[0])) return all[0] ?? [];
  return [reason('passkey-profiles-differ', 'unknown')];
}

function judgeRule(key: KeyFacts | null, rule: KeyRule): ReadinessReason[] {
  const out: ReadinessReason[] = [];
  const aaguid = key?.kind === 'fido2' ? key.info.aaguid.toLowerCase() : null;
  // A security key is a device-bound passkey (passkeyTypes, Microsoft Learn "passkeyProfile resource type").
  if (rule.deviceBound === 'not-allowed') out.push(reason('device-bound-not-allowed', 'blocker'));
  else if (rule.deviceBound === 'unknown') out.push(reason('policy-rule-unknown', 'unknown'));

  const restrictions = rule.restrictions;
  if (restrictions === 'unknown') {
    out.push(reason('policy-rule-unknown', 'unknown'));
  } else if (restrictions !== null && restrictions.isEnforced !== false) {
    const type = restrictions.enforcementType;
    if (restrictions.isEnforced === null || type === null || type === 'unknownFutureValue') {
      // Enforced (or maybe) in a way this station does not know: not judged, never guessed.
      out.push(reason('policy-rule-unknown', 'unknown'));
    } else if (aaguid === null) {
      // A U2F-only key is refused anyway; for an unreadable key the list cannot be checked.
      if (key?.kind !== 'u2f-only') out.push(reason('restriction-unchecked', 'unknown'));
    } else {
      const listed = restrictions.aaGuids.some((g) => g.toLowerCase() === aaguid);
      if (type === 'allow') out.push(listed ? reason('aaguid-allowed', 'ok', { aaguid }) : reason('aaguid-not-allowed', 'blocker', { aaguid }));
      else if (listed) out.push(reason('aaguid-blocked', 'blocker', { aaguid }));
    }
  }

  if (rule.attestation === 'enforced') {
    // The key must prove its make and model; a model missing from the public list of certified keys (MDS) may
    // be refused.
    const listedModel = aaguid === null ? null : modelFromAaguid(aaguid);
    out.push(
      aaguid !== null && listedModel?.source !== 'aaguids'
        ? reason('attestation-required-unlisted-model', 'note', { aaguid })
        : reason('attestation-required', 'note'),
    );
  } else if (rule.attestation === 'unknown') {
    out.push(reason('policy-rule-unknown', 'unknown'));
  }
  // One "unknown setting" reason is enough.
  return out.filter((r, i) => r.code !== 'policy-rule-unknown' || out.findIndex((o) => o.code === 'policy-rule-unknown') === i);
}
