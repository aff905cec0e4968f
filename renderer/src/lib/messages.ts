/**
 * Main sends codes with typed parameters (common/codes.ts); this maps each to its key in the locale files
 * (i18n/{en,de}.json), which hold every word. Pure, and never reads text: the key is a function of the code
 * (and, for a few codes, of a parameter that is itself a code).
 */
import type { KeyWarningCode, NextActionCode, PreflightCheck, ProvisionError, ReadinessReason } from '../../../common/codes';
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
  return { key: `check.${check.finding}`, params: { ...check.params } };
}

/** A key readiness reason (keys/readiness.ts) → its translation key. */
export function reasonMsg(reason: ReadinessReason): Msg {
  return { key: `reason.${reason.code}`, params: { ...reason.params } };
}

/** A session error → its translation key; the lifetime refusal names the policy's range when Graph did. */
export function errorMsg(error: Pick<SessionError, 'code' | 'params'>): Msg {
  if (error.code === 'tap.lifetime-refused' && error.params.range) {
    return { key: 'error.tap.lifetime-refused-range', params: { min: error.params.range.min, max: error.params.range.max } };
  }
  return { key: `error.${error.code}` };
}

export function nextMsg(next: NextActionCode): Msg {
  return { key: `next.${next}` };
}

export function keyWarningMsg(warning: KeyWarningCode): Msg {
  return { key: `keyWarning.${warning}` };
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
