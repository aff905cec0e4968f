// What Graph answers, as zod schemas: the one place a Graph response is checked (transport.ts `parse` reads every body
// with these). Unknown properties are dropped; a missing or mistyped property the app relies on makes the
// answer "malformed" (errors.ts), never a crash further in.
import { z } from 'zod';

const nullableString = z.string().nullable().optional();

/** A user as /users and /users/{id} return it with our $select. */
export const GraphUser = z.object({
  id: z.string().min(1),
  userPrincipalName: z.string().min(1),
  displayName: nullableString,
  givenName: nullableString,
  surname: nullableString,
  mail: nullableString,
  employeeId: nullableString,
  department: nullableString,
  jobTitle: nullableString,
  accountEnabled: z.boolean().nullable().optional(),
  userType: nullableString,
  creationType: nullableString,
  externalUserState: nullableString,
  /** When the account was created: a brand-new one cannot get a pass for a minute or two (tap/issuer.ts). */
  createdDateTime: nullableString,
});
export type GraphUser = z.infer<typeof GraphUser>;

export const GraphUserList = z.object({ value: z.array(GraphUser) });

/** The identity card needs these: a user whose enabled state is not known cannot be judged. */
export const GraphCardUser = GraphUser.extend({ accountEnabled: z.boolean() });

// A pass's properties, all nullable in the CSDL (temporaryAccessPassAuthenticationMethod). These are read after
// the pass exists (the 201, reconciliation after a lost answer, completion polling), so nothing but the id may
// fail the parse (issue 10, 3h): methods.ts `toTap` fills what is missing from what the station asked for, or leaves
// it unknown ('' for a time, which isOurs and completion treat as unknown).
export const GraphTap = z.object({
  id: z.string().min(1),
  createdDateTime: nullableString,
  startDateTime: nullableString,
  lifetimeInMinutes: z.number().int().nullable().optional(),
  isUsableOnce: z.boolean().nullable().optional(),
  isUsable: z.boolean().nullable().optional(),
  methodUsabilityReason: nullableString,
});
export const GraphTapList = z.object({ value: z.array(GraphTap) });

/** The 201 of a create: the only answer that carries the pass. */
export const GraphIssuedTap = GraphTap.extend({ temporaryAccessPass: z.string().min(1) });

export const GraphFido2Method = z.object({
  id: z.string().min(1),
  displayName: nullableString,
  createdDateTime: nullableString,
  aaGuid: nullableString,
  model: nullableString,
  attestationLevel: nullableString,
});
export const GraphFido2List = z.object({ value: z.array(GraphFido2Method) });

const Target = z.object({ targetType: z.string(), id: z.string() });

export const GraphTapPolicy = z.object({
  state: z.enum(['enabled', 'disabled']),
  defaultLifetimeInMinutes: z.number().int(),
  defaultLength: z.number().int(),
  minimumLifetimeInMinutes: z.number().int(),
  maximumLifetimeInMinutes: z.number().int(),
  isUsableOnce: z.boolean(),
  includeTargets: z.array(Target).nullable().optional(),
  excludeTargets: z.array(Target).nullable().optional(),
});

/** fido2KeyRestrictions: every property nullable in the CSDL; an unknown enforcement is judged as unknown. */
const KeyRestrictions = z.object({
  isEnforced: z.boolean().nullable().optional(),
  enforcementType: z.enum(['allow', 'block', 'unknownFutureValue']).nullable().optional(),
  // A collection is [] rather than null in OData JSON; null is read as the empty list all the same.
  aaGuids: z.array(z.string()).nullable().optional(),
});

/** passkeyProfile (v1.0): a profile Graph names but whose settings are missing is judged as unknown, never refused. */
const PasskeyProfile = z.object({
  id: z.string().min(1),
  name: nullableString,
  attestationEnforcement: z.enum(['disabled', 'registrationOnly', 'unknownFutureValue']).nullable().optional(),
  keyRestrictions: KeyRestrictions.nullable().optional(),
  /** Flags, as OData writes them: "deviceBound,synced". */
  passkeyTypes: nullableString,
});

