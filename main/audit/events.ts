/**
 * What the journal records: one zod discriminated union on `type`, the single source of truth for every
 * record's shape, plus one builder per type.
 *
 * The pass itself can never be written, by construction:
 * - every object is strict, so a stray `temporaryAccessPass` (say, a spread Graph response) is refused;
 * - no field anywhere may be named like a secret (`/pass|secret|token|credential/i`), checked at runtime
 *   over the whole event and in a test over the schema itself;
 * - free text is short and bounded, and the journal's `RedactionGuard` refuses any line that contains a pass
 *   it was told about (see redaction.ts).
 *
 * "lookup" records the kind of query and the number of hits, not what was typed: a prefix search touches
 * people who are not at the desk, and a badge scan is an identifier we have no reason to keep. The person
 * actually served is recorded once, at the identity check.
 */
import { z } from 'zod';

export const SECRET_FIELD = /pass|secret|token|credential/i;

const guid = z.guid();
const uuid = z.uuid();
const text = (max: number) => z.string().min(1).max(max);
const iso = z.iso.datetime({ offset: true });
/** Graph's request-id / client-request-id (GUIDs today; allow any short id). */
const requestId = z.string().regex(/^[A-Za-z0-9-]{1,100}$/);
/** Graph's authentication method ids: GUIDs for TAP, opaque base64url-ish strings for FIDO2. */
const methodId = z.string().regex(/^[A-Za-z0-9_=+/-]{1,200}$/);
/** A short machine code (pre-flight check, failing step, Graph error code). */
const code = z.string().regex(/^[A-Za-z0-9_.:-]{1,80}$/);

export const operatorRef = z.strictObject({ id: guid, upn: text(256) });
export const userRef = z.strictObject({ id: guid, upn: text(256) });

export const ID_DOCUMENTS = ['passport', 'national-id', 'residence-permit', 'driving-licence', 'employee-badge', 'known-personally', 'other'] as const;

export const TAP_DELETE_REASONS = [
  'completed',
  'cancelled',
  'window-expired',
  'lifetime-expired',
  'signed-out',
  'quit',
  'crash-recovery',
  'replaced',
  'failed',
  /** The create call's answer was lost (connection dropped, timeout) but the TAP exists: nobody can show its pass. */
  'reconciliation',
] as const;

