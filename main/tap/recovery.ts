/**
 * Crash recovery: at start (as soon as an operator token lets us call Graph), and again when the audit journal
 * resumes after an outage (a deletion done at Graph while it was down is not in it yet), every TAP the journal shows as
 * intended or issued but neither deleted nor not-created (`pendingTaps(folder, station)`) is found at Graph and
 * deleted, and the outcome recorded.
 *
 * - issued (the journal knows the method id), or a deletion that was still failing: delete it by id through the
 *   deleter (reason `crash-recovery`; 404 means already gone, which counts as deleted). A deletion that keeps
 *   failing stays in the deleter's queue, its attempt count carried on from the journal.
 * - intent only (the process died between the intent and the POST's answer): list the user's TAPs; one created
 *   after the intent (allowing for clock skew) that is not the TAP the intent was to replace is ours: delete it.
 *   None: `tap.not-created` (`none-found-at-recovery`).
 * - Graph cannot be asked (down, or no token yet): `unresolved`; nothing is recorded, so the journal still
 *   lists it and the next call (or start) tries again.
 *
 * Only records signed with the station's key are acted on (audit `checkedPendingTaps`): a TAP record planted
 * or edited by someone who can write the journal folder but lacks the key (say, a forged `tap.intent` naming
 * another user, which would make the station delete that user's pass) is returned in `rejected` for an
 * administrator and never acted on.
 *
 * It wipes nothing itself: `wipeSession` tells the session a previous enrollment ended in a crash, so it wipes
 * the browser session and records `session.wiped` (reason `crash-recovery`).
 */
import { auditEvents, checkedPendingTaps, type PendingTap, type RejectedRecord, type StationKeyring } from '../audit';
import type { TapMethod } from '../../common/directory';
import type { AuditPort, TapDirectoryPort } from './ports';
import { graphFailure, type GraphFailure } from '../directory/failure';
import { isOurs } from './reconcile';
import type { TapDeleter } from './deleter';

export interface RecoveryDeps {
  directory: Pick<TapDirectoryPort, 'listTaps'>;
  audit: AuditPort;
  /** The station's deletion queue (it owns retries). */
  deleter: TapDeleter;
  /** Station clock vs Graph's; default 5 minutes. */
  clockSkewMs?: number;
  /**
   * An open TAP a live enrollment of this process still owns (asked just before acting on each): left alone, its
   * own clean-up settles it. Recovery run while the station works (after sign-in, after the journal resumed) must
   * never delete the pass in the hands of the person at the desk.
   */
  ownedByLiveEnrollment?: (tap: PendingTap) => boolean;
}

export type RecoveryOutcome =
  /** The TAP was deleted (or Graph said it was already gone). */
  | 'deleted'
  /** The POST never created a TAP. */
  | 'not-created'
  /** Found, but the deletion failed: it is pending in the deleter, retried until it succeeds. */
  | 'delete-pending'
  /** Graph could not be asked; the journal still lists it for the next attempt. */
  | 'unresolved';

export interface RecoveryItem {
  intentId: string;
  enrollmentId: string | undefined;
  user: { id: string; upn: string };
  /** What the journal showed. */
  state: PendingTap['state'];
  outcome: RecoveryOutcome;
  tapMethodId: string | undefined;
  failure: GraphFailure | undefined;
}

export interface RecoveryReport {
  items: RecoveryItem[];
  /** A previous enrollment ended without cleaning up: wipe the browser session and record it. */
  wipeSession: boolean;
  /** Enrollment ids of the interrupted enrollments, for the `session.wiped` records. */
  interruptedEnrollments: string[];
  /** Journal lines about a TAP that are not signed with the station's key: not acted on, for an administrator. */
  rejected: RejectedRecord[];
}

/** Find and delete every TAP the journal shows this station may have left at Microsoft. */
export async function recoverTaps(where: { folder: string; stationId: string; keyring?: StationKeyring }, deps: RecoveryDeps): Promise<RecoveryReport> {
  const { pending, rejected } = await checkedPendingTaps(where.folder, where.stationId, where.keyring);
  const items: RecoveryItem[] = [];
  const settled: PendingTap[] = [];
  for (const tap of pending) {
    if (deps.ownedByLiveEnrollment?.(tap)) continue;
    settled.push(tap);
    items.push(await reconcileIntent(tap, deps));
  }
  return {
    items,
    wipeSession: settled.length > 0,
    interruptedEnrollments: [...new Set(settled.flatMap((p) => (p.enrollmentId ? [p.enrollmentId] : [])))],
    rejected,
  };
}

/** Settle one open journal entry: find its TAP at Graph and delete it, or record that there is none. */
export async function reconcileIntent(tap: PendingTap, deps: RecoveryDeps): Promise<RecoveryItem> {
  const base = { intentId: tap.intentId, enrollmentId: tap.enrollmentId, user: tap.user, state: tap.state };
  let tapMethodId = tap.tapMethodId;
  if (tapMethodId === undefined) {
    let taps: TapMethod[];
    try {
      taps = await deps.directory.listTaps(tap.user.id);
    } catch (error) {
      return { ...base, outcome: 'unresolved', tapMethodId: undefined, failure: graphFailure(error) };
    }
    const known = tap.replacesTapMethodId ? [tap.replacesTapMethodId] : [];
    const ours = taps.find((candidate) => isOurs(candidate, Date.parse(tap.intentAt), known, deps.clockSkewMs));
    if (!ours) {
      await deps.audit.append(
        auditEvents.tapNotCreated({
          ...(tap.enrollmentId ? { enrollmentId: tap.enrollmentId } : {}),
          intentId: tap.intentId,
          user: tap.user,
          reason: 'none-found-at-recovery',
        }),
      );
      return { ...base, outcome: 'not-created', tapMethodId: undefined, failure: undefined };
    }
    tapMethodId = ours.id;
  }
  const outcome = await deps.deleter.delete({ intentId: tap.intentId, enrollmentId: tap.enrollmentId, user: tap.user, tapMethodId }, 'crash-recovery', {
    priorAttempts: tap.deleteAttempts,
  });
  return outcome.deleted
    ? { ...base, outcome: 'deleted', tapMethodId, failure: undefined }
    : { ...base, outcome: 'delete-pending', tapMethodId, failure: outcome.pending.lastFailure ?? undefined };
}
