/**
 * Event mode's one service: the roster read from Graph, claims made and released through the claim group, and
 * crash recovery of this station's claims. Graph is the shared truth between stations; nothing else is shared.
 *
 * - Roster: the roster group's members (all pages), the claim group's members (all pages), and for everyone not
 *   yet known done their passkeys (`fido2Methods`) read with JSON $batch, 20 a call; a person once done is never
 *   read again. For claimed people their passes (`temporaryAccessPassMethods`) too, for the claim's age. Inner
 *   requests Graph throttled (429) are retried after their Retry-After, nothing else is.
 * - Claim (before anything is spent): journal `claim.intent`, then add to the claim group. 204: ours
 *   (`claim.made`). Graph's 400 "One or more added object references already exist": another station holds the
 *   person (`claim.refused` held-elsewhere) and the operator is told what Graph tells (their pass's creation
 *   time). An answer that never came: the claim is NOT taken to be ours (see README, "Uncertain claims").
 * - Release: remove from the claim group (404 = already out), `claim.released` with why.
 * - Recovery: every `claim.made` in this station's journal without a release is released (`crash-recovery`).
 */
import { randomUUID } from 'node:crypto';
import { auditEvents, checkedPendingClaims, type AuditEvent, type StationKeyring } from '../audit';
import type { EventConfig } from '../config';
import type { BatchAnswer, DirectoryGateway } from '../directory/gateway';
import { graphFailure } from '../directory/failure';
import type { UserSummary } from '../../common/directory';
import type { ClaimInfo, RosterCounts, RosterEntry, RosterView } from '../../common/event';
import type { EventNotice } from '../../common/event-codes';
import { spreadNext, spreadWidth } from './spread';

export type EventDirectory = Pick<DirectoryGateway, 'groupMembers' | 'addGroupMember' | 'removeGroupMember' | 'batchGet' | 'listSecurityKeys'>;
type Person = { id: string; upn: string };

export interface EventCoordinatorOptions {
  config: EventConfig;
  directory: EventDirectory;
  journal: { append(event: AuditEvent): Promise<unknown> };
  /** Where this station's journal is (recovery reads it) and its keyring (only signed records are acted on). */
  audit: { folder: string; stationId: string; keyring?: StationKeyring };
  now?: () => Date;
  /** Waiting out a Retry-After (tests pass a clock that does not really wait). */
  sleep?: (ms: number) => Promise<void>;
  /** Rounds of retrying throttled batch requests before a refresh gives up on them. Default 5. */
  throttleRounds?: number;
}

export type ReleaseReason = 'done' | 'cancelled' | 'failed' | 'timed-out';
export type ClaimResult = { ok: true; claimId: string } | { ok: false; notice: EventNotice };

const ALREADY_MEMBER = /added object references already exist/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Held {
  claimId: string;
  user: Person;
}

export class EventCoordinator {
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly start: number;
  private roster: UserSummary[] = [];
  private readonly doneAt = new Map<string, string>();
  private claimed = new Set<string>();
  private readonly firstSeen = new Map<string, number>();
  private readonly passAt = new Map<string, string>();
  private readonly failed = new Set<string>();
  /** Roster reads in a row each waiting person has been in this station's window (spread.ts, "overdue"). */
  private readonly readsInWindow = new Map<string, number>();
  /** Claims this station holds (made, not released). */
  private readonly held = new Map<string, Held>();
  /** Claims crash recovery could not release (no answer from Graph): tried again by `retryRecovery`. */
  private readonly unrecovered = new Map<string, Held>();
  private readAt = new Date(0);
  /** Figures for the simulation and the bench: requests sent and 429s seen inside batches. */
  readonly stats = { batches: 0, innerRequests: 0, throttled: 0, groupReads: 0 };

  constructor(private readonly options: EventCoordinatorOptions) {
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.start = Date.parse(options.config.startDateTime);
  }

