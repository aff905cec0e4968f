/**
 * Pre-flight: before a TAP is spent, one pure function from what we already know to a list of checks the
 * operator can read, the lifetime and one-time choice to request, and a verdict.
 *
 * What Graph does not tell us cheaply, and how it is judged (the issue is silent; these are decisions):
 * - **The operator's role against this user.** A Privileged Authentication Administrator may act on anyone
 *   but themself (`pass`); an operator with no issuing role `fail`s. An Authentication Administrator may act
 *   on members only, not on admins nor members of role-assignable groups — and neither the target's roles
 *   nor its group memberships are on the identity card (reading them costs extra Graph calls per person).
 *   So that check ends `unknown`, and a 403 from the create call is mapped to "your role may not act on
 *   this user" instead.
 * - **Policy targets.** TAP and passkey policies target groups; membership is not on the card. `all_users`
 *   or a direct user target is a `pass`, a direct user exclusion a `fail`, anything else `unknown` (Graph
 *   refuses the pass with "Converged UserCredentialPolicy does not allow…", which is mapped at creation).
 *   Excluded groups cannot be checked either: with any, the check is `unknown`, never `pass`.
 * - **Passkey profiles.** The key is judged against the profile(s) the person gets (keys/readiness.ts
 *   `keyRulesFor`): those of `all_users` or of a target naming the person certainly apply; a group target's may.
 *   Profiles that may apply and disagree on this key leave it `unknown`; a setting the station does not know
 *   (`unknownFutureValue`, a missing profile, neither form in the answer) is `unknown` too, never a refusal.
 * - **A policy the operator may not read (403).** The check says so (`unknown`) and never blocks.
 * - **Lifetime.** Default: the station's configured value, else the shortest the policy allows, never
 *   under 10 minutes. When the policy is unreadable the bounds are Graph's own (10..43200) and the check is
 *   `unknown`: Graph will refuse a lifetime outside the tenant's range.
 *
 * - **The audit journal.** Probed at each pre-flight (a write proven, audit/journal.ts `probe`) and followed after
 *   (every write's outcome): unless it is writable the check fails, so nothing is spent that it could not record.
 *
 * Only `fail` blocks (verdict `refused`); `warn` and `unknown` are shown and the operator decides.
 */
import type { IdentityCard, PolicyRead, TapPolicy } from '../../common/directory';
import { TAP_LIFETIME_BOUNDS } from '../config/schema';
import { assessReadiness, type Fido2KeyPolicy, type KeyFacts, type ReadinessVerdict } from '../keys/readiness';
import type { KeyWatcherState, PresentKey } from '../keys/watcher';
import type { OperatorIdentity } from '../../common/operator';
import type { PasskeyTarget } from '../../common/keys';
import type { CheckOf, JournalHealthCode, PreflightFinding, PREFLIGHT_FINDINGS } from '../../common/codes';
import type { ParamsOf } from '../../common/coded';
import type { CheckStatus, KeyStatus, PreflightCheck, PreflightCode } from '../../common/session';
import type { ClaimResult } from '../event';

export type { CheckStatus, PreflightCode, PreflightCheck, KeyStatus } from '../../common/session';

/** Targets as Graph returns them on both method policies; optional because a reader may not carry them. */
export interface PolicyTargets {
  /** The passkey policy's targets also name the passkey profiles they allow (common/keys.ts). */
  readonly includeTargets?: readonly PasskeyTarget[];
  readonly excludeTargets?: readonly { readonly targetType: string; readonly id: string }[];
}

export interface PreflightFacts {
  readonly card: IdentityCard;
  readonly operator: OperatorIdentity;
  readonly tapPolicy: PolicyRead<TapPolicy>;
  readonly fido2Policy: PolicyRead<Fido2KeyPolicy & PolicyTargets>;
  /** The station configuration's choice (config/schema.ts). */
  readonly station: { readonly tapLifetimeMinutes?: number | undefined; readonly tapOneTime: boolean };
  /** What the operator picked on the pre-flight screen; absent means the default. */
  readonly chosenLifetimeMinutes?: number | undefined;
  readonly keys: KeyWatcherState;
  /** The audit journal's health from its probe at this pre-flight or its last write since. */
  readonly journal: JournalHealthCode;
  /** Event mode only: the claim made when the person was opened (absent or null: not in event mode, no check). */
  readonly claim?: ClaimResult | null | undefined;
}