export const auditEventSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('operator.signed-in'), operator: operatorRef, roles: z.array(text(100)).max(50) }),
    z.strictObject({ type: z.literal('operator.locked'), operator: operatorRef, reason: z.enum(['idle', 'manual']) }),
    z.strictObject({
      type: z.literal('operator.signed-out'),
      operator: operatorRef,
      reason: z.enum(['manual', 'quit', 'token-revoked', 'token-expired']),
    }),
    z.strictObject({
      type: z.literal('lookup'),
      enrollmentId: uuid,
      operator: operatorRef,
      queryKind: z.enum(['upn', 'mail', 'display-name', 'employee-id', 'badge']),
      results: z.int().min(0),
    }),
    z.strictObject({
      type: z.literal('identity.checked'),
      enrollmentId: uuid,
      operator: operatorRef,
      user: userRef,
      document: z.enum(ID_DOCUMENTS),
    }),
    z.strictObject({
      type: z.literal('preflight'),
      enrollmentId: uuid,
      user: userRef,
      verdict: z.enum(['go', 'refused']),
      /** Codes of the checks that did not pass (empty when the verdict is go). */
      failedChecks: z.array(code).max(50),
      /** The pass's; absent for `provision` (no pass). */
      lifetimeMinutes: z.int().min(10).max(43_200).optional(),
      oneTime: z.boolean().optional(),
      /** What the go was for: `provision`, the passkey made at the desk. Absent: the pass (TAP + My Security Info). */
      mode: z.literal('provision').optional(),
    }),
    z.strictObject({
      type: z.literal('tap.intent'),
      enrollmentId: uuid,
      intentId: uuid,
      operator: operatorRef,
      user: userRef,
      lifetimeMinutes: z.int().min(10).max(43_200),
      oneTime: z.boolean(),
      /** The user's TAP this one will replace (the operator confirmed): not ours if it is still there later. */
      replacesTapMethodId: methodId.optional(),
    }),
    z.strictObject({
      type: z.literal('tap.issued'),
      enrollmentId: uuid,
      intentId: uuid,
      user: userRef,
      tapMethodId: methodId,
      lifetimeMinutes: z.int().min(10).max(43_200),
      oneTime: z.boolean(),
      startDateTime: iso.optional(),
      requestId: requestId.optional(),
    }),
    z.strictObject({
      type: z.literal('tap.not-created'),
      enrollmentId: uuid.optional(),
      intentId: uuid,
      user: userRef,
      /**
       * Graph refused the POST; or the POST's answer was lost and the list call right after found no TAP created
       * after the intent (`none-found-at-reconciliation`); or crash recovery found none at the next start.
       */
      reason: z.enum(['graph-refused', 'none-found-at-reconciliation', 'none-found-at-recovery']),
      requestId: requestId.optional(),
    }),
    z.strictObject({
      type: z.literal('key.detected'),
      enrollmentId: uuid.optional(),
      aaguid: guid,
      model: text(120),
    }),
    z.strictObject({
      type: z.literal('signin.observed'),
      enrollmentId: uuid,
      user: userRef,
      via: z.enum(['tap-used', 'view-navigated']),
    }),
    z.strictObject({
      type: z.literal('key.registered'),
      enrollmentId: uuid,
      user: userRef,
      methodId,
      aaguid: guid,
      model: text(120),
      /** The registered key's AAGUID is the one attached to this station. */
      stationKey: z.boolean(),
    }),
    /**
     * Provisioning at the desk (main/provision/): the person's passkey made on the key, registered on their behalf
     * and proven by a verified assertion. The credential id only as its SHA-256 (hex); no PIN, no challenge.
     */
    z.strictObject({
      type: z.literal('key.provisioned'),
      enrollmentId: uuid,
      operator: operatorRef,
      user: userRef,
      methodId,
      aaguid: guid,
      model: text(120),
      credIdSha256: z.string().regex(/^[0-9a-f]{64}$/),
      /** The person chose the key's first PIN at the desk. */
      pinSetHere: z.boolean(),
      /** The station checked an assertion of the new credential against its public key. */
      proven: z.boolean(),
      requestId: requestId.nullable(),
    }),
    /**
     * A returned key reset at the desk (authenticatorReset) before it goes to the next person: which model, by
     * AAGUID and USB ids only (no serial number), and who did it. Nothing of the previous holder: the station
     * never reads the credentials it erases.
     */
    z.strictObject({
      type: z.literal('key.recycled'),
      operator: operatorRef,
      aaguid: guid,
      model: text(120),
      /** USB vendor:product, e.g. `1050:0407`. */
      vidPid: z.string().regex(/^[0-9a-f]{4}:[0-9a-f]{4}$/),
    }),
    /** Lost-key replacement: a security key the operator chose to remove, deleted at Microsoft. */
    z.strictObject({
      type: z.literal('key.removed'),
      enrollmentId: uuid,
      operator: operatorRef,
      user: userRef,
      methodId,
      aaguid: guid.nullable(),
      model: text(120).nullable(),
      requestId: requestId.nullable(),
    }),
    /** Lost-key replacement: the user's sign-in sessions revoked (refresh tokens invalidated). */
    z.strictObject({
      type: z.literal('sessions.revoked'),
      enrollmentId: uuid,
      operator: operatorRef,
      user: userRef,
      requestId: requestId.nullable(),
    }),
    z.strictObject({
      type: z.literal('tap.deleted'),
      enrollmentId: uuid.optional(),
      intentId: uuid,
      user: userRef,
      tapMethodId: methodId,
      reason: z.enum(TAP_DELETE_REASONS),
      requestId: requestId.optional(),
    }),
    z.strictObject({
      type: z.literal('tap.delete-failed'),
      enrollmentId: uuid.optional(),
      intentId: uuid,
      user: userRef,
      tapMethodId: methodId,
      attempt: z.int().min(1),
      status: z.int().min(0).max(999).optional(),
      code: code.optional(),
      requestId: requestId.optional(),
    }),
    z.strictObject({
      type: z.literal('session.wiped'),
      enrollmentId: uuid.optional(),
      reason: z.enum(['completed', 'cancelled', 'timed-out', 'failed', 'signed-out', 'crash-recovery']),
    }),
    z.strictObject({
      type: z.literal('failure'),
      enrollmentId: uuid.optional(),
      step: code,
      status: z.int().min(0).max(999).optional(),
      code: code.optional(),
      requestId: requestId.optional(),
      detail: z.string().max(300).optional(),
    }),
    /** Event mode: written before the station asks Graph to add the person to the claim group (main/event/). */
    z.strictObject({ type: z.literal('claim.intent'), claimId: uuid, operator: operatorRef, user: userRef, claimGroupId: guid }),
    /** Graph added the person to the claim group: this station holds the claim. */
    z.strictObject({ type: z.literal('claim.made'), claimId: uuid, user: userRef, requestId: requestId.optional() }),
    /** The claim was not made: held at another station (Graph's 400 "already exist"), or refused otherwise. */
    z.strictObject({
      type: z.literal('claim.refused'),
      claimId: uuid,
      user: userRef,
      reason: z.enum(['held-elsewhere', 'graph-refused', 'none-found-at-recovery']),
      status: z.int().min(0).max(999).optional(),
      code: code.optional(),
      requestId: requestId.optional(),
    }),
    /** The person left the claim group. `stale-by-operator`: another station's claim, released after a confirmation. */
    z.strictObject({
      type: z.literal('claim.released'),
      claimId: uuid,
      user: userRef,
      reason: z.enum(['done', 'cancelled', 'failed', 'timed-out', 'crash-recovery', 'stale-by-operator']),
      operator: operatorRef.optional(),
      ageMinutes: z.int().min(0).optional(),
      requestId: requestId.optional(),
    }),
    /**
     * Written by the journal itself when it opens and finds something to put right, or when it resumes after a
     * failed write (`resumed`, `since`: when the first write failed; records of that time are missing) (journal.ts).
     */
    z.strictObject({
      type: z.literal('journal.repaired'),
      kind: z.enum(['torn-line', 'head-missing', 'head-behind-files', 'head-ahead-of-files', 'head-mismatch', 'resumed']),
      file: text(200),
      line: z.int().min(1).optional(),
      bytes: z.int().min(0).optional(),
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
      headSeq: z.int().min(0).optional(),
      since: iso.optional(),
    }),
  ])
  .superRefine((event, ctx) => {
    for (const key of fieldNames(event)) {
      if (SECRET_FIELD.test(key)) ctx.addIssue({ code: 'custom', message: `field "${key}" is named like a secret` });
    }
  });

