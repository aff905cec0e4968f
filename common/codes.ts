/**
 * Every message main sends the screen, as a code with typed parameters. Main never words a message for the
 * screen; the renderer's locale files (renderer/src/i18n/{en,de}.json) hold every word.
 *
 * Each closed set is one object: code → zod schema of its parameters (coded.ts: how a set is written). Here: key
 * readiness, pre-flight, session errors, the station's notes, issue notices, the short notices and the journal's
 * health. Event mode's codes are in event-codes.ts, provisioning's and recycling's in provision-codes.ts.
 * Node-free, zod only: the renderer and the preload import this file.
 */
import { z } from 'zod';
import { aaguid, codesOf, heldElsewhere, none, type CodeSchemas, type Coded } from './coded';

const remaining = z.strictObject({ remaining: z.int().min(0) });

// ---------------------------------------------------------------------------------------------------------------
// Key readiness (main/keys/readiness.ts): why a key will or will not be accepted.

export const READINESS_REASONS = {
  'key-unreadable': none,
  'u2f-only': none,
  'fido2-capable': none,
  'discoverable-supported': none,
  'discoverable-unsupported': none,
  'key-full': remaining,
  'room-left': remaining,
  'pin-set': none,
  'pin-to-create': none,
  'built-in-verification': none,
  'no-user-verification': none,
  'pin-change-required': none,
  'biometric-enrolled': none,
  'biometric-capable': none,
  'policy-unreadable': none,
  'policy-disabled': none,
  'self-service-not-allowed': none,
  'aaguid-allowed': aaguid,
  'aaguid-not-allowed': aaguid,
  'aaguid-blocked': aaguid,
  'restriction-unchecked': none,
  'attestation-required': none,
  'attestation-required-unlisted-model': aaguid,
  /** The passkey profile the key was judged against (`profile`: its name, else its id). */
  'passkey-profile': z.strictObject({ profile: z.string() }),
  /** Passkey profiles that may apply to the person (by group membership) judge this key differently. */
  'passkey-profiles-differ': none,
  /** The profile admits synced passkeys only; a security key is device-bound (the profile is named by `passkey-profile`). */
  'device-bound-not-allowed': none,
  /** The policy has a value the station does not know (`unknownFutureValue`, a missing setting or profile). */
  'policy-rule-unknown': none,
} as const satisfies CodeSchemas;
export type ReadinessCode = keyof typeof READINESS_REASONS;
export const READINESS_CODES = codesOf(READINESS_REASONS);

/** ok: a check passed; note: worth telling the user; blocker: registration will fail; unknown: not checkable. */
export type ReasonSeverity = 'ok' | 'note' | 'blocker' | 'unknown';
export type ReadinessReason = Coded<typeof READINESS_REASONS> & { readonly severity: ReasonSeverity };

// ---------------------------------------------------------------------------------------------------------------
// Pre-flight (main/enrollment/preflight.ts): one check per `PreflightCode`; what it found is a `PreflightFinding`
// named `<check>.<finding>`.

export const PREFLIGHT_CODES = [
  'account-enabled',
  'not-external-guest',
  'not-guest',
  'not-operator-self',
  'operator-may-act',
  'tap-policy-enabled',
  'tap-policy-targets-user',
  'lifetime-in-bounds',
  'one-time',
  'fido2-policy-enabled',
  'fido2-self-service',
  'fido2-policy-targets-user',
  'key-ready',
  'journal-writable',
  /** Event mode only: this station holds the person's claim (main/event/). */
  'event-claim',
] as const;
export type PreflightCode = (typeof PREFLIGHT_CODES)[number];

const role = z.strictObject({ role: z.string() });
const lifetime = z.strictObject({ minutes: z.number(), min: z.int(), max: z.int() });
const unreadable = z.strictObject({ requestId: z.string().optional() });
const model = z.strictObject({ model: z.string() });
const readinessCode = z.enum(READINESS_CODES);