export interface PreflightResult {
  readonly checks: readonly PreflightCheck[];
  readonly verdict: 'go' | 'refused';
  readonly lifetimeMinutes: number;
  /** The range the operator may pick from. */
  readonly lifetimeBounds: { readonly min: number; readonly max: number };
  readonly oneTime: boolean;
  readonly key: KeyStatus;
}

type Params<F extends PreflightFinding> = ParamsOf<typeof PREFLIGHT_FINDINGS, F>;

/** One check: its finding (common/codes.ts) with that finding's parameters; the check's code is the prefix. */
function check<F extends PreflightFinding>(
  finding: F,
  status: CheckStatus,
  ...params: Params<F> extends Record<string, never> ? [] : [Params<F>]
): PreflightCheck {
  const code = finding.slice(0, finding.indexOf('.')) as CheckOf<F> & PreflightCode;
  return { code, status, finding, params: params[0] ?? {} } as PreflightCheck;
}

export function runPreflight(facts: PreflightFacts): PreflightResult {
  const { card, operator } = facts;
  const checks: PreflightCheck[] = [];

  checks.push(card.accountEnabled ? check('account-enabled.pass', 'pass') : check('account-enabled.fail', 'fail'));
  checks.push(card.isExternalGuest ? check('not-external-guest.fail', 'fail') : check('not-external-guest.pass', 'pass'));
  // Passkey (FIDO2) registration is not supported for internal or external guest users (Microsoft Learn, "Enable
  // passkeys (FIDO2) for your organization", entra/identity/authentication/how-to-enable-passkey-fido2, passkey
  // profiles section): a pass for a guest would be issued for nothing, so pre-flight stops before one exists.
  checks.push(
    card.userType === 'Guest' || card.isExternalGuest
      ? check('not-guest.fail', 'fail', { guest: card.isExternalGuest ? 'external' : 'internal' })
      : check('not-guest.pass', 'pass'),
  );
  checks.push(card.id === operator.id ? check('not-operator-self.fail', 'fail') : check('not-operator-self.pass', 'pass'));
  checks.push(roleCheck(operator));

  const lifetime = lifetimeOf(facts);
  checks.push(...tapPolicyChecks(facts.tapPolicy, card.id));
  checks.push(lifetime.check);
  const oneTime = oneTimeOf(facts);
  checks.push(oneTime.check);
  checks.push(...fido2PolicyChecks(facts.fido2Policy, card.id));

  const key = keyStatusOf(facts.keys, facts.fido2Policy.readable ? facts.fido2Policy.policy : null, card.id);
  checks.push(keyCheck(key));
  if (facts.claim) checks.push(claimCheck(facts.claim));
  // Last, and blocking: a pass, a key removal or a revocation the journal cannot record must not happen.
  checks.push(facts.journal === 'ok' ? check('journal-writable.pass', 'pass') : check(`journal-writable.${facts.journal}`, 'fail'));

  return {
    checks,
    verdict: checks.some((c) => c.status === 'fail') ? 'refused' : 'go',
    lifetimeMinutes: lifetime.minutes,
    lifetimeBounds: lifetime.bounds,
    oneTime: oneTime.value,
    key,
  };
}

/** Event mode: nothing is issued unless this station holds the person's claim. */
function claimCheck(claim: ClaimResult): PreflightCheck {
  if (claim.ok) return check('event-claim.pass', 'pass');
  const n = claim.notice;
  if (n.code === 'event.held-elsewhere') return check('event-claim.held-elsewhere', 'fail', n.params);
  if (n.code === 'event.already-done') return check('event-claim.already-done', 'fail');
  if (n.code === 'event.not-on-roster') return check('event-claim.not-on-roster', 'fail');
  if (n.code === 'event.off-not-group-owner') return check('event-claim.not-group-owner', 'fail');
  return check('event-claim.failed', 'fail');
}

function roleCheck(operator: OperatorIdentity): PreflightCheck {
  const role = operator.roleNames.join(', ') || 'none';
  switch (operator.capability) {
    case 'members-and-admins':
      return check('operator-may-act.pass', 'pass', { role });
    case 'members-only':
      // Members only, not administrators nor members of role-assignable groups; whether this user is one
      // cannot be read here, and Graph refuses the pass if so.
      return check('operator-may-act.unknown', 'unknown', { role });
    case 'none':
      return check('operator-may-act.fail', 'fail', { role });
  }
}

type TargetJudgement = { status: 'pass' | 'fail' | 'unknown'; why: 'all-users' | 'user' | 'excluded' | 'groups' | 'not-listed' };

