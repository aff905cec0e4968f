// The event simulation: N stations work one roster against the emulator with throttling on and injected faults.
// Shared by test/event/simulation.test.ts (asserts the outcome) and bench/event.bench.ts (reports the figures).
//
// Each station here is event mode's part of a station: its own operator token, Graph client and directory
// gateway, its own audit journal and EventCoordinator. The enrollment itself is reduced to its Graph effects:
// claim → create the pass → the person registers a passkey (put into the tenant as My Security Info would) →
// delete the pass → release the claim (done). It is NOT a full createStation station (see main/event/README.md).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDirectoryGateway, createGraphClient } from '../../main/directory';
import type { DirectoryGateway } from '../../main/directory/gateway';
import { openJournal, type Journal } from '../../main/audit';
import { EventCoordinator } from '../../main/event';
import { eventConfigSchema, type EventConfig } from '../../main/config';
import { startEmulator, type Emulator } from '../emulator';
import { EVENT_CLAIM_GROUP, EVENT_ROSTER_GROUP, eventSeed } from '../emulator/seed/event';
import { registerPasskey } from '../emulator/support/mysignins';
import { KIOSK_SCOPES, accessTokenFor } from '../emulator/support/tokens';

const OPERATOR_UPN = 'alex.wilber@tapkioskdemo.onmicrosoft.com';

export interface SimulationOptions {
  stations?: number;
  roster?: number;
  /** Kill a station after a claim, then restart it: the first station to make a claim is killed (stations race
   *  for the same people, so a fixed index may never win one). */
  killStation?: boolean;
}

export interface SimulationResult {
  roster: number;
  enrolled: number;
  peopleWithTwoEventPasskeys: number;
  passesReplaced: number;
  orphanPasses: number;
  staleClaims: number;
  staleReleasedByOperator: number;
  uncertainClaims: number;
  crashRecovered: number;
  graphHttpRequests: number;
  graphRequests: number;
  throttled429: number;
  wallMs: number;
}

interface Station {
  id: string;
  event: EventCoordinator;
  directory: DirectoryGateway;
  journal: Journal;
}

