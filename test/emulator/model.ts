// The emulated tenant's state. One source of truth for every route module (IdP, Graph, My Security Info, admin).
import { z } from 'zod';

/** roleTemplateIds from the Entra permissions reference (entra-graph.md 5.5). */
export const Role = {
  GlobalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  PrivilegedAuthenticationAdministrator: '7be44c8a-adaf-4e2a-84d6-ab2649e08a13',
  AuthenticationAdministrator: 'c4e39bd9-1100-46d3-8c65-fb160da0071f',
  AuthenticationPolicyAdministrator: '0526716b-113d-4c15-b2c8-68e3c22b9f80',
  GlobalReader: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
  PrivilegedRoleAdministrator: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  UserAdministrator: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
  HelpdeskAdministrator: '729827e3-9c14-49f7-bb1b-9608f156bbb8',
  GroupsAdministrator: 'fdd7a751-b60b-444a-984c-02652fe8fa1c',
  DirectoryWriters: '9360feb5-f418-4baa-8175-e2a00bac4301',
} as const;

export const ROLE_NAMES: Record<string, string> = {
  [Role.GlobalAdministrator]: 'Global Administrator',
  [Role.PrivilegedAuthenticationAdministrator]: 'Privileged Authentication Administrator',
  [Role.AuthenticationAdministrator]: 'Authentication Administrator',
  [Role.AuthenticationPolicyAdministrator]: 'Authentication Policy Administrator',
  [Role.GlobalReader]: 'Global Reader',
  [Role.PrivilegedRoleAdministrator]: 'Privileged Role Administrator',
  [Role.UserAdministrator]: 'User Administrator',
  [Role.HelpdeskAdministrator]: 'Helpdesk Administrator',
  [Role.GroupsAdministrator]: 'Groups Administrator',
  [Role.DirectoryWriters]: 'Directory Writers',
};

/** The password method's id is the same for every user in Entra (entra-graph.md 5.1). */
export const PASSWORD_METHOD_ID = '28c10230-6103-485e-b985-444c60001490';

const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

export const SeedUser = z.object({
  id: guid,
  userPrincipalName: z.string(),
  displayName: z.string(),
  givenName: z.string().nullable().default(null),
  surname: z.string().nullable().default(null),
  mail: z.string().nullable().default(null),
  jobTitle: z.string().nullable().default(null),
  department: z.string().nullable().default(null),
  employeeId: z.string().max(16).nullable().default(null),
  officeLocation: z.string().nullable().default(null),
  mobilePhone: z.string().nullable().default(null),
  businessPhones: z.array(z.string()).default([]),
  preferredLanguage: z.string().nullable().default(null),
  accountEnabled: z.boolean().default(true),
  userType: z.enum(['Member', 'Guest']).default('Member'),
  /** An external guest's home is another tenant; TAP cannot be added for them. Internal guests are false. */
  isExternal: z.boolean().default(false),
  /** When the account was created (ISO 8601); absent: long ago (user-schema.ts). A recent one cannot get a method yet. */
  createdDateTime: z.string().optional(),
  /** Directly assigned, active directory roles (roleTemplateIds). */
  roles: z.array(guid).default([]),
  groups: z.array(guid).default([]),
  /**
   * In scope of the combined security-info registration policy: after the pass is accepted, the sign-in goes through
   * the registration interrupt (mysignins/interrupt.ts), with "Skip setup" (`skippable`) or without (`required`).
   */
  registrationInterrupt: z.enum(['skippable', 'required']).nullable().default(null),
  /** Demo-only: operators sign in to the emulator's IdP with it. */
  password: z.string().optional(),
  /** A tiny JPEG/PNG as base64; absent means 404 on /photo/$value. */
  photo: z.object({ contentType: z.string(), base64: z.string() }).optional(),
  /** Phone methods etc. are not modelled; a security key the user already holds can be. */
  fido2: z
    .array(
      z.object({
        id: z.string(),
        displayName: z.string(),
        aaGuid: guid,
        model: z.string(),
        createdDateTime: z.string(),
        attestationLevel: z.enum(['attested', 'notAttested']).default('attested'),
      }),
    )
    .default([]),
  tap: z
    .object({
      id: guid,
      pass: z.string(),
      createdMinutesAgo: z.number().default(5),
      lifetimeInMinutes: z.number().int(),
      isUsableOnce: z.boolean(),
    })
    .optional(),
});
export type SeedUser = z.infer<typeof SeedUser>;

