/**
 * Event mode in a station: the one object the station (main/station/) builds when its configuration names an event.
 * It decides whether event mode is on (after each sign-in, from the permissions the operator's token carries), holds
 * the coordinator, and is what the session (claim, release), the station page (`status`) and the IPC queries
 * (`roster`, `board`, `releaseStale`) talk to.
 *
 * - On: configured, and the token carries GroupMember.ReadWrite.All (permission.ts). Off otherwise, with the code
 *   that says why; the session then claims nobody, exactly as without an event.
 * - After each sign-in with the permission: crash recovery of this station's claims (`recover`).
 * - A release Graph did not answer is kept and tried again before each roster read (and by `recover` at the next
 *   start, from the journal); so is a crash-recovery release Graph did not answer.
 * - The roster is read at most every `minReadMs` (default 10 s) however many screens ask; one read at a time.
 */
import type { EventConfig } from '../config';
import type { EventModeStatus, Board, RosterView } from '../../common/event';
import type { EventNotice } from '../../common/event-codes';
import type { EnrollmentMode } from '../../common/session';
import { boardOf } from './board';
import { EventCoordinator, type ClaimResult, type EventCoordinatorOptions, type ReleaseReason } from './coordinator';
import { eventModeAvailability } from './permission';

type Person = { id: string; upn: string };

const EVENT_MODE: Record<EventConfig['modes'][number], EnrollmentMode> = { 'tap-my-security-info': 'security-info', 'provision-at-desk': 'provision' };

export interface EventModeOptions extends Omit<EventCoordinatorOptions, 'config'> {
  config: EventConfig;
  minReadMs?: number;
}

export class EventMode {
  private coordinator: EventCoordinator | null = null;
  private state: EventModeStatus;
  private readonly retry = new Map<string, ReleaseReason>();
  private reading: Promise<RosterView> | null = null;
  private lastRead = 0;
  private readonly listeners = new Set<(status: EventModeStatus) => void>();

  constructor(private readonly options: EventModeOptions) {
    this.state = { name: options.config.name, on: null, notice: null };
  }

  status(): EventModeStatus {
    return this.state;
  }

  onStatus(listener: (status: EventModeStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** After a sign-in: on or off by the token's permissions; when on, this station's open claims are released. */
  async signedIn(grantedPermissions: readonly string[] | null): Promise<void> {
    const availability = eventModeAvailability(this.options.config, grantedPermissions ?? []);
    if (!availability.on) return this.set({ name: this.options.config.name, on: false, notice: availability.notice });
    this.coordinator ??= new EventCoordinator({ ...this.options, config: this.options.config });
    this.set({ name: this.options.config.name, on: true, notice: null });
    await this.coordinator.recover().catch(() => undefined);
  }

  /** Signed out or locked: unknown until the next sign-in (the claims stay journalled). */
  signedOut(): void {
    this.set({ name: this.options.config.name, on: null, notice: null });
  }

  active(): boolean {
    return this.state.on === true && this.coordinator !== null;
  }

  /** The modes the event allows, in the session's words (config `event.modes`), on top of the station's own. */
  modes(): EnrollmentMode[] {
    return this.options.config.modes.map((m) => EVENT_MODE[m]);
  }

  async claim(operator: Person, user: Person): Promise<ClaimResult> {
    if (!this.coordinator || !this.active()) return { ok: false, notice: { code: 'event.claim-failed', params: {} } };
    // The roster once read, so a person not on it is refused before anything is added to the claim group.
    if (this.lastRead === 0) await this.roster().catch(() => undefined);
    const result = await this.coordinator.claim(operator, user);
    // Graph refused this operator the claim group: event mode is off for them, said on the station page too.
    if (!result.ok && result.notice.code === 'event.off-not-group-owner') this.set({ name: this.options.config.name, on: false, notice: result.notice });
    return result;
  }

  async release(claimId: string, reason: ReleaseReason): Promise<boolean> {
    if (!this.coordinator) return true;
    const ok = await this.coordinator.release(claimId, reason);
    if (ok) this.retry.delete(claimId);
    else this.retry.set(claimId, reason);
    return ok;
  }

  /** The roster, read again when the last read is older than `minReadMs`. Throws when off or Graph cannot be read. */
  async roster(): Promise<RosterView> {
    const coordinator = this.on();
    const now = Date.now();
    if (this.reading) return this.reading;
    if (this.lastRead > 0 && now - this.lastRead < (this.options.minReadMs ?? 10_000)) return coordinator.view();
    this.reading = (async () => {
      for (const [claimId, reason] of [...this.retry]) await this.release(claimId, reason);
      await coordinator.retryRecovery();
      const view = await coordinator.refresh();
      this.lastRead = Date.now();
      return view;
    })().finally(() => (this.reading = null));
    return this.reading;
  }

  async board(): Promise<Board> {
    return boardOf(await this.roster(), this.options.now?.() ?? new Date());
  }

  /** An operator releases another station's stale claim, after confirming (audited by the coordinator). */
  async releaseStale(operator: Person, userId: string): Promise<{ ok: true } | { ok: false; notice: EventNotice }> {
    const coordinator = this.on();
    const entry = coordinator.view().entries.find((e) => e.id.toLowerCase() === userId.toLowerCase());
    if (!entry) return { ok: false, notice: { code: 'event.not-on-roster', params: {} } };
    const result = await coordinator.releaseStale(operator, { id: entry.id, upn: entry.userPrincipalName }, true);
    if (result.ok) this.lastRead = 0;
    return result;
  }

  /** Claims this station still holds (quit path, tests). */
  heldClaims(): number {
    return this.coordinator?.heldClaims().length ?? 0;
  }

  private on(): EventCoordinator {
    if (!this.coordinator || !this.active()) throw new EventModeOff(this.state.notice);
    return this.coordinator;
  }

  private set(next: EventModeStatus): void {
    this.state = next;
    for (const listener of [...this.listeners]) listener(next);
  }
}

/** Event mode is off (or not yet known: nobody signed in); `notice` says why when known. */
export class EventModeOff extends Error {
  constructor(readonly notice: EventNotice | null) {
    super('event mode is off');
  }
}