  /** Re-read what changed: memberships, and the passkeys of everyone not yet done. */
  async refresh(signal?: AbortSignal): Promise<RosterView> {
    const { rosterGroupId, claimGroupId } = this.options.config;
    const [roster, claims] = await Promise.all([
      this.options.directory.groupMembers(rosterGroupId, signal),
      this.options.directory.groupMembers(claimGroupId, signal),
    ]);
    this.stats.groupReads += 2;
    this.roster = roster;
    this.claimed = new Set(claims.map((c) => c.id.toLowerCase()));
    const nowMs = this.now().getTime();
    for (const id of this.claimed) if (!this.firstSeen.has(id)) this.firstSeen.set(id, nowMs);
    for (const id of [...this.firstSeen.keys()]) if (!this.claimed.has(id)) this.firstSeen.delete(id);

    const open = roster.filter((p) => !this.doneAt.has(p.id.toLowerCase()));
    const requests = open.map((p) => ({ id: `k:${p.id}`, url: `/users/${p.id}/authentication/fido2Methods` }));
    for (const p of open.filter((x) => this.claimed.has(x.id.toLowerCase()))) {
      requests.push({ id: `t:${p.id}`, url: `/users/${p.id}/authentication/temporaryAccessPassMethods` });
    }
    for (const answer of await this.batched(requests, signal)) {
      const id = answer.id.slice(2).toLowerCase();
      if (answer.status !== 200) continue;
      if (answer.id.startsWith('k:')) {
        const created = createdTimes(answer.body).filter((t) => t >= this.start);
        if (created.length > 0) this.doneAt.set(id, new Date(Math.min(...created)).toISOString());
      } else {
        const taps = createdTimes(answer.body);
        if (taps.length > 0) this.passAt.set(id, new Date(Math.max(...taps)).toISOString());
        else this.passAt.delete(id);
      }
    }
    this.readAt = this.now();
    const view = this.view();
    const waiting = waitingOf(view.entries);
    const window = new Set(waiting.slice(0, spreadWidth(this.stationsAtWork(view.counts), waiting.length)).map((id) => id.toLowerCase()));
    for (const id of [...this.readsInWindow.keys()]) if (!window.has(id)) this.readsInWindow.delete(id);
    for (const id of window) this.readsInWindow.set(id, (this.readsInWindow.get(id) ?? 0) + 1);
    return view;
  }

  /** Stations at work, as far as Graph shows: the claims in progress, and this station if it holds none. */
  private stationsAtWork(counts: RosterCounts): number {
    return counts['in-progress'] + (this.held.size === 0 ? 1 : 0);
  }

  /** The roster as last read (counts, entries, who to call next). */
  view(): RosterView {
    const entries = this.roster.map((p) => this.entry(p));
    const counts: RosterCounts = { total: entries.length, done: 0, 'in-progress': 0, 'not-yet': 0, 'needs-attention': 0 };
    for (const e of entries) counts[e.state] += 1;
    return {
      eventName: this.options.config.name,
      startDateTime: new Date(this.start).toISOString(),
      readAt: this.readAt.toISOString(),
      counts,
      entries,
      // This station's suggestion: spread from the other stations', within the first few waiting (spread.ts).
      next: spreadNext({
        waiting: waitingOf(entries),
        stationId: this.options.audit.stationId,
        stations: this.stationsAtWork(counts),
        readsInWindow: this.readsInWindow,
      }).slice(0, 10),
    };
  }

  /** What this station knows of a person's claim (null: not claimed at the last read). */
  claimInfo(userId: string): ClaimInfo | null {
    const id = userId.toLowerCase();
    const ours = [...this.held.values()].some((h) => h.user.id.toLowerCase() === id);
    if (!ours && !this.claimed.has(id)) return null;
    const nowMs = this.now().getTime();
    const seen = this.firstSeen.get(id) ?? nowMs;
    const pass = this.passAt.get(id) ?? null;
    const since = Math.min(seen, pass ? Date.parse(pass) : seen);
    const ageMinutes = Math.max(0, Math.floor((nowMs - since) / 60_000));
    return {
      passIssuedAt: pass,
      seenSince: new Date(seen).toISOString(),
      ageMinutes,
      stale: !ours && ageMinutes >= this.options.config.staleClaimMinutes,
      ours,
    };
  }

  /** Claim the person before anything is spent. `ok: false` says why not, as a code for the screen. */
  async claim(operator: Person, user: Person): Promise<ClaimResult> {
    const id = user.id.toLowerCase();
    if (!GUID.test(user.id)) return { ok: false, notice: { code: 'event.not-on-roster', params: {} } };
    if (this.roster.length > 0 && !this.roster.some((p) => p.id.toLowerCase() === id))
      return { ok: false, notice: { code: 'event.not-on-roster', params: {} } };
    if (this.doneAt.has(id)) return { ok: false, notice: { code: 'event.already-done', params: {} } };
    const claimId = randomUUID();
    const claimGroupId = this.options.config.claimGroupId;
    await this.options.journal.append(auditEvents.claimIntent({ claimId, operator, user, claimGroupId }));
    let requestId: string | null;
    try {
      requestId = (await this.options.directory.addGroupMember(claimGroupId, user.id)).requestId;
    } catch (error) {
      return this.notClaimed(claimId, user, error);
    }
    await this.options.journal.append(auditEvents.claimMade({ claimId, user, ...(requestId ? { requestId } : {}) }));
    this.held.set(claimId, { claimId, user });
    this.claimed.add(id);
    this.failed.delete(id);
    // The claim group only holds people in progress: whoever another station finished is out of it again. So the
    // claim alone does not say "not done": look at their passkeys now, while holding the claim, before anything
    // is spent. If Graph cannot tell, the claim is given back and nothing is spent either.
    let doneAt: string | undefined;
    try {
      doneAt = await this.passkeySinceStart(user.id);
    } catch {
      await this.release(claimId, 'cancelled');
      return { ok: false, notice: { code: 'event.claim-failed', params: {} } };
    }
    if (doneAt !== undefined) {
      await this.release(claimId, 'cancelled');
      this.doneAt.set(id, doneAt);
      return { ok: false, notice: { code: 'event.already-done', params: {} } };
    }
    return { ok: true, claimId };
  }

