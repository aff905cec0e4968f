/**
 * The journal's health as the operator is told it (common/codes.ts `JournalHealthCode`), from the file system's
 * error of a failed write or probe.
 */
import type { JournalHealthCode } from '../../common/codes';

const FULL = new Set(['ENOSPC', 'EDQUOT']);
const READ_ONLY = new Set(['EROFS', 'EACCES', 'EPERM']);

/**
 * What a failed journal write means for the operator, from the errno code of the error or of any error in its
 * `cause` chain (the journal wraps the file system's error in `JournalBrokenError`). null (no error) is `ok`.
 */
export function journalHealthOf(error: unknown): JournalHealthCode {
  if (error === null) return 'ok';
  for (let e: unknown = error, depth = 0; e !== null && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (FULL.has(code)) return 'full';
    if (READ_ONLY.has(code)) return 'read-only';
  }
  return 'unwritable';
}
