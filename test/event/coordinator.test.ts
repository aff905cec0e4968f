// Event mode against the emulator: stations (each its own Graph client, token and journal) race for people on
// one roster, claims are released on done, failure and crash recovery, stale claims by an operator.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator';
import { EVENT_CLAIM_GROUP, EVENT_ROSTER_GROUP, eventSeed, newHireId } from '../emulator/seed/event';
import { KIOSK_SCOPES, accessTokenFor } from '../emulator/support/tokens';
import { registerPasskey as addPasskey } from '../emulator/support/mysignins';
import { createDirectoryGateway, createGraphClient } from '../../main/directory';
import { openJournal, records, type Journal } from '../../main/audit';
import { EventCoordinator, eventModeAvailability } from '../../main/event';
import { eventConfigSchema, type EventConfig } from '../../main/config';

const ALEX = 'alex.wilber@tapkioskdemo.onmicrosoft.com';
const ROSTER = 40;
let emu: Emulator;
let folder: string;
const journals: Journal[] = [];
let config: EventConfig;
let operator: { id: string; upn: string };

beforeAll(async () => {
  emu = await startEmulator({ seed: eventSeed({ rosterSize: ROSTER, owners: [ALEX] }) });
});
afterAll(async () => emu.close());
beforeEach(() => {
  emu.reset();
  folder = mkdtempSync(join(tmpdir(), 'tap-kiosk-event-'));
  config = eventConfigSchema.parse({
    name: 'Spring onboarding',
    rosterGroupId: EVENT_ROSTER_GROUP,
    claimGroupId: EVENT_CLAIM_GROUP,
    startDateTime: new Date(emu.ctx.clock.nowMs() - 60_000).toISOString(),
    modes: ['tap-my-security-info'],
    staleClaimMinutes: 30,
  });
  const alex = emu.ctx.state.findUser(ALEX)!;
  operator = { id: alex.id, upn: alex.userPrincipalName };
});
afterEach(async () => {
  for (const j of journals.splice(0)) await j.close().catch(() => undefined);
  rmSync(folder, { recursive: true, force: true });
});

const hire = (n: number) => {
  const u = emu.ctx.state.users.get(newHireId(n))!;
  return { id: u.id, upn: u.userPrincipalName };
};

async function station(stationId: string, options: { scopes?: string[]; wait?: boolean } = {}) {
  const scopes = options.scopes ?? [...KIOSK_SCOPES, 'GroupMember.ReadWrite.All'];
  const token = await accessTokenFor(emu, ALEX, { scopes });
  const client = createGraphClient({ baseUrl: emu.urls.graph, caPem: emu.caPem, getAccessToken: async () => token, retry: { maxRetries: 3, budgetMs: 5_000 } });
  const directory = createDirectoryGateway({ client });
  const journal = await openJournal({ folder, stationId });
  journals.push(journal);
  const slept: number[] = [];
  const event = new EventCoordinator({
    config,
    directory,
    journal,
    audit: { folder, stationId },
    now: () => emu.ctx.clock.now(),
    sleep: async (ms) => {
      slept.push(ms);
      // The emulator's throttle refills in real time: the throttling test really waits its (short) Retry-After.
      if (options.wait) await new Promise((resolve) => setTimeout(resolve, ms));
    },
  });
  return { event, directory, journal, slept, scopes };
}

/** The person registers a passkey at My Security Info. */
const registerPasskey = (userId: string) => addPasskey(emu, userId);

const events = async (type: string) => (await records(folder, new Date().toISOString().slice(0, 10))).filter((r) => r.event.type === type);

