// Whole stations in event mode for the tests: createStation with its own operator sign-in (the emulator's page in
// Chromium), Graph client, journal and session, against one emulator seeded with a roster and a claim group.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { SessionSnapshot } from '../../common/session';
import { eventConfigSchema, type EventConfig } from '../../main/config';
import { productionConfig } from '../harness/server';
import { createStation, type Station } from '../../main/station';
import { VirtualBus } from '../authenticator/virtual-bus';
import { Fido2Core, type Fido2CoreOptions } from '../authenticator/fido2-core';
import { SoftAuthenticator } from '../authenticator/soft-authenticator';
import { fixtureKey } from '../keys/key-helpers';
import { startEmulator, type Emulator } from '../emulator';
import { EVENT_CLAIM_GROUP, EVENT_ROSTER_GROUP, eventSeed, newHireId } from '../emulator/seed/event';
import { submitSignIn } from '../emulator/support/idp-browser';
import { FakeView } from '../enrollment/support/station';
import { chromiumPresenter } from '../operator/support/chromium-presenter';
import { launchChromiumFor } from '../support/chromium';

export const DOMAIN = 'tapkioskdemo.onmicrosoft.com';
export const ALEX = `alex.wilber@${DOMAIN}`;
export const PATTI = `patti.fernandez@${DOMAIN}`;
export const TEST = 120_000;
/** Fido2Core's default profile (a CTAP 2.1 key with PIN protocols 2 and 1), as the web harness plugs it. */
const FIDO2_CORE_PROFILE = 'token2-t2f2-nfc';

/** A station killed in the test (released without its session's stop): not stopped after the test. */
export function killed(s: Station): void {
  stations.splice(stations.indexOf(s), 1);
}

export let emu: Emulator;
let browser: Browser;
export let root: string;
const stations: Station[] = [];

/** One emulator and one Chromium for the file; every station made in a test is stopped after it. */
export function useEventStations(): void {
  beforeAll(async () => {
    emu = await startEmulator({ seed: eventSeed({ rosterSize: 6, owners: [ALEX, PATTI] }), tapPolicy: 'kiosk', hosts: 'microsoft' });
    browser = await launchChromiumFor(emu);
  }, TEST);
  afterAll(async () => {
    await browser?.close();
    await emu?.close();
  });
  beforeEach(() => {
    emu.reset();
    root = mkdtempSync(join(tmpdir(), 'tap-kiosk-event-station-'));
  });
  afterEach(async () => {
    for (const s of stations.splice(0)) await s.stop().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });
}

export const passwordOf = (upn: string) => emu.operators.find((o) => o.upn === upn)!.password;
export const claimMembers = () => emu.ctx.state.membersOf(EVENT_CLAIM_GROUP).map((u) => u.id);

export interface StationOptions {
  event?: boolean;
  eventClock?: () => Date;
  /** The event's modes (default: My Security Info only). */
  modes?: EventConfig['modes'];
  /** A key at the desk the station can set up (a full software authenticator, touched at once; options: its own). */
  deskKey?: boolean | Fido2CoreOptions;
}

export async function station(stationId: string, upn: string, options: StationOptions = {}): Promise<Station> {
  const auditFolder = join(root, stationId);
  // The production configuration the web harness runs, with this station's id and the event.
  const event = eventConfigSchema.parse({
    name: 'Spring onboarding',
    rosterGroupId: EVENT_ROSTER_GROUP,
    claimGroupId: EVENT_CLAIM_GROUP,
    startDateTime: new Date(emu.ctx.clock.nowMs() - 60_000).toISOString(),
    modes: options.modes ?? ['tap-my-security-info'],
  });
  const keySource = new VirtualBus();
  if (options.deskKey) {
    const core = new Fido2Core(options.deskKey === true ? {} : options.deskKey);
    keySource.plugKey({ ...fixtureKey(FIDO2_CORE_PROFILE), device: () => new SoftAuthenticator({ core, capabilities: core.profile.capabilities }) });
  }
  const config = { ...productionConfig(emu, auditFolder), stationId, ...(options.event === false ? {} : { event }) };
  const s = await createStation({
    config,
    caPem: emu.caPem,
    hostMap: emu.hostMap,
    presenter: chromiumPresenter(browser, (page) => submitSignIn(page, upn, passwordOf(upn))),
    view: new FakeView(),
    keySource,
    keyWatcher: { pollIntervalMs: 60_000, hotplugPollIntervalMs: 60_000 },
    session: { drainTimeoutMs: 500 },
    ...(options.eventClock ? { eventClock: options.eventClock } : {}),
  });
  stations.push(s);
  await s.start();
  return s;
}

export function until(s: Station, test: (snap: SessionSnapshot) => boolean): Promise<SessionSnapshot> {
  return new Promise((resolve) => {
    let done = false;
    let off: (() => void) | null = null;
    const check = () => {
      const snap = s.session.snapshot();
      if (done || !snap || !test(snap)) return;
      done = true;
      off?.();
      resolve(snap);
    };
    off = s.session.subscribe(check);
    if (done) off();
    check();
  });
}

export async function signIn(s: Station): Promise<void> {
  expect(s.session.send({ type: 'signIn' })).toEqual({ ok: true });
  await until(s, (x) => x.screen === 'ready');
}

export type Preflight = Extract<SessionSnapshot, { screen: 'preflight' }>;
/** Opened from search (one hit opens at once), identity confirmed: the pre-flight screen. */
export async function toPreflight(s: Station, upn: string): Promise<Preflight> {
  s.session.send({ type: 'search', query: upn });
  await until(s, (x) => x.screen === 'identity');
  s.session.send({ type: 'confirmIdentity', document: 'passport' });
  return (await until(s, (x) => x.screen === 'preflight')) as Preflight;
}

export const hireUpn = (n: number) => emu.ctx.state.users.get(newHireId(n))!.userPrincipalName;
export const claimCheck = (p: Preflight) => p.checks.find((c) => c.code === 'event-claim');