export const PREFLIGHT_FINDINGS = {
  'account-enabled.pass': none,
  'account-enabled.fail': none,
  'not-external-guest.pass': none,
  'not-external-guest.fail': none,
  'not-guest.pass': none,
  'not-guest.fail': z.strictObject({ guest: z.enum(['internal', 'external']) }),
  'not-operator-self.pass': none,
  'not-operator-self.fail': none,
  'operator-may-act.pass': role,
  'operator-may-act.unknown': role,
  'operator-may-act.fail': role,
  'tap-policy-enabled.pass': none,
  'tap-policy-enabled.fail': none,
  /** The operator's role cannot read the policy (403); Graph's request id of that answer when there was one. */
  'tap-policy-enabled.unknown': unreadable,
  'tap-policy-targets-user.all-users': none,
  'tap-policy-targets-user.user': none,
  'tap-policy-targets-user.excluded': none,
  'tap-policy-targets-user.groups': none,
  'tap-policy-targets-user.not-listed': none,
  'lifetime-in-bounds.pass': lifetime,
  'lifetime-in-bounds.unknown': lifetime,
  'lifetime-in-bounds.fail': lifetime,
  'one-time.pass': none,
  /** The station asks for multi-use passes, the policy forces one-time use. */
  'one-time.warn-forced': none,
  'one-time.warn-multi-use': none,
  'one-time.unknown': none,
  'fido2-policy-enabled.pass': none,
  'fido2-policy-enabled.fail': none,
  'fido2-policy-enabled.unknown': unreadable,
  'fido2-self-service.pass': none,
  'fido2-self-service.fail': none,
  'fido2-policy-targets-user.all-users': none,
  'fido2-policy-targets-user.user': none,
  'fido2-policy-targets-user.excluded': none,
  'fido2-policy-targets-user.groups': none,
  'fido2-policy-targets-user.not-listed': none,
  /** The policy answer had no include targets. */
  'fido2-policy-targets-user.no-targets': none,
  'key-ready.pass': model,
  /** Ready, with a note (`note`: the first readiness reason of severity note). */
  'key-ready.warn': z.strictObject({ model: z.string(), note: readinessCode }),
  'key-ready.unchecked': model,
  'key-ready.reader-unavailable': none,
  'key-ready.reading': model,
  'key-ready.multiple': none,
  'key-ready.none': none,
  /** The key will be refused (`reason`: the readiness blocker). */
  'key-ready.refused': z.strictObject({ model: z.string(), reason: readinessCode }),
  /** The audit journal took a probe write just now (main/audit/journal.ts `probe`). */
  'journal-writable.pass': none,
  /** It did not (JOURNAL_HEALTH_CODES below): nothing may be spent, since it could not be recorded. */
  'journal-writable.full': none,
  'journal-writable.read-only': none,
  'journal-writable.unwritable': none,
  'event-claim.pass': none,
  'event-claim.held-elsewhere': heldElsewhere,
  'event-claim.already-done': none,
  'event-claim.not-on-roster': none,
  'event-claim.not-group-owner': none,
  /** No claim: Graph did not answer or refused otherwise; nothing is issued. */
  'event-claim.failed': none,
} as const satisfies CodeSchemas;
export type PreflightFinding = keyof typeof PREFLIGHT_FINDINGS;
export const PREFLIGHT_FINDING_CODES = codesOf(PREFLIGHT_FINDINGS);

/** The check a finding belongs to: `'key-ready.none'` → `'key-ready'`. */
export type CheckOf<F extends string> = F extends `${infer C}.${string}` ? C : never;
type Assert<T extends true> = T;
/** Compile-time: every finding starts with the code of a check (a type error here means one does not). */
export type FindingsNameTheirCheck = Assert<CheckOf<PreflightFinding> extends PreflightCode ? true : false>;

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'unknown';

/** One pre-flight check: which check, its status, and what it found (with the finding's parameters). */
export type PreflightCheck = { readonly code: PreflightCode; readonly status: CheckStatus } & Coded<typeof PREFLIGHT_FINDINGS, 'finding'>;

// ---------------------------------------------------------------------------------------------------------------
// Session errors (main/enrollment/failures.ts): what went wrong, one code per meaning.

export const SESSION_ERRORS = {
  // Any step: the directory's classification of the failed Graph call (main/directory/errors.ts).
  'graph.bad-input': none,
  'graph.not-found': none,
  'graph.forbidden': none,
  'graph.bad-request': none,
  'graph.throttled': none,
  'graph.unavailable': none,
  'graph.network': none,
  'graph.timeout': none,
  'graph.unauthenticated': none,
  // Any step, Graph said 403 and the station can tell why (main/directory/access.ts `forbiddenCause`).
  /** The app registration is not consented for a permission the call needs (`permission`: the one to consent). */
  'access.missing-permission': z.strictObject({ permission: z.string() }),
  /** The operator holds no directory role this call needs. */
  'access.missing-role': none,
  /** The operator's role does not reach this person (an administrator): Privileged Authentication Administrator does. */
  'access.target-out-of-reach': none,
  /** A failure nothing classified (not a Graph answer), or a failed state without an error. */
  unexpected: none,
  // Creating the pass.
  'tap.answer-lost': none,
  'tap.unresolved': none,
  'tap.existing': none,
  'tap.cancelled': none,
  /** Graph refused the lifetime; `range` is the policy's range when Graph's answer named it. */
  'tap.lifetime-refused': z.strictObject({ range: z.strictObject({ min: z.int(), max: z.int() }).nullable() }),
  'tap.policy-excludes-user': none,
  'tap.external-guest': none,
  'tap.one-time-required': none,
  /** 403: the operator's role does not reach this user (an administrator), or it is their own account. */
  'tap.not-permitted-for-target': none,
  /** The account was created minutes ago; Microsoft still could not add a pass after three minutes of retries. */
  'tap.account-too-new': none,
  'tap.refused': none,
  /** The journal could not record the intent (or an outcome): nothing was requested from Microsoft. */
  'audit.failed': none,
  /** The journal could not record the pass Microsoft had just created: it was withdrawn (deleted) and not shown. */
  'audit.withdrawn': none,
  /** Lost key: the journal cannot be written, so no key was removed and no sign-in session revoked (refused up front). */
  'audit.lost-key-refused': none,
  /** Lost key: Microsoft removed the key or revoked the sessions, but the journal failed to record it just then. */
  'audit.lost-key-unrecorded': none,
  // The station's own steps.
  'operator.token-revoked': none,
  'view.failed': none,
  'cleanup.failed': none,
} as const satisfies CodeSchemas;
export type SessionErrorCode = keyof typeof SESSION_ERRORS;
export const SESSION_ERROR_CODES = codesOf(SESSION_ERRORS);