describe('event mode', () => {
  it('is off without configuration or without GroupMember.ReadWrite.All in the token', () => {
    expect(eventModeAvailability(undefined, ['GroupMember.ReadWrite.All'])).toMatchObject({ on: false, notice: { code: 'event.off-not-configured' } });
    expect(eventModeAvailability(config, [...KIOSK_SCOPES])).toMatchObject({ on: false, notice: { code: 'event.off-no-permission' } });
    expect(eventModeAvailability(config, [...KIOSK_SCOPES, 'GroupMember.ReadWrite.All'])).toEqual({ on: true });
  });

  it('reads the roster: everyone not yet, counts, next suggestions, with batches of at most 20', async () => {
    const { event } = await station('desk-1');
    const view = await event.refresh();
    expect(view.counts).toEqual({ total: ROSTER, done: 0, 'in-progress': 0, 'not-yet': ROSTER, 'needs-attention': 0 });
    expect(view.next).toHaveLength(10);
    const batches = emu.requestLog().filter((e) => e.path === '/v1.0/$batch');
    expect(batches).toHaveLength(2); // 40 people, 20 a batch
  });

  it('two stations suggest different people to call next, both among the first 3×N waiting (N stations at work)', async () => {
    const c = await station('desk-c');
    for (const n of [1, 2, 3]) expect(await c.event.claim(operator, hire(n))).toMatchObject({ ok: true });
    const a = await station('desk-a');
    const b = await station('desk-b');
    const [va, vb] = await Promise.all([a.event.refresh(), b.event.refresh()]);
    const waiting = va.entries.filter((e) => e.state === 'not-yet').map((e) => e.id);
    expect(waiting).not.toContain(hire(1).id); // claimed at desk-c: skipped
    // Three claims in progress, and the station itself: four at work, the suggestion among the first 3 × 4 waiting.
    expect(waiting.slice(0, 12)).toContain(va.next[0]);
    expect(waiting.slice(0, 12)).toContain(vb.next[0]);
    expect(va.next[0]).not.toBe(vb.next[0]);
    // Nobody called them for three reads: still spread, still within the window.
    for (let i = 0; i < 2; i += 1) await Promise.all([a.event.refresh(), b.event.refresh()]);
    const [late, lateB] = await Promise.all([a.event.refresh(), b.event.refresh()]);
    expect(waiting.slice(0, 12)).toContain(late.next[0]);
    expect(late.next[0]).not.toBe(lateB.next[0]);
  });

  it('two stations race for one person: one claims, the other sees "in progress at another station"', async () => {
    const a = await station('desk-a');
    const b = await station('desk-b');
    await Promise.all([a.event.refresh(), b.event.refresh()]);
    const [ra, rb] = await Promise.all([a.event.claim(operator, hire(3)), b.event.claim(operator, hire(3))]);
    const winners = [ra, rb].filter((r) => r.ok);
    const losers = [ra, rb].filter((r) => !r.ok);
    expect(winners).toHaveLength(1);
    expect(losers[0]).toMatchObject({ ok: false, notice: { code: 'event.held-elsewhere' } });
    expect(await events('claim.made')).toHaveLength(1);
    expect((await events('claim.refused'))[0]?.event).toMatchObject({ reason: 'held-elsewhere', status: 400, code: 'Request_BadRequest' });
    expect(emu.ctx.state.membersOf(EVENT_CLAIM_GROUP).map((u) => u.id)).toEqual([hire(3).id]);
  });

  it("the loser is told when the person's pass was issued", async () => {
    const a = await station('desk-a');
    const b = await station('desk-b');
    const claim = await a.event.claim(operator, hire(4));
    expect(claim.ok).toBe(true);
    const tap = await a.directory.createTap(hire(4).id, { lifetimeInMinutes: 60, isUsableOnce: true });
    await b.event.refresh();
    const seen = b.event.view().entries.find((e) => e.id === hire(4).id);
    expect(seen?.state).toBe('in-progress');
    expect(seen?.claim?.passIssuedAt).toBe(new Date(Date.parse(tap.createdDateTime)).toISOString());
    const refused = await b.event.claim(operator, hire(4));
    expect(refused).toMatchObject({ ok: false, notice: { code: 'event.held-elsewhere', params: { passIssuedAt: seen?.claim?.passIssuedAt } } });
  });

  it('done: a passkey since the event start; the claim is released and the person is never read again', async () => {
    const { event } = await station('desk-1');
    await event.refresh();
    const claim = await event.claim(operator, hire(5));
    if (!claim.ok) throw new Error('not claimed');
    registerPasskey(hire(5).id);
    expect(await event.release(claim.claimId, 'done')).toBe(true);
    expect(emu.ctx.state.membersOf(EVENT_CLAIM_GROUP)).toEqual([]);
    emu.ctx.requests.length = 0;
    const view = await event.refresh();
    expect(view.counts.done).toBe(1);
    const inner = emu.requestLog().filter((e) => e.inBatch);
    expect(inner.some((e) => e.path.includes(hire(5).id))).toBe(false);
    expect((await events('claim.released'))[0]?.event).toMatchObject({ reason: 'done' });
    // Another station learns it from Graph.
    const other = await station('desk-2');
    const seen = await other.event.refresh();
    expect(seen.entries.find((e) => e.id === hire(5).id)?.state).toBe('done');
    expect(await other.event.claim(operator, hire(5))).toMatchObject({ ok: false, notice: { code: 'event.already-done' } });
  });

  it('a station working from an old roster read cannot claim someone another station finished meanwhile', async () => {
    const a = await station('desk-a');
    const b = await station('desk-b');
    await b.event.refresh(); // b still sees the person as not yet
    const claim = await a.event.claim(operator, hire(10));
    if (!claim.ok) throw new Error('not claimed');
    registerPasskey(hire(10).id);
    await a.event.release(claim.claimId, 'done');
    expect(await b.event.claim(operator, hire(10))).toMatchObject({ ok: false, notice: { code: 'event.already-done' } });
    expect(emu.ctx.state.membersOf(EVENT_CLAIM_GROUP)).toEqual([]);
    expect(b.event.view().entries.find((e) => e.id === hire(10).id)?.state).toBe('done');
  });

  it('a passkey from before the event does not count as done', async () => {
    registerPasskey(hire(6).id);
    config = { ...config, startDateTime: new Date(emu.ctx.clock.nowMs() + 1_000).toISOString() };
    const { event } = await station('desk-1');
    expect((await event.refresh()).entries.find((e) => e.id === hire(6).id)?.state).toBe('not-yet');
  });

  it('a failed enrollment releases the claim and shows the person as needing attention', async () => {
    const { event } = await station('desk-1');
    await event.refresh();
    const claim = await event.claim(operator, hire(7));
    if (!claim.ok) throw new Error('not claimed');
    await event.release(claim.claimId, 'failed');
    const view = await event.refresh();
    expect(view.entries.find((e) => e.id === hire(7).id)).toMatchObject({ state: 'needs-attention', attention: 'failed' });
  });

  /** desk-1 claims the person and dies (its journal closed, nothing released); desk-1 started again. */
  async function restartedAfterClaiming(person: { id: string; upn: string }) {
    const first = await station('desk-1');
    expect((await first.event.claim(operator, person)).ok).toBe(true);
    await first.journal.close();
    journals.splice(journals.indexOf(first.journal), 1);
    return station('desk-1');
  }

  it('crash recovery: a claim made and never released is released at the next start, from the journal', async () => {
    const again = await restartedAfterClaiming(hire(8));
    expect(await again.event.recover()).toEqual({ released: 1, pending: 0 });
    expect(emu.ctx.state.membersOf(EVENT_CLAIM_GROUP)).toEqual([]);
    expect((await events('claim.released')).map((r) => r.event)).toMatchObject([{ reason: 'crash-recovery' }]);
    expect(await again.event.recover()).toEqual({ released: 0, pending: 0 });
  });

  it('crash recovery whose release got no answer is tried again (Graph: already out) and journalled as crash recovery', async () => {
    const again = await restartedAfterClaiming(hire(10));
    // Graph removes the member but the connection drops before the answer (a DELETE cut off is not sent again).
    emu.injectFault({ method: 'DELETE', path: '/members/.+/\\$ref$', drop: 'after', count: 1 });
    expect(await again.event.recover()).toEqual({ released: 0, pending: 1 });
    expect(emu.ctx.state.membersOf(EVENT_CLAIM_GROUP)).toEqual([]);
    expect(await events('claim.released')).toEqual([]);
    expect(await again.event.retryRecovery()).toBe(0);
    expect((await events('claim.released')).map((r) => r.event)).toMatchObject([{ reason: 'crash-recovery', user: { id: hire(10).id } }]);
    expect(again.event.heldClaims()).toEqual([]);
    expect(await again.event.retryRecovery()).toBe(0);
  });

  it('a stale claim is released by an operator only after the limit and a confirmation, with an audit record', async () => {
    const holder = await station('desk-a');
    const other = await station('desk-b');
    expect((await holder.event.claim(operator, hire(9))).ok).toBe(true);
    await other.event.refresh();
    expect(await other.event.releaseStale(operator, hire(9), true)).toMatchObject({
      ok: false,
      notice: { code: 'event.not-stale', params: { limitMinutes: 30 } },
    });
    emu.advanceClock(31);
    const view = await other.event.refresh();
    expect(view.entries.find((e) => e.id === hire(9).id)).toMatchObject({ state: 'needs-attention', attention: 'stale-claim' });
    expect(await other.event.releaseStale(operator, hire(9), false)).toMatchObject({ ok: false });
    expect(await other.event.releaseStale(operator, hire(9), true)).toEqual({ ok: true });
    expect(emu.ctx.state.membersOf(EVENT_CLAIM_GROUP)).toEqual([]);
    const released = (await events('claim.released')).map((r) => r.event);
    expect(released).toMatchObject([{ reason: 'stale-by-operator', operator, ageMinutes: 31 }]);
  });

  it('honours Retry-After on throttled batch requests and still reads everyone', async () => {
    emu.ctx.throttle.configure({ resourceUnits: 25, windowSeconds: 1, retryAfterSeconds: 1 });
    const { event, slept } = await station('desk-1', { wait: true });
    await event.refresh();
    expect(event.stats.throttled).toBeGreaterThan(0);
    expect(slept.length).toBeGreaterThan(0);
    expect(slept.every((ms) => ms >= 1000)).toBe(true);
    // Every person's passkeys were read in the end, each throttled read sent again.
    const read = new Set(
      emu
        .requestLog()
        .filter((e) => e.inBatch && e.status === 200 && e.path.endsWith('/fido2Methods'))
        .map((e) => e.path),
    );
    expect(read.size).toBe(ROSTER);
  });
});