  /** The add was refused or got no answer: journal why (unless there was no answer) and say it for the screen. */
  private async notClaimed(claimId: string, user: Person, error: unknown): Promise<ClaimResult> {
    const id = user.id.toLowerCase();
    const f = graphFailure(error);
    const message = (error as { graphMessage?: unknown }).graphMessage;
    const heldElsewhere = f.status === 400 && typeof message === 'string' && ALREADY_MEMBER.test(message);
    if (f.status === undefined) {
      // No answer: the add may have committed. It is not taken to be ours (README, "Uncertain claims"); the
      // intent stays open in the journal and the person shows as claimed at the next read.
      return { ok: false, notice: { code: 'event.claim-failed', params: {} } };
    }
    await this.options.journal.append(
      auditEvents.claimRefused({
        claimId,
        user,
        reason: heldElsewhere ? 'held-elsewhere' : 'graph-refused',
        status: f.status,
        ...(f.code ? { code: f.code } : {}),
        ...(f.requestId ? { requestId: f.requestId } : {}),
      }),
    );
    if (heldElsewhere) {
      this.claimed.add(id);
      if (!this.firstSeen.has(id)) this.firstSeen.set(id, this.now().getTime());
      const info = this.claimInfo(user.id);
      return { ok: false, notice: { code: 'event.held-elsewhere', params: { passIssuedAt: info?.passIssuedAt ?? null, ageMinutes: info?.ageMinutes ?? 0 } } };
    }
    if (f.status === 403) return { ok: false, notice: { code: 'event.off-not-group-owner', params: {} } };
    return { ok: false, notice: { code: 'event.claim-failed', params: {} } };
  }

  /** Release this station's claim: done, cancelled, failed or timed out. False: Graph did not answer; retried by `retryReleases`/recovery. */
  async release(claimId: string, reason: ReleaseReason, doneAt?: string): Promise<boolean> {
    const held = this.held.get(claimId);
    if (!held) return true;
    const ok = await this.removeClaim(held, reason);
    if (ok) {
      this.held.delete(claimId);
      const id = held.user.id.toLowerCase();
      if (reason === 'done') this.doneAt.set(id, doneAt ?? this.now().toISOString());
      if (reason === 'failed' || reason === 'timed-out') this.failed.add(id);
      else this.failed.delete(id);
    }
    return ok;
  }

  /** Claims this station still holds (for the station's quit path and the tests). */
  heldClaims(): Held[] {
    return [...this.held.values()];
  }

  /**
   * An operator releases another station's claim older than the limit, after confirming it. Audited with the
   * operator and the claim's age.
   */
  async releaseStale(operator: Person, user: Person, confirmed: boolean): Promise<{ ok: true } | { ok: false; notice: EventNotice }> {
    const info = this.claimInfo(user.id);
    if (!info) return { ok: true };
    const limitMinutes = this.options.config.staleClaimMinutes;
    if (!confirmed || info.ours || !info.stale)
      return { ok: false, notice: { code: 'event.not-stale', params: { ageMinutes: info.ageMinutes, limitMinutes } } };
    try {
      const { requestId } = await this.options.directory.removeGroupMember(this.options.config.claimGroupId, user.id);
      await this.options.journal.append(
        auditEvents.claimReleased({
          claimId: randomUUID(),
          user,
          reason: 'stale-by-operator',
          operator,
          ageMinutes: info.ageMinutes,
          ...(requestId ? { requestId } : {}),
        }),
      );
      this.claimed.delete(user.id.toLowerCase());
      this.firstSeen.delete(user.id.toLowerCase());
      return { ok: true };
    } catch {
      return { ok: false, notice: { code: 'event.release-pending', params: {} } };
    }
  }

