/**
 * Wiping a browser session after a user (My Security Info view) or an operator sign-in: every store Chromium
 * keeps for a partition, each step attempted even when an earlier one fails. No `electron` import: it takes
 * the few `Session` methods it calls as a structural type, so the order and the error handling are tested in
 * plain Node with a fake session (test/kiosk/wipe.test.ts).
 *
 * The partitions are in memory (`session.fromPartition('msi-<uuid>')`, no `persist:`), so nothing reached the
 * disk; the wipe empties memory too, in case the partition object lives on until the app quits (Electron keeps
 * every partition it created for the life of the process, and there is no API to destroy one).
 */

/** The subset of Electron's `Session` a wipe needs (names and signatures as in electron.d.ts). */
export interface WipeableSession {
  clearStorageData(): Promise<void>;
  clearCache(): Promise<void>;
  clearAuthCache(): Promise<void>;
  clearHostResolverCache(): Promise<void>;
  closeAllConnections(): Promise<void>;
}

export const WIPE_STEPS = ['closeAllConnections', 'clearStorageData', 'clearCache', 'clearAuthCache', 'clearHostResolverCache'] as const;
export type WipeStep = (typeof WIPE_STEPS)[number];

export interface WipeReport {
  /** Steps that failed, with the error's message (never page content: these are Chromium's own errors). */
  failed: { step: WipeStep; message: string }[];
}

/** Runs every wipe step in order; a failing step is reported and the rest still run. */
export async function wipeSession(session: WipeableSession): Promise<WipeReport> {
  const failed: WipeReport['failed'] = [];
  for (const step of WIPE_STEPS) {
    try {
      await session[step]();
    } catch (error) {
      failed.push({ step, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { failed };
}

/** Thrown by `wipe()` when a step failed: the session layer records it; the partition is never reused. */
export class WipeError extends Error {
  override readonly name = 'WipeError';
  constructor(
    readonly what: string,
    readonly report: WipeReport,
  ) {
    super(`${what}: wipe incomplete (${report.failed.map((f) => `${f.step}: ${f.message}`).join('; ')})`);
  }
}
