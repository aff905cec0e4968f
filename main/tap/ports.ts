// What the pass's life needs from the world, as interfaces this folder owns: the directory calls that create,
// read and delete a pass, the journal, the key reader, the My Security Info view and the clock. The station wires
// the real services to them; tests pass fakes or the real services against the emulator.
import type { AuditEvent, AuditRecord } from '../audit';
import type { IssuedTap, SecurityKeyMethod, TapMethod } from '../../common/directory';
import type { JournalHealthCode } from '../../common/codes';
import type { KeyWatcherState } from '../keys/watcher';

/** The Graph calls around a pass (main/directory/methods.ts implements them; every failure is a DirectoryError). */
export interface TapDirectoryPort {
  createTap(userId: string, request: { lifetimeInMinutes: number; isUsableOnce: boolean }, signal?: AbortSignal): Promise<IssuedTap>;
  listTaps(userId: string, signal?: AbortSignal): Promise<TapMethod[]>;
  getTap(userId: string, tapId: string, signal?: AbortSignal): Promise<TapMethod | null>;
  /** Resolves when the TAP is gone, including when Graph says it was already gone (404). */
  deleteTap(userId: string, tapId: string, signal?: AbortSignal): Promise<{ requestId: string | null }>;
  listSecurityKeys(userId: string, signal?: AbortSignal): Promise<SecurityKeyMethod[]>;
}

/** The FIDO2 key reader (keys/watcher.ts). */
export interface KeysPort {
  state(): KeyWatcherState;
  /** Subscribes to every change; returns the unsubscribe function. */
  onChange(listener: (state: KeyWatcherState) => void): () => void;
  /** Blinks the key so the user knows which one to touch (CTAPHID WINK); false when it cannot. */
  wink(keyId: string): Promise<boolean>;
}

/** The append-only journal (audit/journal.ts): resolves only once the record is on disk. */
export interface AuditPort {
  append(event: AuditEvent): Promise<AuditRecord>;
  /**
   * Whether the journal can take a write now (a broken one is resumed if the cause is gone); never rejects.
   * Asked before anything that spends starts. Absent (test fakes that always write): taken as `ok`.
   */
  probe?(): Promise<JournalHealthCode>;
}

/** Where the user signs in to My Security Info: a sandboxed view (Electron) or a browser page (harness, tests). */
export interface SecurityInfoViewPort {
  /** Opens a fresh, empty browser session (no cookies, no storage) at the URL; `language`: the pages' language, as
   *  the browser's own (Accept-Language), which Microsoft's sign-in and My Security Info pages follow. */
  open(url: string, options?: { language?: 'en' | 'de' }): Promise<void>;
  /** Every top-level navigation: origin and path only (no query, no fragment). Nothing is read from the page. */
  onNavigation(listener: (navigation: { url: string }) => void): () => void;
  /** Closes the view and wipes its session: storage, cache, auth cache. */
  wipe(): Promise<void>;
  /**
   * Types the person's user name into the sign-in page's user-name field, if the page shows one (true) — never
   * anything else, never the pass. Optional: a view that cannot fill leaves it out.
   */
  fillUserName?(userName: string): Promise<boolean>;
}

/** Time, injectable so tests can move it. */
export interface ClockPort {
  now(): number;
}