export async function runSimulation(options: SimulationOptions = {}): Promise<SimulationResult> {
  const stations = options.stations ?? 10;
  const rosterSize = options.roster ?? 200;
  const began = performance.now();
  // Throttling on, with a small tenant's budget (3,500 RU per 10 s, throttle.ts); Retry-After 1 s keeps the wall time short.
  const emu: Emulator = await startEmulator({
    seed: eventSeed({ rosterSize, owners: [OPERATOR_UPN] }),
    throttle: { retryAfterSeconds: 1 },
  });
  const folder = mkdtempSync(join(tmpdir(), 'tap-kiosk-event-sim-'));
  const owner = emu.ctx.state.findUser(OPERATOR_UPN);
  if (!owner) throw new Error('no operator');
  const operator = { id: owner.id, upn: owner.userPrincipalName };
  const config: EventConfig = eventConfigSchema.parse({
    name: 'Simulation',
    rosterGroupId: EVENT_ROSTER_GROUP,
    claimGroupId: EVENT_CLAIM_GROUP,
    startDateTime: new Date(emu.ctx.clock.nowMs() - 1000).toISOString(),
    modes: ['tap-my-security-info'],
    staleClaimMinutes: 30,
  });
  const journals: Journal[] = [];
  const open = async (id: string): Promise<Station> => {
    const token = await accessTokenFor(emu, OPERATOR_UPN, { scopes: [...KIOSK_SCOPES, 'GroupMember.ReadWrite.All'] });
    const client = createGraphClient({
      baseUrl: emu.urls.graph,
      caPem: emu.caPem,
      getAccessToken: async () => token,
      retry: { maxRetries: 8, budgetMs: 30_000, delaySeconds: 1 },
    });
    const directory = createDirectoryGateway({ client, timeoutMs: 60_000 });
    const journal = await openJournal({ folder, stationId: id });
    journals.push(journal);
    const event = new EventCoordinator({ config, directory, journal, audit: { folder, stationId: id }, now: () => emu.ctx.clock.now() });
    return { id, event, directory, journal };
  };

  // Faults: 429 storms on the passkey reads (inside batches) and on claims; connections dropped after Graph
  // committed a claim (an uncertain claim) and a release (retried).
  emu.injectFault({ path: '/fido2Methods$', status: 429, headers: { 'Retry-After': '1' }, count: 40 });
  emu.injectFault({ method: 'POST', path: '/members/\\$ref$', status: 429, headers: { 'Retry-After': '1' }, count: 6 });
  emu.injectFault({ method: 'POST', path: '/members/\\$ref$', drop: 'after', count: 2 });
  emu.injectFault({ method: 'DELETE', path: '/members/.+/\\$ref$', drop: 'after', count: 2 });

  let uncertain = 0;
  let crashRecovered = 0;
  let staleReleased = 0;
  const tapCreates = new Map<string, number>();

  const enroll = async (s: Station, user: { id: string; upn: string }, claimId: string) => {
    const tap = await s.directory.createTap(user.id, { lifetimeInMinutes: 60, isUsableOnce: true });
    tapCreates.set(user.id, (tapCreates.get(user.id) ?? 0) + 1);
    registerPasskey(emu, user.id);
    await s.directory.deleteTap(user.id, tap.id);
    for (let attempt = 0; !(await s.event.release(claimId, 'done')); attempt += 1) {
      if (attempt > 10) throw new Error('release never succeeded');
    }
  };

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  let killPending = options.killStation === true;
  const work = async (index: number, first: Station): Promise<Station> => {
    let s = first;
    let queue: { id: string; upn: string }[] = [];
    for (let idle = 0; idle < 3;) {
      if (queue.length === 0) {
        // A station reads the roster when its own queue runs dry (the screen would every 20-30 s), not per person.
        let view;
        try {
          view = await s.event.refresh();
        } catch {
          await pause(500); // throttled beyond the client's budget: try again shortly
          continue;
        }
        queue = view.entries.filter((e) => e.state === 'not-yet').map((e) => ({ id: e.id, upn: e.userPrincipalName }));
        if (queue.length === 0) {
          idle += 1;
          await pause(300);
          continue;
        }
        idle = 0;
      }
      // Stations call from the front of the queue with a little spread: collisions happen, as at a real event.
      const [user] = queue.splice(Math.floor(Math.random() * Math.min(queue.length, 4)), 1);
      if (!user) continue;
      const claim = await s.event.claim(operator, user);
      if (!claim.ok) {
        if (claim.notice.code === 'event.claim-failed') uncertain += 1;
        continue;
      }
      if (killPending) {
        // Killed mid-enrollment (claimed, identity being checked): the process dies, the station starts again.
        killPending = false;
        await s.journal.close();
        s = await open(s.id);
        // Recovery at start; a release whose answer was lost is tried again (Graph then answers 404: already out).
        for (let attempt = 0; attempt < 5; attempt += 1) {
          const r = await s.event.recover();
          crashRecovered += r.released;
          if (r.pending === 0) break;
        }
        continue;
      }
      await enroll(s, user, claim.claimId);
    }
    return s;
  };

  try {
    const all = await Promise.all(Array.from({ length: stations }, (_, i) => open(`desk-${String(i + 1).padStart(2, '0')}`)));
    all.splice(0, all.length, ...(await Promise.all(all.map((s, i) => work(i, s)))));
    // Claims nobody works on (uncertain ones) turn stale; an operator releases them after a confirmation, and the
    // people are enrolled.
    const [lead] = all;
    if (!lead) throw new Error('no station');
    let view = await lead.event.refresh();
    if (view.counts.done < view.counts.total) {
      emu.advanceClock(config.staleClaimMinutes + 1);
      view = await lead.event.refresh();
      for (const e of view.entries.filter((x) => x.attention === 'stale-claim')) {
        const r = await lead.event.releaseStale(operator, { id: e.id, upn: e.userPrincipalName }, true);
        if (r.ok) staleReleased += 1;
      }
      all.splice(0, all.length, ...(await Promise.all(all.map((s, i) => work(i, s)))));
    }
    view = await lead.event.refresh();
    const start = Date.parse(config.startDateTime);
    const rosterIds = view.entries.map((e) => e.id);
    const eventKeys = (id: string) => emu.ctx.state.fido2Of(id).filter((k) => k.createdDateTime.getTime() >= start).length;
    const log = emu.requestLog().filter((e) => e.surface === 'graph');
    return {
      roster: rosterIds.length,
      enrolled: rosterIds.filter((id) => eventKeys(id) >= 1).length,
      peopleWithTwoEventPasskeys: rosterIds.filter((id) => eventKeys(id) > 1).length,
      passesReplaced: [...tapCreates.values()].filter((n) => n > 1).length,
      // Passes of roster people still at Graph (the seed's own people keep theirs).
      orphanPasses: rosterIds.filter((id) => emu.ctx.state.taps.has(id)).length,
      staleClaims: emu.ctx.state.membersOf(EVENT_CLAIM_GROUP).length,
      staleReleasedByOperator: staleReleased,
      uncertainClaims: uncertain,
      crashRecovered,
      graphHttpRequests: log.filter((e) => !e.inBatch).length,
      graphRequests: log.filter((e) => e.path !== '/v1.0/$batch').length,
      throttled429: log.filter((e) => e.status === 429).length,
      wallMs: Math.round(performance.now() - began),
    };
  } finally {
    for (const j of journals) await j.close().catch(() => undefined);
    await emu.close();
    rmSync(folder, { recursive: true, force: true });
  }
}
