/**
 * Main's texts are English; the screen translates what it can from stable codes and params, and falls back to
 * main's English text for a code it does not know (a newer main, a Graph message). Pure: returns i18n keys.
 */
import type { KeyStatus, OperatorView, PreflightCheck, SessionError } from '../../../common/session';

export interface Msg {
  key: string;
  params?: Record<string, string | number>;
  /** Shown when `key` has no translation. */
  fallback: string;
}

export function capabilityMsg(capability: OperatorView['capability']): Msg {
  return { key: `capability.${capability}`, fallback: capability };
}

const str = (v: string | number | undefined): string | undefined => (v === undefined ? undefined : String(v));

/** A pre-flight check → its translation key. `key` is the snapshot's key status (for key-ready's variants). */
export function checkMsg(check: PreflightCheck, key?: KeyStatus): Msg {
  const fallback = check.text;
  const p = check.params;
  const base = `check.${check.code}`;
  switch (check.code) {
    case 'tap-policy-targets-user':
    case 'fido2-policy-targets-user': {
      const why = str(p.why);
      return why ? { key: `${base}.${why}`, fallback } : { key: `${base}.no-targets`, fallback };
    }
    case 'lifetime-in-bounds':
      return { key: `${base}.${check.status}`, params: { minutes: p.minutes ?? '', min: p.min ?? '', max: p.max ?? '' }, fallback };
    case 'operator-may-act':
      return { key: `${base}.${check.status}`, params: { role: p.role ?? '' }, fallback };
    case 'one-time':
      if (check.status === 'warn') return { key: `${base}.warn-${/forces/i.test(check.text) ? 'forced' : 'multi-use'}`, fallback };
      return { key: `${base}.${check.status}`, fallback };
    case 'key-ready':
      return keyReadyMsg(check, key);
    default:
      return { key: `${base}.${check.status}`, fallback };
  }
}

function keyReadyMsg(check: PreflightCheck, key: KeyStatus | undefined): Msg {
  const fallback = check.text;
  const p = check.params;
  const model = str(p.model);
  switch (check.status) {
    case 'pass':
      return { key: 'check.key-ready.pass', params: { model: model ?? '' }, fallback };
    case 'warn':
      return { key: 'check.key-ready.warn', params: { model: model ?? '', note: str(p.note) ?? '' }, fallback };
    case 'unknown':
      return model ? { key: 'check.key-ready.unchecked', params: { model }, fallback } : { key: 'check.key-ready.reader-unavailable', fallback };
    case 'fail':
      if (p.reason !== undefined) return { key: `reason.${String(p.reason)}`, params: { model: model ?? '' }, fallback };
      if (model !== undefined) return { key: 'check.key-ready.reading', fallback };
      if (key?.presence === 'multiple') return { key: 'check.key-ready.multiple', fallback };
      return { key: 'check.key-ready.none', fallback };
  }
}

/** A key readiness reason (keys/readiness.ts) → its translation key. */
export function reasonMsg(reason: { code: string; text: string; params?: Readonly<Record<string, string | number>> | undefined }): Msg {
  return { key: `reason.${reason.code}`, params: { ...(reason.params ?? {}) }, fallback: reason.text };
}

/** A session error → its translation key; the lifetime refusal keeps its range. */
export function errorMsg(error: Pick<SessionError, 'code' | 'text'>): Msg {
  if (error.code === 'tap.lifetime-refused') {
    const range = /(\d+) to (\d+)/.exec(error.text);
    if (range) return { key: 'error.tap.lifetime-refused-range', params: { min: range[1] as string, max: range[2] as string }, fallback: error.text };
  }
  return { key: `error.${error.code}`, fallback: error.text };
}

/** main's `next` sentences (snapshot.ts) → keys. */
const NEXT: Record<string, string> = {
  'Check the message, then start again for this person or serve the next one.': 'next.after-failure',
  'Issue a new pass if the person is still at the desk.': 'next.after-timeout',
};
export function nextMsg(next: string): Msg {
  return { key: NEXT[next] ?? 'next.unknown', fallback: next };
}

/** The snapshot's keyWarning has one English sentence today (the key was unplugged). */
export function keyWarningMsg(warning: string): Msg {
  return { key: /unplugged/i.test(warning) ? 'keyWarning.unplugged' : 'keyWarning.unknown', fallback: warning };
}

export type Resolve = (key: string, params?: Record<string, string | number>) => string | null;

/** Resolve a message with a translator that answers null for a missing key. */
export function render(msg: Msg, resolve: Resolve): string {
  return resolve(msg.key, msg.params) ?? msg.fallback;
}