function judgeTargets(targets: PolicyTargets, userId: string): TargetJudgement {
  const include = targets.includeTargets ?? [];
  const exclude = targets.excludeTargets ?? [];
  if (exclude.some((t) => t.targetType === 'user' && t.id === userId)) return { status: 'fail', why: 'excluded' };
  const excludesGroups = exclude.some((t) => t.targetType !== 'user');
  if (include.some((t) => t.id === 'all_users')) return excludesGroups ? { status: 'unknown', why: 'groups' } : { status: 'pass', why: 'all-users' };
  if (include.some((t) => t.targetType === 'user' && t.id === userId))
    return excludesGroups ? { status: 'unknown', why: 'groups' } : { status: 'pass', why: 'user' };
  if (include.some((t) => t.targetType !== 'user')) return { status: 'unknown', why: 'groups' };
  return { status: 'fail', why: 'not-listed' };
}

function targetCheck(code: 'tap-policy-targets-user' | 'fido2-policy-targets-user', targets: PolicyTargets, userId: string): PreflightCheck {
  const j = judgeTargets(targets, userId);
  return check(`${code}.${j.why}`, j.status);
}

function tapPolicyChecks(read: PolicyRead<TapPolicy>, userId: string): PreflightCheck[] {
  // Unreadable with the operator's role: Graph will refuse the pass if it is not allowed.
  if (!read.readable) return [check('tap-policy-enabled.unknown', 'unknown', read.requestId ? { requestId: read.requestId } : {})];
  const policy = read.policy;
  if (policy.state !== 'enabled') return [check('tap-policy-enabled.fail', 'fail')];
  return [check('tap-policy-enabled.pass', 'pass'), targetCheck('tap-policy-targets-user', policy, userId)];
}

function lifetimeOf(facts: PreflightFacts): { minutes: number; bounds: { min: number; max: number }; check: PreflightCheck } {
  const read = facts.tapPolicy;
  const bounds = read.readable
    ? {
        min: Math.max(TAP_LIFETIME_BOUNDS.min, read.policy.minimumLifetimeInMinutes),
        max: Math.min(TAP_LIFETIME_BOUNDS.max, read.policy.maximumLifetimeInMinutes),
      }
    : { min: TAP_LIFETIME_BOUNDS.min, max: TAP_LIFETIME_BOUNDS.max };
  const fallback = facts.station.tapLifetimeMinutes ?? bounds.min;
  const minutes = facts.chosenLifetimeMinutes ?? fallback;
  const params = { minutes, min: bounds.min, max: bounds.max };
  if (!Number.isInteger(minutes) || minutes < bounds.min || minutes > bounds.max) {
    return { minutes, bounds, check: check('lifetime-in-bounds.fail', 'fail', params) };
  }
  // Unreadable policy: its range is unknown here, and Graph will refuse a lifetime outside it.
  if (!read.readable) return { minutes, bounds, check: check('lifetime-in-bounds.unknown', 'unknown', params) };
  return { minutes, bounds, check: check('lifetime-in-bounds.pass', 'pass', params) };
}

function oneTimeOf(facts: PreflightFacts): { value: boolean; check: PreflightCheck } {
  const read = facts.tapPolicy;
  if (facts.station.tapOneTime) return { value: true, check: check('one-time.pass', 'pass') };
  // The station asks for multi-use passes, but the policy forces one-time use.
  if (read.readable && read.policy.isUsableOnce) return { value: true, check: check('one-time.warn-forced', 'warn') };
  // Unreadable policy: Graph will refuse a multi-use pass if the policy forces one-time use.
  if (!read.readable) return { value: false, check: check('one-time.unknown', 'unknown') };
  return { value: false, check: check('one-time.warn-multi-use', 'warn') };
}

function fido2PolicyChecks(read: PolicyRead<Fido2KeyPolicy & PolicyTargets>, userId: string): PreflightCheck[] {
  // Unreadable with the operator's role: the registration will be refused if it is not allowed.
  if (!read.readable) return [check('fido2-policy-enabled.unknown', 'unknown', read.requestId ? { requestId: read.requestId } : {})];
  const policy = read.policy;
  const out: PreflightCheck[] = [
    policy.state === 'enabled' ? check('fido2-policy-enabled.pass', 'pass') : check('fido2-policy-enabled.fail', 'fail'),
    policy.isSelfServiceRegistrationAllowed ? check('fido2-self-service.pass', 'pass') : check('fido2-self-service.fail', 'fail'),
  ];
  // No targets in the answer: the registration will be refused if this user is not covered.
  out.push(
    policy.includeTargets === undefined ? check('fido2-policy-targets-user.no-targets', 'unknown') : targetCheck('fido2-policy-targets-user', policy, userId),
  );
  return out;
}

