/**
 * Main sends codes with typed parameters (common/codes.ts); this maps each to its key in the locale files
 * (i18n/{en,de}.json), which hold every word. Pure, and never reads text: the key is a function of the code
 * (and, for a few codes, of a parameter that is itself a code).
 */
import type { EnrollmentOutcome } from '../../../common/contract';
import type {
  FreshSignInCode,
  InterruptCode,
  IssueNotice,
  JournalHealthCode,
  KeyWarningCode,
  NextActionCode,
  PreflightCheck,
  ReadinessReason,
  StationNote,
} from '../../../common/codes';
import type { EventNotice } from '../../../common/event-codes';
import type { ProvisionError, RecycleOutcome } from '../../../common/provision-codes';
import type { OperatorView, SessionError } from '../../../common/session';

export interface Msg {
  key: string;
  params?: Record<string, string | number>;
}

export function capabilityMsg(capability: OperatorView['capability']): Msg {
  return { key: `capability.${capability}` };
}

/** A pre-flight check → its translation key; a key refused for a readiness reason says that reason. */
export function checkMsg(check: PreflightCheck): Msg {
  if (check.finding === 'key-ready.refused') return { key: `reason.${check.params.reason}`, params: { model: check.params.model } };
  if (check.finding === 'event-claim.held-elsewhere') return heldMsg('check.event-claim.held-elsewhere', check.params);
  return { key: `check.${check.finding}`, params: { ...check.params } };
}

/** An event-mode notice (common/codes.ts EVENT_CODES) → its key; a claim held elsewhere says when its pass was issued. */
export function eventMsg(notice: EventNotice): Msg {
  if (notice.code === 'event.held-elsewhere') return heldMsg(notice.code, notice.params);
  return { key: notice.code, params: { ...notice.params } };
}

/** "In progress at another station": with the time Graph gives the person's pass (HH:MM, station time) when it has one. */
function heldMsg(key: string, p: { passIssuedAt: string | null; ageMinutes: number }): Msg {
  if (!p.passIssuedAt) return { key, params: { ageMinutes: p.ageMinutes } };
  const d = new Date(p.passIssuedAt);
  const time = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  return { key: `${key}-pass`, params: { ageMinutes: p.ageMinutes, time } };
}

/** A key readiness reason (keys/readiness.ts) → its translation key. */
export function reasonMsg(reason: ReadinessReason): Msg {
  return { key: `reason.${reason.code}`, params: { ...reason.params } };
}

/** A session error → its translation key; the lifetime refusal names the policy's range when Graph did, a missing
 *  consent names the permission. */
/** A session error's code with its own parameters (a Pick over each member of the union, so they stay paired). */
export type ErrorWords = SessionError extends infer E ? (E extends SessionError ? Pick<E, 'code' | 'params'> : never) : never;

export function errorMsg(error: ErrorWords): Msg {
  if (error.code === 'tap.lifetime-refused' && error.params.range) {
    return { key: 'error.tap.lifetime-refused-range', params: { min: error.params.range.min, max: error.params.range.max } };
  }
  if (error.code === 'access.missing-permission') {
    return { key: 'error.access.missing-permission', params: { permission: error.params.permission } };
  }
  return { key: `error.${error.code}` };
}

export function nextMsg(next: NextActionCode): Msg {
  return { key: `next.${next}` };
}

export function keyWarningMsg(warning: KeyWarningCode): Msg {
  return { key: `keyWarning.${warning}` };
}

/** What to do once five minutes have passed since the sign-in (issue 10, 3f). */
export function freshMsg(code: FreshSignInCode): Msg {
  return { key: `userSide.${code}` };
}

/** Microsoft's registration interrupt (issue 10, 3g): for the person, then for the operator. */
export function interruptMsgs(code: InterruptCode): [Msg, Msg] {
  return [{ key: `userSide.${code}.person` }, { key: `userSide.${code}.operator` }];
}

/** An enrollment's outcome in the audit CSV (its own English words, common/contract.ts) → its translation key. */
const OUTCOME_KEY: Record<EnrollmentOutcome, string> = {
  registered: 'today.outcome.registered',
  'refused at pre-flight': 'today.outcome.refused-at-pre-flight',
  cancelled: 'today.outcome.cancelled',
  'timed out': 'today.outcome.timed-out',
  failed: 'today.outcome.failed',
  incomplete: 'today.outcome.incomplete',
};

export function outcomeMsg(outcome: EnrollmentOutcome): Msg {
  return { key: OUTCOME_KEY[outcome] };
}

/** Why the configuration, the tenant or the key reader is not working (main/station/status.ts) → its translation key. */
export function stationNoteMsg(note: StationNote): Msg {
  return { key: `station.note.${note.code}`, params: { ...note.params } };
}

/** A notice about how the pass was issued (common/codes.ts ISSUE_NOTICES); the policy's range when Graph named it. */
export function noticeMsg(notice: IssueNotice): Msg {
  const { requested, issued, min, max } = notice.params;
  if (min !== null && max !== null) return { key: `notice.${notice.code}-range`, params: { requested, issued, min, max } };
  return { key: `notice.${notice.code}`, params: { requested, issued } };
}

/** A provisioning failure (main/provision/) → its translation key; a wrong PIN says the tries left when known. */
export function provisionMsg(error: ProvisionError): Msg {
  if (error.code === 'key.wrong-pin' && error.params.retries !== null) {
    return { key: 'provision.error.key.wrong-pin-retries', params: { retries: error.params.retries } };
  }
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(error.params)) if (typeof v === 'string' || typeof v === 'number') params[k] = v;
  return { key: `provision.error.${error.code}`, params };
}

/** Resetting a returned key: its outcome (common/codes.ts RECYCLE_OUTCOMES) → its translation key. */
export function recycleMsg(outcome: RecycleOutcome): Msg {
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(outcome.params)) if (typeof v === 'string' || typeof v === 'number') params[k] = v;
  return { key: `recycle.outcome.${outcome.code.slice('recycle.'.length)}`, params };
}

/** The audit journal's health → what it means, and (when not ok) what to do. */
export function journalHealthMsg(health: JournalHealthCode): Msg {
  return { key: `station.journal.${health}` };
}

export function journalTodoMsg(health: Exclude<JournalHealthCode, 'ok'>): Msg {
  return { key: `station.journal.todo-${health}` };
}