export type AuditEvent = z.output<typeof auditEventSchema>;
export type AuditEventType = AuditEvent['type'];
export type EventOf<T extends AuditEventType> = Extract<AuditEvent, { type: T }>;
export type Payload<T extends AuditEventType> = Omit<EventOf<T>, 'type'>;

/** A record builder refused its input (a wrong or extra field). The message never echoes values. */
export class AuditEventError extends Error {
  override readonly name = 'AuditEventError';
  constructor(
    readonly type: string,
    readonly fields: string[],
  ) {
    super(`audit event "${type}" is not valid at ${fields.join(', ') || 'the top level'}`);
  }
}

/** Validate an event, reporting only field paths (values might be exactly what must not be logged). */
export function parseEvent(input: unknown): AuditEvent {
  const result = auditEventSchema.safeParse(input);
  if (result.success) return result.data;
  const type = typeof input === 'object' && input !== null ? String((input as { type?: unknown }).type) : typeof input;
  const fields = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k].join('.')) : [issue.path.join('.') || '(event)'],
  );
  throw new AuditEventError(type, fields);
}

function build<T extends AuditEventType>(type: T): (payload: Payload<T>) => EventOf<T> {
  return (payload) => parseEvent({ ...payload, type }) as EventOf<T>;
}

/** The Graph TAP object as the create call returns it; the builder copies what it may and nothing else. */
export interface GraphTapMethod {
  id: string;
  lifetimeInMinutes: number;
  isUsableOnce: boolean;
  startDateTime?: string | null;
  temporaryAccessPass?: string | null;
  [other: string]: unknown;
}

/** One builder per record type. Each validates; none passes anything through that it did not name. */
export const auditEvents = {
  operatorSignedIn: build('operator.signed-in'),
  operatorLocked: build('operator.locked'),
  operatorSignedOut: build('operator.signed-out'),
  lookup: build('lookup'),
  identityChecked: build('identity.checked'),
  preflight: build('preflight'),
  tapIntent: build('tap.intent'),
  /** From Graph's 201 response: the method id, lifetime and one-time flag, never `temporaryAccessPass`. */
  tapIssued: (input: {
    enrollmentId: string;
    intentId: string;
    user: EventOf<'tap.issued'>['user'];
    method: GraphTapMethod;
    requestId?: string;
  }): EventOf<'tap.issued'> =>
    build('tap.issued')({
      enrollmentId: input.enrollmentId,
      intentId: input.intentId,
      user: input.user,
      tapMethodId: input.method.id,
      lifetimeMinutes: input.method.lifetimeInMinutes,
      oneTime: input.method.isUsableOnce,
      ...(input.method.startDateTime ? { startDateTime: input.method.startDateTime } : {}),
      ...(input.requestId ? { requestId: input.requestId } : {}),
    }),
  tapNotCreated: build('tap.not-created'),
  keyDetected: build('key.detected'),
  signinObserved: build('signin.observed'),
  keyRegistered: build('key.registered'),
  keyProvisioned: build('key.provisioned'),
  keyRemoved: build('key.removed'),
  keyRecycled: build('key.recycled'),
  sessionsRevoked: build('sessions.revoked'),
  tapDeleted: build('tap.deleted'),
  tapDeleteFailed: build('tap.delete-failed'),
  sessionWiped: build('session.wiped'),
  failure: build('failure'),
  claimIntent: build('claim.intent'),
  claimMade: build('claim.made'),
  claimRefused: build('claim.refused'),
  claimReleased: build('claim.released'),
} as const;

/** Every key in a parsed event, at any depth. */
function fieldNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(fieldNames);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...fieldNames(inner)]);
}