/** The key at the desk as the screen shows it, judged against the passkey policy (null: unreadable) as it applies
 *  to the person `userId` (their passkey profiles, keys/readiness.ts `keyRulesFor`). */
export function keyStatusOf(keys: KeyWatcherState, policy: Fido2KeyPolicy | null, userId?: string): KeyStatus {
  const empty = { keyId: null, model: null, vendor: null, aaguid: null, pin: 'unknown', verdict: null, readiness: null, canWink: false } as const;
  if (keys.presence === 'multiple') return { ...empty, presence: 'multiple' };
  const present = keys.keys[0];
  if (keys.presence === 'none' || present === undefined) {
    return { ...empty, presence: keys.reader.status === 'unavailable' ? 'reader-unavailable' : 'none' };
  }
  return describeKey(present, policy, userId);
}

function describeKey(present: PresentKey, policy: Fido2KeyPolicy | null, userId: string | undefined): KeyStatus {
  const base = { presence: 'one' as const, keyId: present.id };
  const identity = present.identity;
  if (identity.status === 'pending') {
    return {
      ...base,
      model: present.product ?? null,
      vendor: present.manufacturer ?? null,
      aaguid: null,
      pin: 'unknown',
      verdict: null,
      readiness: null,
      canWink: false,
    };
  }
  const facts: KeyFacts = identity.status === 'identified' ? identity.key.capability : { kind: 'unavailable', detail: identity.message };
  const readiness = assessReadiness(facts, policy, userId);
  // The policy's own switches are checks of their own above; the key check judges the key.
  const keyReasons = readiness.reasons.filter((r) => r.code !== 'policy-disabled' && r.code !== 'self-service-not-allowed' && r.code !== 'policy-unreadable');
  const verdict = verdictOf(keyReasons.map((r) => r.severity));
  if (identity.status !== 'identified') {
    const unreadable = identity.reason === 'access-denied' ? 'access-denied' : 'other';
    return {
      ...base,
      model: present.product ?? null,
      vendor: present.manufacturer ?? null,
      aaguid: null,
      pin: 'unknown',
      unreadable,
      verdict,
      readiness,
      canWink: false,
    };
  }
  const key = identity.key;
  const options = key.capability.kind === 'fido2' ? key.capability.info.options : {};
  const pin: KeyStatus['pin'] =
    options.clientPin === true
      ? 'set'
      : options.clientPin === false
        ? 'not-set'
        : options.uv === true
          ? 'built-in-verification'
          : key.capability.kind === 'fido2'
            ? 'none'
            : 'unknown';
  return {
    ...base,
    model: key.identity.model ?? present.product ?? null,
    vendor: key.identity.vendor,
    aaguid: key.identity.aaguid,
    pin,
    verdict,
    readiness,
    canWink: key.ctaphid.capabilities.wink,
  };
}

function verdictOf(severities: readonly string[]): ReadinessVerdict {
  if (severities.includes('blocker')) return 'will-be-refused';
  if (severities.includes('unknown')) return 'unknown';
  if (severities.includes('note')) return 'ready-with-note';
  return 'ready';
}

function keyCheck(key: KeyStatus): PreflightCheck {
  switch (key.presence) {
    case 'reader-unavailable':
      // The key cannot be checked; registration in the browser may still work.
      return check('key-ready.reader-unavailable', 'unknown');
    case 'multiple':
      return check('key-ready.multiple', 'fail');
    case 'none':
      return check('key-ready.none', 'fail');
    case 'one':
      break;
  }
  const model = key.model ?? 'security key';
  if (key.verdict === null) return check('key-ready.reading', 'fail', { model });
  const reasons = key.readiness?.reasons ?? [];
  switch (key.verdict) {
    case 'will-be-refused': {
      // keyStatusOf judges the key without the policy's own switches, so a blocker other than those is there.
      const blocker = reasons.find((r) => r.severity === 'blocker' && r.code !== 'policy-disabled' && r.code !== 'self-service-not-allowed');
      return check('key-ready.refused', 'fail', { model, reason: blocker?.code ?? 'key-unreadable' });
    }
    case 'unknown':
      return check('key-ready.unchecked', 'unknown', { model });
    case 'ready-with-note': {
      const note = reasons.find((r) => r.severity === 'note');
      return check('key-ready.warn', 'warn', { model, note: note?.code ?? 'policy-unreadable' });
    }
    case 'ready':
      return check('key-ready.pass', 'pass', { model });
  }
}
