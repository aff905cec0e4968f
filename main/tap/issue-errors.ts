// The TAP issuer's typed outcomes (issuer.ts): what went wrong, as a code the session branches on
// (enrollment/failures.ts → a code of common/codes.ts), with the ids and the Graph failure that explain it.
// Messages are fixed text: no error built here holds the pass.
import type { TapMethod } from '../../common/directory';
import type { GraphFailure } from '../directory/failure';
import type { AuditPort } from './ports';

/** `journal-failed`: nothing was requested (or nothing exists); `journal-failed-withdrawn`: the pass Graph created
 *  could not be recorded, so it was handed to the deleter (retried until gone) and never shown. */
export type TapIssueErrorCode =
  'existing-tap' | 'graph-refused' | 'not-delivered' | 'unresolved' | 'journal-failed' | 'journal-failed-withdrawn' | 'cancelled' | 'account-not-ready';

export class TapIssueError extends Error {
  override readonly name = 'TapIssueError';
  constructor(
    readonly code: TapIssueErrorCode,
    message: string,
    readonly details: {
      intentId?: string;
      /** existing-tap: the TAP the user holds. */
      existing?: TapMethod;
      /** graph-refused, not-delivered, unresolved: the failure of the create call. */
      failure?: GraphFailure;
      /** not-delivered: the TAP found and deleted by reconciliation, if there was one. */
      deletedTapMethodId?: string;
      /** unresolved: a TAP was found but its deletion is still pending in the deleter. */
      pendingTapMethodId?: string;
    } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class PassAlreadyTakenError extends Error {
  override readonly name = 'PassAlreadyTakenError';
  constructor() {
    super('The Temporary Access Pass was already handed out once; it is not kept.');
  }
}

/** A journal append whose failure is the issuer's `journal-failed`. */
export async function appendOrFail(audit: AuditPort, event: Parameters<AuditPort['append']>[0], intentId: string): Promise<void> {
  try {
    await audit.append(event);
  } catch (error) {
    throw new TapIssueError('journal-failed', 'The audit journal could not record the outcome.', { intentId }, { cause: error });
  }
}
