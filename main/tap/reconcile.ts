// Leaving nothing behind when the pass cannot be handed out (issuer.ts step 5 and the withdrawal after a journal
// failure): reconciling a create that got no answer (list the person's passes, delete the one that is ours), the
// deletion through the station's retrying deleter, and what makes a pass "ours" (also crash recovery's test,
// recovery.ts).
import { auditEvents } from '../audit';
import type { TapMethod } from '../../common/directory';
import type { GraphFailure } from '../directory/failure';
import { TapDeleter, type DeletionOutcome, type TapDeleteReason, type TapRef } from './deleter';
import { TapIssueError, appendOrFail } from './issue-errors';
import type { AuditPort, TapDirectoryPort } from './ports';
import { systemTimers, type Timers } from './scheduling';

const SKEW_MS = 5 * 60_000;

/** What reconciling needs (a part of issuer.ts `TapIssuerDeps`). */
export interface ReconcileDeps {
  directory: Pick<TapDirectoryPort, 'listTaps' | 'deleteTap'>;
  audit: AuditPort;
  /** The station's deletion queue; reconciliation and the withdrawal after a journal failure delete through it so a failing DELETE is retried. */
  deleter?: TapDeleter;
  timers?: Timers;
  /** List attempts when reconciling (with 1 s, 2 s, ... between them). Default 3. */
  reconcileAttempts?: number;
  /** Station clock vs Graph's: a TAP created this long before the intent still counts as after it. Default 5 min. */
  clockSkewMs?: number;
}

export interface ReconcileInput {
  enrollmentId: string;
  intentId: string;
  user: { id: string; upn: string };
  intentAt: number;
  /** TAP ids the user held before the POST: not ours. */
  known: string[];
  failure: GraphFailure;
  cause: unknown;
}

export async function reconcile(input: ReconcileInput, deps: ReconcileDeps): Promise<TapIssueError> {
  const { enrollmentId, intentId, user, failure } = input;
  await deps.audit
    .append(
      auditEvents.failure({
        enrollmentId,
        step: 'tap.create',
        ...(failure.status !== undefined ? { status: failure.status } : {}),
        ...(failure.code ? { code: failure.code } : {}),
        ...(failure.requestId ? { requestId: failure.requestId } : {}),
        detail: 'No answer to the create call; reconciling with a list of the user\u2019s passes',
      }),
    )
    .catch(() => undefined);

  const timers = deps.timers ?? systemTimers;
  const attempts = Math.max(1, deps.reconcileAttempts ?? 3);
  let taps: TapMethod[] | null = null;
  for (let attempt = 1; attempt <= attempts && taps === null; attempt += 1) {
    try {
      taps = await deps.directory.listTaps(user.id);
    } catch {
      if (attempt < attempts) await new Promise<void>((resolve) => timers.setTimeout(resolve, 1000 * 2 ** (attempt - 1)));
    }
  }
  if (taps === null) {
    return new TapIssueError(
      'unresolved',
      'The pass could not be delivered, and Microsoft Graph could not be asked whether it was created. The station will check again and delete it if it exists.',
      { intentId, failure },
      { cause: input.cause },
    );
  }

  const ours = taps.find((tap) => isOurs(tap, input.intentAt, input.known, deps.clockSkewMs ?? SKEW_MS));
  if (!ours) {
    await appendOrFail(deps.audit, auditEvents.tapNotCreated({ enrollmentId, intentId, user, reason: 'none-found-at-reconciliation' }), intentId);
    return new TapIssueError(
      'not-delivered',
      'The pass could not be delivered; nothing was left behind. Try again.',
      { intentId, failure },
      { cause: input.cause },
    );
  }

  const ref = { intentId, enrollmentId, user, tapMethodId: ours.id };
  const outcome = await deleteThroughQueue(deps, ref, 'reconciliation');
  if (outcome.deleted) {
    return new TapIssueError(
      'not-delivered',
      'The pass could not be delivered; nothing was left behind. Try again.',
      { intentId, failure, deletedTapMethodId: ours.id },
      { cause: input.cause },
    );
  }
  return new TapIssueError(
    'unresolved',
    'The pass could not be delivered; the pass Microsoft created could not be deleted yet. The station keeps trying.',
    { intentId, failure, pendingTapMethodId: ours.id },
    { cause: input.cause },
  );
}

/** Deletes through the station's deleter (retried until gone); without one, a one-off deleter that stops after its first attempt. */
export async function deleteThroughQueue(deps: ReconcileDeps, ref: TapRef, reason: TapDeleteReason): Promise<DeletionOutcome> {
  const deleter = deps.deleter ?? new TapDeleter({ directory: deps.directory, audit: deps.audit, ...(deps.timers ? { timers: deps.timers } : {}) });
  const outcome = await deleter.delete(ref, reason);
  if (!deps.deleter && !outcome.deleted) deleter.stop();
  return outcome;
}

/** A TAP the POST after the intent created: not one the user held before, and not older than the intent. */
export function isOurs(tap: TapMethod, intentAt: number, known: readonly string[], skewMs = SKEW_MS): boolean {
  if (known.some((id) => id.toLowerCase() === tap.id.toLowerCase())) return false;
  const created = Date.parse(tap.createdDateTime);
  return Number.isFinite(created) ? created >= intentAt - skewMs : true;
}
