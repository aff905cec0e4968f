// The event simulation: N whole stations work one roster against the emulator with throttling on and injected faults.
// Shared by test/event/simulation.test.ts (asserts the outcome) and bench/event.bench.ts (reports the figures).
//
// Each station is a full createStation station, as production builds it: its own operator sign-in (the emulator's
// sign-in page in Chromium, one browser for all), MSAL token cache, Graph client, directory gateway, journal in
// its own data folder, EnrollmentSession and EventMode, and its own software security key at the desk (a Fido2Core
// on a VirtualBus, touched at once). It is driven only through session commands, as the renderer sends them:
// search → (one hit opens the card, which claims the person) → confirm identity → pre-flight → "Set up the key
// here" → PIN → done (the session releases the claim once Graph holds the new passkey). The roster each station
// works from is its own IPC `roster` query, and its operator calls the first of its "Next to call here" (the
// station's own suggestion, main/event/spread.ts); stale claims are released through its IPC `event.release-stale`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { KioskReply } from '../../common/contract';
import type { SessionSnapshot } from '../../common/session';
import { localDay, records } from '../../main/audit';
import { eventConfigSchema, type EventConfig } from '../../main/config';
import { createStation, type Station } from '../../main/station';
import { Fido2Core } from '../authenticator/fido2-core';
import { SoftAuthenticator } from '../authenticator/soft-authenticator';
import { VirtualBus } from '../authenticator/virtual-bus';
import { startEmulator, type Emulator } from '../emulator';
import { EVENT_CLAIM_GROUP, EVENT_ROSTER_GROUP, eventSeed } from '../emulator/seed/event';
import { submitSignIn } from '../emulator/support/idp-browser';
import { FakeView } from '../enrollment/support/station';
import { productionConfig } from '../harness/server';
import { fixtureKey } from '../keys/key-helpers';
import { chromiumPresenter } from '../operator/support/chromium-presenter';
import { launchChromiumFor } from '../support/chromium';

const OPERATOR_UPN = 'alex.wilber@tapkioskdemo.onmicrosoft.com';
/** The desk key's profile: Fido2Core's default (a CTAP 2.1 key with PIN protocols 2 and 1). */
const DESK_KEY_PROFILE = 'token2-t2f2-nfc';
/** Each station's key gets this PIN set by its first person (a test value, never logged). */
const DESK_PIN = '47190358';

export interface SimulationOptions {
  stations?: number;
  roster?: number;
  /** Kill a station mid-enrollment (claimed, at the PIN pad), then start it again on the same data folder: the
   *  first station to get that far is killed (stations race for the same people, so a fixed one may never). */
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
  enrolments: number;
  graphHttpRequests: number;
  graphRequests: number;
  /** Claims Graph refused because another station held the person: races lost. */
  claimsLost: number;
  /** Graph requests (inside batches counted) by what they are for: where the requests per person go. */
  requestsByKind: Record<string, number>;
  throttled429: number;
  wallMs: number;
}

type Reply<K extends string> = Extract<KioskReply, { kind: K }>;
type Snap = SessionSnapshot;

