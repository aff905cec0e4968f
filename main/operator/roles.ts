// What an operator's active directory roles let them do at the station (entra-graph.md 1.4 and 5.5). Pure: the
// roles come in as roleTemplateIds (stable across tenants), the verdict goes out. No I/O.
import type { OperatorCapability } from '../../common/operator';

/** Built-in roleTemplateIds (entra-docs permissions-reference.md). The same GUIDs in every tenant. */
export const RoleTemplate = {
  GlobalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  PrivilegedAuthenticationAdministrator: '7be44c8a-adaf-4e2a-84d6-ab2649e08a13',
  AuthenticationAdministrator: 'c4e39bd9-1100-46d3-8c65-fb160da0071f',
  AuthenticationPolicyAdministrator: '0526716b-113d-4c15-b2c8-68e3c22b9f80',
  GlobalReader: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
  PrivilegedRoleAdministrator: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  UserAdministrator: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
  HelpdeskAdministrator: '729827e3-9c14-49f7-bb1b-9608f156bbb8',
} as const;

/** English display names of the built-in roles, for when only the ids are known (the `wids` fallback). */
export const BUILT_IN_ROLE_NAMES: Readonly<Record<string, string>> = {
  [RoleTemplate.GlobalAdministrator]: 'Global Administrator',
  [RoleTemplate.PrivilegedAuthenticationAdministrator]: 'Privileged Authentication Administrator',
  [RoleTemplate.AuthenticationAdministrator]: 'Authentication Administrator',
  [RoleTemplate.AuthenticationPolicyAdministrator]: 'Authentication Policy Administrator',
  [RoleTemplate.GlobalReader]: 'Global Reader',
  [RoleTemplate.PrivilegedRoleAdministrator]: 'Privileged Role Administrator',
  [RoleTemplate.UserAdministrator]: 'User Administrator',
  [RoleTemplate.HelpdeskAdministrator]: 'Helpdesk Administrator',
};

/**
 * "Members" is Entra's own word for users without an admin role: Privileged Authentication Administrators (and
 * Global Administrators) may issue a TAP for anyone but themselves, Authentication Administrators only for
 * those members. Nobody else may issue one. Pre-flight enforces "not themselves" and the per-user limits.
 */
const MEMBERS_AND_ADMINS = new Set<string>([RoleTemplate.PrivilegedAuthenticationAdministrator, RoleTemplate.GlobalAdministrator]);
const MEMBERS_ONLY = new Set<string>([RoleTemplate.AuthenticationAdministrator]);
/** May GET the authentication methods policies; everyone else gets 403 there. */
const POLICY_READERS = new Set<string>([RoleTemplate.GlobalReader, RoleTemplate.AuthenticationPolicyAdministrator, RoleTemplate.GlobalAdministrator]);

const normalise = (ids: Iterable<string>) => new Set([...ids].map((id) => id.trim().toLowerCase()));

/** The widest capability any of the roles grants. */
export function capabilityOf(roleTemplateIds: Iterable<string>): OperatorCapability {
  const ids = normalise(roleTemplateIds);
  if ([...ids].some((id) => MEMBERS_AND_ADMINS.has(id))) return 'members-and-admins';
  if ([...ids].some((id) => MEMBERS_ONLY.has(id))) return 'members-only';
  return 'none';
}

/** Whether the roles may read the TAP and FIDO2 policies (pre-flight says "cannot read" otherwise). */
export function mayReadPoliciesWith(roleTemplateIds: Iterable<string>): boolean {
  return [...normalise(roleTemplateIds)].some((id) => POLICY_READERS.has(id));
}

/** A role's display name: the directory's when known, the built-in table's, else the id itself. */
export function roleDisplayName(roleTemplateId: string, fromDirectory?: string | null): string {
  const name = fromDirectory?.trim();
  if (name) return name;
  return BUILT_IN_ROLE_NAMES[roleTemplateId.toLowerCase()] ?? roleTemplateId;
}
