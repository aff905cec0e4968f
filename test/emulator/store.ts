// The tenant's mutable state, built from the seed and reset to it on demand.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EmulatorClock } from './clock';
import { type Fido2Policy, type Fido2Record, type GroupRecord, type TapPolicy, type TapRecord, type UserRecord, Role, Seed } from './model';

export type TapPolicyPreset = 'kiosk' | 'microsoft-defaults';

/**
 * The TAP policy presets. The default tenant uses Microsoft's default policy: 1 to 8 hours (60-480 minutes),
 * default 1 hour, multi-use allowed, 8 characters (Microsoft Learn, "Configure Temporary Access Pass",
 * entra/identity/authentication/howto-authentication-temporary-access-pass). "kiosk" is a named preset for
 * the tests that need short one-time passes: 10-60 minutes, default 10, one-time, 12 characters.
 * In both, the "TAP excluded" group is out of scope.
 */
export function tapPolicyPreset(preset: TapPolicyPreset, excludedGroupId?: string): TapPolicy {
  const excludeTargets = excludedGroupId ? [{ targetType: 'group' as const, id: excludedGroupId }] : [];
  const includeTargets = [{ targetType: 'group' as const, id: 'all_users', isRegistrationRequired: false }];
  if (preset === 'microsoft-defaults') {
    // Microsoft's documented defaults (entra-graph.md 2).
    return {
      id: 'TemporaryAccessPass',
      state: 'enabled',
      defaultLifetimeInMinutes: 60,
      defaultLength: 8,
      minimumLifetimeInMinutes: 60,
      maximumLifetimeInMinutes: 480,
      isUsableOnce: false,
      includeTargets,
      excludeTargets,
    };
  }
  return {
    id: 'TemporaryAccessPass',
    state: 'enabled',
    defaultLifetimeInMinutes: 10,
    defaultLength: 12,
    minimumLifetimeInMinutes: 10,
    maximumLifetimeInMinutes: 60,
    isUsableOnce: true,
    includeTargets,
    excludeTargets,
  };
}

export function defaultFido2Policy(): Fido2Policy {
  return {
    id: 'Fido2',
    state: 'enabled',
    isSelfServiceRegistrationAllowed: true,
    isAttestationEnforced: true,
    keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] },
    passkeyProfiles: null,
    defaultPasskeyProfile: null,
    includeTargets: [{ targetType: 'group', id: 'all_users', isRegistrationRequired: false }],
    excludeTargets: [],
  };
}

/** The id Microsoft's examples give the default passkey profile (fido2authenticationmethodconfiguration-update). */
export const DEFAULT_PASSKEY_PROFILE_ID = '00000000-0000-0000-0000-000000000001';

/**
 * `policy` migrated to passkey profiles, as Microsoft does it: a non-deletable default profile that "initially
 * mirrors the tenant's legacy global passkey (FIDO2) authentication methods policy settings" (Microsoft Learn,
 * fido2AuthenticationMethodConfiguration resource type), allowed on every include target.
 */
export function withPasskeyProfiles(policy: Fido2Policy): Fido2Policy {
  const profile = {
    id: DEFAULT_PASSKEY_PROFILE_ID,
    name: 'Default passkey profile',
    passkeyTypes: ['deviceBound', 'synced'] as ('deviceBound' | 'synced')[],
    attestationEnforcement: policy.isAttestationEnforced === true ? ('registrationOnly' as const) : ('disabled' as const),
    keyRestrictions: policy.keyRestrictions
      ? { ...policy.keyRestrictions, aaGuids: [...policy.keyRestrictions.aaGuids] }
      : { isEnforced: false, enforcementType: 'allow' as const, aaGuids: [] },
  };
  return {
    ...policy,
    passkeyProfiles: [profile],
    defaultPasskeyProfile: DEFAULT_PASSKEY_PROFILE_ID,
    includeTargets: policy.includeTargets.map((t) => ({ ...t, allowedPasskeyProfiles: [DEFAULT_PASSKEY_PROFILE_ID] })),
  };
}

/**
 * A brand-new account cannot be given an authentication method at once: "If you are too fast … After one or two
 * minutes, the problem should have resolved itself" (a field report on TAP rollout, quoted in issue 10, 3o);
 * Microsoft support told microsoftgraph/msgraph-sdk-dotnet#2772 that "Not Found" after creating a user is
 * replication delay that "normally hovers in the tens of seconds, but can take up to a minute or two". Default:
 * two minutes; tests set `newAccountMethodDelayMs`.
 */