  /**
   * After a crash (at start, once Graph can be called): release every claim the journal shows this station made
   * and never released. An intent without `claim.made` is left alone: whether the add reached Graph is unknown,
   * and removing the person could release another station's claim (README, "Uncertain claims").
   */
  async recover(): Promise<{ released: number; pending: number }> {
    const { folder, stationId, keyring } = this.options.audit;
    const { pending } = await checkedPendingClaims(folder, stationId, keyring);
    let released = 0;
    let left = 0;
    for (const claim of pending.filter((p) => p.state === 'made')) {
      const ok = await this.removeClaim({ claimId: claim.claimId, user: claim.user }, 'crash-recovery');
      if (ok) released += 1;
      else {
        left += 1;
        this.held.set(claim.claimId, { claimId: claim.claimId, user: claim.user });
        this.unrecovered.set(claim.claimId, { claimId: claim.claimId, user: claim.user });
      }
    }
    return { released, pending: left };
  }

  /** The crash-recovery releases Graph did not answer, tried again (404, already out, counts as released); how many are left. */
  async retryRecovery(): Promise<number> {
    for (const claim of [...this.unrecovered.values()]) {
      if (!(await this.removeClaim(claim, 'crash-recovery'))) continue;
      this.unrecovered.delete(claim.claimId);
      this.held.delete(claim.claimId);
    }
    return this.unrecovered.size;
  }

  /** The first passkey created since the event started, or undefined; a failed read counts as "cannot tell" and throws. */
  private async passkeySinceStart(userId: string): Promise<string | undefined> {
    const keys = await this.options.directory.listSecurityKeys(userId);
    const since = keys.flatMap((k) => {
      const t = k.createdDateTime ? Date.parse(k.createdDateTime) : NaN;
      return Number.isFinite(t) && t >= this.start ? [t] : [];
    });
    return since.length > 0 ? new Date(Math.min(...since)).toISOString() : undefined;
  }

  private async removeClaim(held: Held, reason: ReleaseReason | 'crash-recovery'): Promise<boolean> {
    try {
      const { requestId } = await this.options.directory.removeGroupMember(this.options.config.claimGroupId, held.user.id);
      await this.options.journal.append(auditEvents.claimReleased({ claimId: held.claimId, user: held.user, reason, ...(requestId ? { requestId } : {}) }));
      this.claimed.delete(held.user.id.toLowerCase());
      this.firstSeen.delete(held.user.id.toLowerCase());
      return true;
    } catch {
      return false;
    }
  }

  private entry(p: UserSummary): RosterEntry {
    const id = p.id.toLowerCase();
    const doneAt = this.doneAt.get(id) ?? null;
    const claim = doneAt ? null : this.claimInfo(p.id);
    const attention = doneAt ? null : claim?.stale ? 'stale-claim' : !claim && this.failed.has(id) ? 'failed' : null;
    const state = doneAt ? 'done' : attention ? 'needs-attention' : claim ? 'in-progress' : 'not-yet';
    return { id: p.id, userPrincipalName: p.userPrincipalName, displayName: p.displayName, state, doneAt, claim, attention };
  }

  /** $batch in twenties; requests Graph throttled are sent again after the longest Retry-After among them. */
  private async batched(requests: { id: string; url: string }[], signal?: AbortSignal): Promise<BatchAnswer[]> {
    const out: BatchAnswer[] = [];
    let todo = requests;
    for (let round = 0; todo.length > 0 && round <= (this.options.throttleRounds ?? 5); round += 1) {
      const throttled: { id: string; url: string }[] = [];
      let waitMs = 0;
      for (let i = 0; i < todo.length; i += 20) {
        const chunk = todo.slice(i, i + 20);
        this.stats.batches += 1;
        this.stats.innerRequests += chunk.length;
        for (const answer of await this.options.directory.batchGet(chunk, signal)) {
          if (answer.status === 429) {
            this.stats.throttled += 1;
            const req = chunk.find((c) => c.id === answer.id);
            if (req) throttled.push(req);
            waitMs = Math.max(waitMs, retryAfterMs(answer.headers));
          } else out.push(answer);
        }
      }
      todo = throttled;
      if (todo.length > 0) await this.sleep(waitMs);
    }
    return out;
  }
}

/** Retry-After in seconds (or an HTTP date); 10 s when Graph did not say (graph/throttling.md's advice: back off). */
function retryAfterMs(headers: Record<string, string>): number {
  const raw = Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  if (raw === undefined) return 10_000;
  const seconds = Number(raw);
  if (raw.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : 10_000;
}

/** createdDateTime of each item of a collection body ({ value: [...] }), unparsable ones left out. */
function createdTimes(body: unknown): number[] {
  const value = typeof body === 'object' && body !== null ? (body as { value?: unknown }).value : undefined;
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    const t = typeof item === 'object' && item !== null ? Date.parse(String((item as { createdDateTime?: unknown }).createdDateTime)) : NaN;
    return Number.isFinite(t) ? [t] : [];
  });
}

/** Ids of the people nobody works on and nobody has finished, in roster order. */
function waitingOf(entries: readonly RosterEntry[]): string[] {
  return entries.filter((e) => e.state === 'not-yet').map((e) => e.id);
}