/** The next snapshot that passes `test` (the current one included); rejects after `ms`. */
function until(s: Station, test: (snap: Snap) => boolean, ms = 120_000): Promise<Snap> {
  return new Promise((resolve, reject) => {
    let off: (() => void) | null = null;
    let done = false;
    const timer = setTimeout(() => finish(() => reject(new Error(`${s.config.stationId}: stuck at ${s.session.snapshot()?.screen}`))), ms);
    const finish = (then: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      off?.();
      then();
    };
    const check = () => {
      const snap = s.session.snapshot();
      if (snap && test(snap)) finish(() => resolve(snap));
    };
    off = s.session.subscribe(check);
    if (done) off();
    check();
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Screens a person's enrollment ends on; each goes back to `ready` on dismiss. */
const ENDS = new Set<Snap['screen']>(['done', 'failed', 'cancelled', 'timed-out']);

/** Graph requests by method and path, ids replaced by {id} (the simulation's breakdown of where requests go). */
function requestsByKind(log: readonly { method: string; path: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of log) {
    if (e.path === '/v1.0/$batch') continue;
    const kind = `${e.method} ${e.path.split('?')[0]!.replace(/[0-9a-f]{8}-[0-9a-f-]{27}|[^/]+@[^/]+/gi, '{id}')}`;
    out[kind] = (out[kind] ?? 0) + 1;
  }
  return out;
}

export async function runSimulation(options: SimulationOptions = {}): Promise<SimulationResult> {
  const stationCount = options.stations ?? 10;
  const rosterSize = options.roster ?? 200;
  const began = performance.now();
  // Throttling on, with a small tenant's budget (3,500 RU per 10 s, throttle.ts); Retry-After 1 s keeps the wall time short.
  const emu: Emulator = await startEmulator({
    seed: eventSeed({ rosterSize, owners: [OPERATOR_UPN] }),
    tapPolicy: 'kiosk',
    hosts: 'microsoft',
    throttle: { retryAfterSeconds: 1 },
  });
  const browser: Browser = await launchChromiumFor(emu);
  const root = mkdtempSync(join(tmpdir(), 'tap-kiosk-event-sim-'));
  const password = emu.operators.find((o) => o.upn === OPERATOR_UPN)?.password;
  if (!password) throw new Error('no operator');
  const config: EventConfig = eventConfigSchema.parse({
    name: 'Simulation',
    rosterGroupId: EVENT_ROSTER_GROUP,
    claimGroupId: EVENT_CLAIM_GROUP,
    startDateTime: new Date(emu.ctx.clock.nowMs() - 1000).toISOString(),
    modes: ['provision-at-desk', 'tap-my-security-info'],
    staleClaimMinutes: 30,
  });
  // The stations' event clock follows the emulator's, so moving it past the stale limit ages every claim.
  const eventClock = () => emu.ctx.clock.now();
  const live = new Set<Station>();

  /** A station as the app starts it, signed in; `bus` is the desk's USB (the key survives a restart). */
  const open = async (stationId: string, bus: VirtualBus): Promise<Station> => {
    const auditFolder = join(root, stationId);
    const s = await createStation({
      config: {
        ...productionConfig(emu, auditFolder),
        stationId,
        enrollmentModes: { default: 'provision', provision: true, securityInfo: true },
        event: config,
      },
      caPem: emu.caPem,
      hostMap: emu.hostMap,
      presenter: chromiumPresenter(browser, (page) => submitSignIn(page, OPERATOR_UPN, password)),
      view: new FakeView(),
      keySource: bus,
      keyWatcher: { pollIntervalMs: 60_000, hotplugPollIntervalMs: 60_000 },
      graphRetry: { maxRetries: 8, budgetMs: 30_000, delaySeconds: 1 },
      eventClock,
      session: { drainTimeoutMs: 500 },
    });
    live.add(s);
    await s.start();
    s.session.send({ type: 'signIn' });
    await until(s, (x) => x.screen === 'ready');
    // Event mode is on once the token's permissions are read (and this station's open claims recovered).
    for (let i = 0; s.status.current().event?.on !== true; i += 1) {
      if (i > 200) throw new Error(`${stationId}: event mode never came on`);
      await pause(50);
    }
    return s;
  };
  const desk = () => {
    const core = new Fido2Core({});
    const bus = new VirtualBus({ hotplug: true });
    bus.plugKey({ ...fixtureKey(DESK_KEY_PROFILE), device: () => new SoftAuthenticator({ core, capabilities: core.profile.capabilities }) });
    return bus;
  };

  // Faults: 429 storms on the passkey reads (inside batches and alone) and on claims; connections dropped after
  // Graph committed a claim (an uncertain claim) and a release (retried).
  emu.injectFault({ path: '/fido2Methods$', status: 429, headers: { 'Retry-After': '1' }, count: 40 });
  emu.injectFault({ method: 'POST', path: '/members/\\$ref$', status: 429, headers: { 'Retry-After': '1' }, count: 6 });
  emu.injectFault({ method: 'POST', path: '/members/\\$ref$', drop: 'after', count: 2 });
  emu.injectFault({ method: 'DELETE', path: '/members/.+/\\$ref$', drop: 'after', count: 2 });

  let uncertain = 0;
  let enrolments = 0;
  let killPending = options.killStation === true;
  const buses = new Map<string, VirtualBus>();
  const dead: Station[] = [];

  /** Back to `ready` from wherever the person's enrollment stopped (cancel mid-way, dismiss at the end). */
  const toReady = async (s: Station) => {
    for (let i = 0; i < 20; i += 1) {
      const snap = s.session.snapshot();
      if (!snap || snap.screen === 'ready') return;
      if (ENDS.has(snap.screen)) s.session.send({ type: 'dismiss' });
      else if (snap.screen === 'search-results') s.session.send({ type: 'backToSearch' });
      else s.session.send({ type: 'cancel' });
      await until(s, (x) => x.screen === 'ready' || ENDS.has(x.screen) || x.screen === 'search-results', 60_000);
    }
    throw new Error(`${s.config.stationId}: never back at ready`);
  };

  /** One person at one station, as far as it goes (claimed elsewhere, done already, …); the station afterwards (a
   *  new one when it was killed). */
  const enrol = async (s: Station, upn: string): Promise<Station> => {
    s.session.send({ type: 'search', query: upn });
    const card = await until(s, (x) => x.screen === 'identity' || x.screen === 'ready' || x.screen === 'search-results');
    if (card.screen !== 'identity') return s;
    s.session.send({ type: 'confirmIdentity', document: 'passport' });
    const pre = await until(s, (x) => x.screen === 'preflight' || ENDS.has(x.screen) || x.screen === 'ready');
    if (pre.screen !== 'preflight') return s;
    const claim = pre.checks.find((c) => c.code === 'event-claim');
    if (claim?.finding === 'event-claim.failed') uncertain += 1;
    if (claim?.status !== 'pass' || pre.verdict !== 'go') return s;
    s.session.send({ type: 'chooseMode', mode: 'provision' });
    const pad = await until(s, (x) => x.screen !== 'provisioning' || ['set-pin', 'enter-pin', 'failed'].includes(x.phase));
    if (pad.screen !== 'provisioning' || pad.phase === 'failed') return s;
    if (killPending) {
      // Killed mid-enrollment (claimed, the person at the PIN pad): the process dies with no cleanup; its claim is
      // only in the journal. Its state is dropped: the journal closed (its lock freed) and nothing of it used or
      // stopped again until the figures are taken (a stop or release would run the session's cleanup, which a dead
      // process never does). The station starts again on the same data folder and key, and recovers at sign-in.
      killPending = false;
      live.delete(s);
      dead.push(s);
      await s.journal.close();
      return open(s.config.stationId, buses.get(s.config.stationId)!);
    }
    s.session.send(pad.phase === 'set-pin' ? { type: 'submitPin', pin: DESK_PIN, confirm: DESK_PIN } : { type: 'submitPin', pin: DESK_PIN });
    const end = await until(s, (x) => ENDS.has(x.screen) || (x.screen === 'provisioning' && x.phase === 'failed'));
    if (end.screen === 'done') enrolments += 1;
    return s;
  };

  /** A station works the roster until three reads in a row leave nobody for it and it holds no claim (a release
   *  or crash-recovery release Graph did not answer is retried at the next roster read, at most every 10 s; a
   *  station at an event keeps reading, so it would be retried there too). */
  const work = async (first: Station): Promise<Station> => {
    let s = first;
    // People this station already called since its last roster read from Graph (whatever came of it).
    let tried = new Set<string>();
    let readAt = '';
    for (let idle = 0; (idle < 3 || (s.event?.heldClaims() ?? 0) > 0) && idle < 60;) {
      // The station's own roster (read from Graph at most every 10 s, however often asked), as the roster screen
      // shows it; the operator calls the first of its "Next to call" not yet called since that read.
      const reply = await s.handlers.handle({ kind: 'query', query: { type: 'roster' } });
      if (!reply.ok) {
        await pause(500); // Graph could not be read within the client's budget: again shortly
        continue;
      }
      const roster = (reply as Reply<'roster'>).roster;
      if (roster.readAt !== readAt) [readAt, tried] = [roster.readAt, new Set()];
      const id = roster.next.find((x) => !tried.has(x));
      const upn = roster.entries.find((e) => e.id === id)?.userPrincipalName;
      if (!id || !upn) {
        idle += roster.next.length === 0 ? 1 : 0;
        await pause(1_000);
        continue;
      }
      idle = 0;
      tried.add(id);
      s = await enrol(s, upn);
      await toReady(s);
    }
    return s;
  };

  try {
    const ids = Array.from({ length: stationCount }, (_, i) => `desk-${String(i + 1).padStart(2, '0')}`);
    for (const id of ids) buses.set(id, desk());
    let all = await Promise.all(ids.map((id) => open(id, buses.get(id)!)));
    all = await Promise.all(all.map((s) => work(s)));
    // Claims nobody works on (uncertain ones) turn stale; an operator releases them at a station after a
    // confirmation, and the stations enrol those people too.
    emu.advanceClock(config.staleClaimMinutes + 1);
    const lead = all[0]!;
    let staleReleased = 0;
    const stale = async () => {
      const reply = (await lead.handlers.handle({ kind: 'query', query: { type: 'roster' } })) as Reply<'roster'>;
      return reply.ok ? reply.roster.entries.filter((e) => e.attention === 'stale-claim') : [];
    };
    for (const e of await stale()) {
      const r = await lead.handlers.handle({ kind: 'event', command: { type: 'event.release-stale', userId: e.id, confirmed: true } });
      if (r.ok && r.kind === 'event' && r.notice === null) staleReleased += 1;
    }
    if (staleReleased > 0) all = await Promise.all(all.map((s) => work(s)));

    const start = Date.parse(config.startDateTime);
    const rosterIds = emu.ctx.state.membersOf(EVENT_ROSTER_GROUP).map((u) => u.id);
    const eventKeys = (id: string) => emu.ctx.state.fido2Of(id).filter((k) => k.createdDateTime.getTime() >= start).length;
    const log = emu.requestLog().filter((e) => e.surface === 'graph');
    // A pass replaced: a second pass made for one person (Graph's create deletes the one before).
    const passCreates = new Map<string, number>();
    for (const e of log) {
      const m = /\/users\/([^/]+)\/authentication\/temporaryAccessPassMethods$/.exec(e.path);
      if (e.method === 'POST' && m?.[1] && e.status < 300) passCreates.set(m[1], (passCreates.get(m[1]) ?? 0) + 1);
    }
    let crashRecovered = 0;
    for (const id of ids) {
      const journal = await records(join(root, id), localDay(new Date()), id);
      crashRecovered += journal.filter((r) => r.event.type === 'claim.released' && r.event.reason === 'crash-recovery').length;
    }
    return {
      roster: rosterIds.length,
      enrolled: rosterIds.filter((id) => eventKeys(id) >= 1).length,
      peopleWithTwoEventPasskeys: rosterIds.filter((id) => eventKeys(id) > 1).length,
      passesReplaced: [...passCreates.values()].filter((n) => n > 1).length,
      orphanPasses: rosterIds.filter((id) => emu.ctx.state.taps.has(id)).length,
      staleClaims: emu.ctx.state.membersOf(EVENT_CLAIM_GROUP).length,
      staleReleasedByOperator: staleReleased,
      uncertainClaims: uncertain,
      crashRecovered,
      enrolments,
      graphHttpRequests: log.filter((e) => !e.inBatch).length,
      graphRequests: log.filter((e) => e.path !== '/v1.0/$batch').length,
      requestsByKind: requestsByKind(log),
      claimsLost: log.filter((e) => e.method === 'POST' && /\/members\/\$ref$/.test(e.path) && e.status === 400).length,
      throttled429: log.filter((e) => e.status === 429).length,
      wallMs: Math.round(performance.now() - began),
    };
  } finally {
    for (const s of live) await s.stop().catch(() => undefined);
    for (const s of dead) await s.release().catch(() => undefined);
    await browser.close().catch(() => undefined);
    await emu.close();
    rmSync(root, { recursive: true, force: true });
  }
}