export const NEW_ACCOUNT_METHOD_DELAY_MS = 2 * 60_000;

export const DEFAULT_SEED_PATH = fileURLToPath(new URL('./seed/tenant.json', import.meta.url));

export function loadSeed(path = DEFAULT_SEED_PATH): Seed {
  return Seed.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** One directory audit entry as the emulator keeps it (graph/audit-logs.ts serializes it): a TAP created or deleted. */
export interface DirectoryAuditRecord {
  id: string;
  at: Date;
  kind: 'create' | 'delete';
  correlationId: string;
  initiator: { id: string; userPrincipalName: string; displayName: string; clientId: string };
  target: { id: string; userPrincipalName: string; displayName: string };
}

export interface StateOptions {
  seed?: Seed;
  tapPolicy?: TapPolicyPreset;
}

export class TenantState {
  readonly seed: Seed;
  private readonly preset: TapPolicyPreset;
  users = new Map<string, UserRecord>();
  groups = new Map<string, GroupRecord>();
  /** At most one TAP per user (a second create replaces the first). Keyed by user id. */
  taps = new Map<string, TapRecord>();
  fido2 = new Map<string, Fido2Record>();
  photos = new Map<string, { contentType: string; bytes: Buffer }>();
  /** Entra's directory audit log: the TAP creations and deletions (graph/audit-logs.ts), oldest first. */
  directoryAudits: DirectoryAuditRecord[] = [];
  tapPolicy!: TapPolicy;
  fido2Policy!: Fido2Policy;
  /** How long after a user's createdDateTime Graph refuses to add an authentication method (methods.ts). */
  newAccountMethodDelayMs = NEW_ACCOUNT_METHOD_DELAY_MS;

  constructor(
    private readonly clock: EmulatorClock,
    options: StateOptions = {},
  ) {
    this.seed = options.seed ?? loadSeed();
    this.preset = options.tapPolicy ?? 'microsoft-defaults';
    this.reset();
  }

  get tenantId(): string {
    return this.seed.tenantId;
  }

  /** Back to the seed: users, methods, passes, policies. The clock is the caller's to reset. */
  reset(preset: TapPolicyPreset = this.preset): void {
    const now = this.clock.now();
    this.newAccountMethodDelayMs = NEW_ACCOUNT_METHOD_DELAY_MS;
    this.users.clear();
    this.groups.clear();
    this.taps.clear();
    this.fido2.clear();
    this.photos.clear();
    this.directoryAudits = [];
    const excluded = this.seed.groups.find((g) => g.displayName === 'TAP excluded');
    this.tapPolicy = tapPolicyPreset(preset, excluded?.id);
    this.fido2Policy = defaultFido2Policy();
    for (const g of this.seed.groups) {
      this.groups.set(g.id, { ...g, roles: [...g.roles], owners: [...g.owners], createdDateTime: new Date(g.createdDateTime) });
    }
    for (const s of this.seed.users) {
      const { fido2, tap, photo, ...rest } = s;
      // Own copies: membership changes (groups/{id}/members/$ref) must not write through to the seed.
      this.users.set(s.id, { ...rest, groups: [...rest.groups], ...(photo ? { photo } : {}), signInSessionsValidFromDateTime: new Date(0) });
      if (photo) this.photos.set(s.id, { contentType: photo.contentType, bytes: Buffer.from(photo.base64, 'base64') });
      for (const k of fido2) {
        this.fido2.set(k.id, {
          ...k,
          userId: s.id,
          createdDateTime: new Date(k.createdDateTime),
          attestationCertificates: [],
          passkeyType: 'deviceBound',
          credentialId: null,
        });
      }
      if (tap) {
        const created = new Date(now.getTime() - tap.createdMinutesAgo * 60_000);
        this.taps.set(s.id, {
          id: tap.id,
          userId: s.id,
          pass: tap.pass,
          createdDateTime: created,
          startDateTime: created,
          lifetimeInMinutes: tap.lifetimeInMinutes,
          isUsableOnce: tap.isUsableOnce,
          usedDateTime: null,
        });
      }
    }
  }

  /** By object id or by UPN (case-insensitive), as Graph resolves `/users/{id | userPrincipalName}`. */
  findUser(idOrUpn: string): UserRecord | undefined {
    const byId = this.users.get(idOrUpn.toLowerCase());
    if (byId) return byId;
    const upn = idOrUpn.toLowerCase();
    for (const u of this.users.values()) if (u.userPrincipalName.toLowerCase() === upn) return u;
    return undefined;
  }

  groupsOf(user: UserRecord): GroupRecord[] {
    return user.groups.flatMap((id) => {
      const g = this.groups.get(id);
      return g ? [g] : [];
    });
  }

  /** The group's members in a stable order (object id), as the directory pages them. */
  membersOf(groupId: string): UserRecord[] {
    return [...this.users.values()].filter((u) => u.groups.includes(groupId)).sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Active roles, direct and through role-assignable groups (what transitiveMemberOf and `wids` show). */
  rolesOf(user: UserRecord): string[] {
    const roles = new Set(user.roles);
    for (const g of this.groupsOf(user)) if (g.isAssignableToRole) for (const r of g.roles) roles.add(r);
    return [...roles];
  }

  isInRoleAssignableGroup(user: UserRecord): boolean {
    return this.groupsOf(user).some((g) => g.isAssignableToRole);
  }

  /** Whether a method policy's include/exclude targets cover the user. */
  isTargeted(policy: { includeTargets: { id: string }[]; excludeTargets: { id: string }[] }, user: UserRecord): boolean {
    const matches = (id: string) => id === 'all_users' || id === user.id || user.groups.includes(id);
    if (policy.excludeTargets.some((t) => matches(t.id))) return false;
    return policy.includeTargets.some((t) => matches(t.id));
  }

  fido2Of(userId: string): Fido2Record[] {
    return [...this.fido2.values()].filter((k) => k.userId === userId);
  }
}

/** Whether the operator's active roles let them manage another user's methods, and why not (entra-graph.md 1.4). */
export function mayManageMethodsOf(state: TenantState, operator: UserRecord, target: UserRecord): { allowed: true } | { allowed: false; reason: string } {
  if (operator.id === target.id) return { allowed: false, reason: 'self' };
  const roles = state.rolesOf(operator);
  if (roles.includes(Role.GlobalAdministrator) || roles.includes(Role.PrivilegedAuthenticationAdministrator)) {
    return { allowed: true };
  }
  if (!roles.includes(Role.AuthenticationAdministrator)) return { allowed: false, reason: 'role' };
  // Authentication Administrators act on members with no admin role, or with one of the few roles below.
  const harmless = new Set<string>([Role.AuthenticationAdministrator]);
  const targetRoles = state.rolesOf(target);
  if (targetRoles.some((r) => !harmless.has(r))) return { allowed: false, reason: 'target-privileged' };
  if (state.isInRoleAssignableGroup(target)) return { allowed: false, reason: 'target-role-assignable-group' };
  return { allowed: true };
}

export type TapUsabilityReason = 'EnabledByPolicy' | 'DisabledByPolicy' | 'Expired' | 'NotYetValid' | 'OneTimeUsed';

/** `isUsable` / `methodUsabilityReason`, computed on every read (entra-graph.md 8.4). */
export function tapUsability(state: TenantState, tap: TapRecord, now: Date): { isUsable: boolean; methodUsabilityReason: TapUsabilityReason } {
  const user = state.users.get(tap.userId);
  const reason: TapUsabilityReason =
    now.getTime() < tap.startDateTime.getTime()
      ? 'NotYetValid'
      : now.getTime() >= tap.startDateTime.getTime() + tap.lifetimeInMinutes * 60_000
        ? 'Expired'
        : tap.isUsableOnce && tap.usedDateTime
          ? 'OneTimeUsed'
          : state.tapPolicy.state !== 'enabled' ||
              !user ||
              !state.isTargeted(state.tapPolicy, user) ||
              // A multi-use pass stops working once the policy forces one-time use (sign-in refuses it too).
              (state.tapPolicy.isUsableOnce && !tap.isUsableOnce)
            ? 'DisabledByPolicy'
            : 'EnabledByPolicy';
  return { isUsable: reason === 'EnabledByPolicy', methodUsabilityReason: reason };
}