export const SeedGroup = z.object({
  id: guid,
  displayName: z.string(),
  description: z.string().nullable().default(null),
  isAssignableToRole: z.boolean().default(false),
  roles: z.array(guid).default([]),
  /** Users who own the group: they may add and remove its members (group-post-members.md, "Group owners"). */
  owners: z.array(guid).default([]),
  createdDateTime: z.string().default('2024-01-15T08:00:00Z'),
});
export type SeedGroup = z.infer<typeof SeedGroup>;

export const Seed = z.object({
  tenantId: guid,
  domain: z.string(),
  displayName: z.string(),
  clients: z.array(
    z.object({
      clientId: guid,
      displayName: z.string(),
      /** Delegated Graph permissions consented for the app (scp values). */
      delegatedScopes: z.array(z.string()),
    }),
  ),
  groups: z.array(SeedGroup),
  users: z.array(SeedUser),
});
export type Seed = z.infer<typeof Seed>;

export interface AuthenticationMethodTarget {
  targetType: 'group' | 'user';
  id: string;
  isRegistrationRequired: boolean;
}
export interface ExcludeTarget {
  targetType: 'group' | 'user';
  id: string;
}

export interface TapPolicy {
  id: 'TemporaryAccessPass';
  state: 'enabled' | 'disabled';
  defaultLifetimeInMinutes: number;
  defaultLength: number;
  minimumLifetimeInMinutes: number;
  maximumLifetimeInMinutes: number;
  isUsableOnce: boolean;
  includeTargets: AuthenticationMethodTarget[];
  excludeTargets: ExcludeTarget[];
}

export interface Fido2KeyRestrictions {
  isEnforced: boolean;
  enforcementType: 'allow' | 'block';
  aaGuids: string[];
}

/** passkeyProfile (Graph v1.0, test/fixtures/graph-metadata/v1.0-Prod.csdl; Microsoft Learn "passkeyProfile resource type"). */
export interface PasskeyProfileRecord {
  id: string;
  name: string;
  /** The passkeyTypes flags. A security key is `deviceBound`. */
  passkeyTypes: ('deviceBound' | 'synced')[];
  attestationEnforcement: 'disabled' | 'registrationOnly';
  keyRestrictions: Fido2KeyRestrictions;
}

/** An include target of the passkey policy (passkeyAuthenticationMethodTarget): which profiles its members get. */
export interface PasskeyTarget extends AuthenticationMethodTarget {
  allowedPasskeyProfiles?: string[];
}

/**
 * The passkey (FIDO2) policy in both of Graph's forms: the legacy top-level `isAttestationEnforced` /
 * `keyRestrictions` (deprecated since 2025-10, "will stop returning data on October 15, 2027", CSDL Revisions
 * annotation; null models a tenant where Graph no longer returns them), and passkey profiles (null: a tenant not
 * migrated to them). With profiles, the profiles decide (an assumption; see mysignins/registration.ts).
 */
export interface Fido2Policy {
  id: 'Fido2';
  state: 'enabled' | 'disabled';
  isSelfServiceRegistrationAllowed: boolean;
  isAttestationEnforced: boolean | null;
  keyRestrictions: Fido2KeyRestrictions | null;
  passkeyProfiles: PasskeyProfileRecord[] | null;
  defaultPasskeyProfile: string | null;
  includeTargets: PasskeyTarget[];
  excludeTargets: ExcludeTarget[];
}

/** A security group; its members are the users whose `groups` name it (one place for memberOf and members). */
export interface GroupRecord extends Omit<SeedGroup, 'createdDateTime'> {
  createdDateTime: Date;
}

export interface UserRecord extends Omit<SeedUser, 'fido2' | 'tap'> {
  /** Refresh tokens issued before this are invalid (revokeSignInSessions). */
  signInSessionsValidFromDateTime: Date;
}

export interface TapRecord {
  id: string;
  userId: string;
  pass: string;
  createdDateTime: Date;
  startDateTime: Date;
  lifetimeInMinutes: number;
  isUsableOnce: boolean;
  /** When a one-time pass was consumed at sign-in. */
  usedDateTime: Date | null;
}

export interface Fido2Record {
  id: string;
  userId: string;
  displayName: string;
  createdDateTime: Date;
  aaGuid: string;
  model: string;
  attestationLevel: 'attested' | 'notAttested';
  attestationCertificates: string[];
  passkeyType: 'deviceBound' | 'synced';
  /** base64url credential id; null for seeded keys registered "elsewhere". */
  credentialId: string | null;
  /** base64url COSE public key, kept by registrations that verified an attestation: a passkey sign-in needs it. */
  publicKey?: string;
  /** The authenticator's signature counter, as last seen. */
  signCount?: number;
}