// ---------------------------------------------------------------------------------------------------------------
// The station's own status (main/station/status.ts): why the configuration, the tenant or the key reader is not
// working. `detail` is the underlying error's own text (the configuration loader's, the network's, the operating
// system's), shown as it is beneath the translated sentence.

const detail = z.strictObject({ detail: z.string() });
export const STATION_NOTES = {
  /** No configuration error was reported, yet there is no configuration. */
  'config.missing': none,
  'config.invalid': detail,
  /** The configuration loaded, but the station could not start (typically the audit journal). */
  'config.start-failed': detail,
  /** The configuration file or the journal folder is less protected than the installer leaves it (main/kiosk/acl-check.ts):
   *  `path`: which, `detail`: what is loose (acl-policy.ts problem names, comma-separated). No session starts. */
  'config.protection-loose': z.strictObject({ path: z.string(), detail: z.string() }),
  'tenant.http-status': z.strictObject({ status: z.int() }),
  'tenant.no-answer': detail,
  'key-reader.failed': detail,
} as const satisfies CodeSchemas;
export type StationNoteCode = keyof typeof STATION_NOTES;
export type StationNote = Coded<typeof STATION_NOTES>;
export const STATION_NOTE_CODES = codesOf(STATION_NOTES);
// Issuing the pass (main/tap/issuer.ts): what the operator is told about a pass that was issued, or is being.

export const ISSUE_NOTICES = {
  /** The pass was issued with another lifetime than asked for, to fit the tenant's policy (learnt from Graph's
   *  refusal); `min`/`max`: the policy's range as far as Graph named it. */
  'tap.lifetime-adjusted-to-policy': z.strictObject({ requested: z.int(), issued: z.int(), min: z.int().nullable(), max: z.int().nullable() }),
} as const satisfies CodeSchemas;
export type IssueNoticeCode = keyof typeof ISSUE_NOTICES;
export const ISSUE_NOTICE_CODES = codesOf(ISSUE_NOTICES);
export type IssueNotice = Coded<typeof ISSUE_NOTICES>;

// ---------------------------------------------------------------------------------------------------------------
// Short notices without parameters.

/** While the person signs in or registers: the key at the desk is gone (unplugged, or more than one). */
export const KEY_WARNING_CODES = ['unplugged'] as const;
export type KeyWarningCode = (typeof KEY_WARNING_CODES)[number];

/** While the pass is being issued: why the station waits (the account was created minutes ago, issue 10, 3o). */
export const ISSUING_WAIT_CODES = ['tap.account-too-new'] as const;
export type IssuingWaitCode = (typeof ISSUING_WAIT_CODES)[number];

/**
 * While the person registers in My Security Info (issue 10, 3f): what to do once five minutes have passed since the
 * sign-in (common/session.ts, FRESH_SIGN_IN_MS): sign in again with the same pass (multi-use and still valid), or
 * stop and issue a new pass (a one-time pass is spent, or the pass ends first).
 */
export const FRESH_SIGN_IN_CODES = ['fresh.sign-in-again', 'fresh.new-pass'] as const;
export type FreshSignInCode = (typeof FRESH_SIGN_IN_CODES)[number];

/** Microsoft's registration interrupt after the sign-in (issue 10, 3g): what the person and the operator do there. */
export const INTERRUPT_CODES = ['interrupt.registration'] as const;
export type InterruptCode = (typeof INTERRUPT_CODES)[number];

/** What the operator does next on a failed or timed-out enrollment. */
export const NEXT_ACTION_CODES = ['after-failure', 'after-timeout'] as const;
export type NextActionCode = (typeof NEXT_ACTION_CODES)[number];

// ---------------------------------------------------------------------------------------------------------------
/**
 * The audit journal's health, from its last write or probe (main/audit/health.ts `journalHealthOf`): `full`
 * (ENOSPC, EDQUOT), `read-only` (EROFS, EACCES, EPERM), `unwritable` (any other failure, a lost lock). The station
 * starts nothing that spends (pass, key removal, revocation) unless it is `ok`: what it cannot record must not
 * happen. It is probed again at each pre-flight and every few seconds while not `ok`; `ok` again lifts the block.
 */
export const JOURNAL_HEALTH_CODES = ['ok', 'full', 'read-only', 'unwritable'] as const;
export type JournalHealthCode = (typeof JOURNAL_HEALTH_CODES)[number];
