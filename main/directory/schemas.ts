// What Graph answers, as zod schemas: the one place a Graph response is checked (gateway.ts parses every body
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
});
export type GraphUser = z.infer<typeof GraphUser>;

export const GraphUserList = z.object({ value: z.array(GraphUser) });

/** The identity card needs these: a user whose enabled state is not known cannot be judged. */
export const GraphCardUser = GraphUser.extend({ accountEnabled: z.boolean() });

export const GraphTap = z.object({
  id: z.string().min(1),
  createdDateTime: z.string().min(1),
  startDateTime: z.string().min(1),
  lifetimeInMinutes: z.number().int(),
  isUsableOnce: z.boolean(),
  isUsable: z.boolean(),
  methodUsabilityReason: z.string(),
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

export const GraphFido2Policy = z.object({
  state: z.enum(['enabled', 'disabled']),
  isSelfServiceRegistrationAllowed: z.boolean(),
  isAttestationEnforced: z.boolean(),
  keyRestrictions: z
    .object({
      isEnforced: z.boolean(),
      enforcementType: z.enum(['allow', 'block']),
      aaGuids: z.array(z.string()),
    })
    .nullable()
    .optional(),
  includeTargets: z.array(Target).nullable().optional(),
  excludeTargets: z.array(Target).nullable().optional(),
});