/** passkeyAuthenticationMethodTarget: the legacy answer has no allowedPasskeyProfiles. */
const PasskeyTarget = Target.extend({ allowedPasskeyProfiles: z.array(z.string()).nullable().optional() });

/**
 * fido2AuthenticationMethodConfiguration in both forms (common/keys.ts): the legacy `isAttestationEnforced` /
 * `keyRestrictions` and the passkey profiles. Either may be absent or null: the policy read never fails on them.
 */
export const GraphFido2Policy = z.object({
  state: z.enum(['enabled', 'disabled']),
  isSelfServiceRegistrationAllowed: z.boolean(),
  isAttestationEnforced: z.boolean().nullable().optional(),
  keyRestrictions: KeyRestrictions.nullable().optional(),
  defaultPasskeyProfile: nullableString,
  passkeyProfiles: z.array(PasskeyProfile).nullable().optional(),
  includeTargets: z.array(PasskeyTarget).nullable().optional(),
  excludeTargets: z.array(Target).nullable().optional(),
});

/**
 * The properties a schema above refuses as null although the CSDL allows null, each with why the station truly
 * needs it (issue 10, 3h). None of them is read after a pass exists, except the pass itself and its id. The
 * CSDL conformance test (test/directory/schemas-csdl.test.ts) fails when a schema refuses null elsewhere, or
 * when an entry here no longer matches a schema.
 */
export const REQUIRED_DESPITE_CSDL: Record<string, string> = {
  'GraphUser.userPrincipalName': 'Every Entra user has one (required on create); the person is named, searched and audited by it. Read before any pass exists.',
  'GraphUserList.userPrincipalName': 'As GraphUser.userPrincipalName: a search hit is shown and chosen by it.',
  'GraphCardUser.userPrincipalName': 'As GraphUser.userPrincipalName: the card and the audit record name the person by it.',
  'GraphCardUser.accountEnabled': 'A person whose enabled state is unknown cannot be judged at pre-flight. Read before any pass exists.',
  'GraphIssuedTap.temporaryAccessPass': 'The pass itself: a 201 without it delivered nothing to hand over (the issuer then deletes the pass by id).',
  'GraphTapPolicy.state': 'Pre-flight, before any pass exists: a policy whose state is unknown cannot be judged; the read is reported as malformed.',
  'GraphTapPolicy.defaultLifetimeInMinutes': 'Pre-flight only (see state): the policy is judged whole or not at all.',
  'GraphTapPolicy.defaultLength': 'Pre-flight only (see state).',
  'GraphTapPolicy.minimumLifetimeInMinutes': 'Pre-flight only (see state): the lifetime asked for comes from it.',
  'GraphTapPolicy.maximumLifetimeInMinutes': 'Pre-flight only (see state).',
  'GraphTapPolicy.isUsableOnce': 'Pre-flight only (see state): decides one-time or multi-use.',
  'GraphFido2Policy.state': 'Pre-flight only, before any pass exists: whether security keys may be registered at all.',
  'GraphFido2Policy.isSelfServiceRegistrationAllowed': 'Pre-flight only: without self-service set-up the person cannot register the key.',
};

// Passkey provisioning on behalf of a user (v1.0 webauthnCredentialCreationOptions; docs/reference/entra-graph.md
// 4.2). Only what the station uses is required: the relying party id, the user handle and the challenge.
const Descriptor = z.object({ id: z.string().min(1), type: nullableString });
export const GraphCreationOptions = z.object({
  challengeTimeoutDateTime: nullableString,
  publicKey: z.object({
    rp: z.object({ id: z.string().min(1), name: nullableString }),
    user: z.object({ id: z.string().min(1), name: nullableString, displayName: nullableString }),
    challenge: z.string().min(1),
    pubKeyCredParams: z
      .array(z.object({ type: nullableString, alg: z.number().int() }))
      .nullable()
      .optional(),
    timeout: z.number().nullable().optional(),
    excludeCredentials: z.array(Descriptor).nullable().optional(),
  }),
});
