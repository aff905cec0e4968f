/**
 * The web harness (dev and test only, never packaged): the built renderer served over http on 127.0.0.1, with a
 * small `window.kiosk` shim (bridge-shim.js) that talks over a loopback WebSocket to the SAME handler table
 * (main/ipc/) Electron IPC serves, of a station composed by the SAME function (main/station/ createStation).
 *
 * What stands in for the hardware and the person: the Entra emulator (in-process unless given), the virtual HID
 * bus with a software authenticator as the key at the desk, and Chromium (playwright-core) for the operator's
 * sign-in page and the user's My Security Info, each in its own fresh browser context (surfaces.ts).
 *
 * The station runs the PRODUCTION configuration (no demo mode): authority https://login.microsoftonline.com/<tenant>,
 * Graph https://graph.microsoft.com/v1.0, My Security Info https://mysignins.microsoft.com/security-info, and the
 * kiosk's production navigation policies on both browser surfaces. The emulator answers on those names
 * (`hosts: 'microsoft'`); the only test-specific inputs are where the CA and the names' addresses come in: the
 * station's Trust (`caPem`, `hostMap`: main/net/https-agent.ts) and Chromium's `chromiumHostArgs`.
 *
 * The socket is guarded three ways: bound to 127.0.0.1 only, the `Origin` must be the harness's own, and the
 * upgrade must present the random token the harness put in the page URL. HTTP requests must name the harness's
 * Host (no DNS rebinding). The page gets the app's CSP, its connect-src widened to this socket only.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { WebSocketServer, type WebSocket } from 'ws';
import type { KioskState } from '../../common/contract';
import { eventConfigSchema, parseConfig, type EventConfig, type StationConfig } from '../../main/config';
import { EVENT_CLAIM_GROUP, EVENT_ROSTER_GROUP, eventSeed } from '../emulator/seed/event';
import { loadSeed } from '../emulator/store';
import { DEFAULT_REDIRECT_URI } from '../../main/operator/session';
import { operatorSignInPolicy, securityInfoPolicy } from '../../main/kiosk/navigation-policy';
import { createStation, type CreateStationOptions, type Station } from '../../main/station';
import { fixtureKey, YUBIKEY_5_NFC } from '../keys/key-helpers';
import { Ctap2Core } from '../authenticator/ctap2-core';
import { patchGetInfo, profile } from '../authenticator/profiles';
import { SoftAuthenticator } from '../authenticator/soft-authenticator';
import { VirtualBus, type PlugKeyOptions, type VirtualPort } from '../authenticator/virtual-bus';
import { Fido2Core } from '../authenticator/fido2-core';
import { startEmulator, type Emulator } from '../emulator';
import { launchChromiumFor, VIRTUAL_AUTHENTICATOR_AAGUID } from '../support/chromium';
import { Surfaces, type DeniedNavigation, type PageListener, type SurfaceKind } from './browser-surfaces';
import { WindowsDialogDesk } from './windows-desk';
import { DEFAULT_RENDERER_DIR, ensureRendererBuilt, harnessCsp, rendererFile, SOCKET_PATH, type RebuildPolicy } from './renderer-files';

export const HARNESS_STATION_ID = 'KIOSK-WEB-01';

export interface HarnessOptions {
  /**
   * An emulator to use (not closed by the harness), started with `hosts: 'microsoft'`. Default: one started
   * in-process on Microsoft's host names with the kiosk TAP policy.
   */
  emulator?: Emulator;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Chromium for the sign-in and My Security Info pages; default headless. */
  headless?: boolean;
  /** Default out/renderer (electron-vite's output), rebuilt with Vite when missing or older than renderer/. */
  rendererDir?: string;
  /** When to rebuild the renderer (default 'if-stale'). */
  rebuild?: RebuildPolicy;
  /** The software key at the desk: a fixture profile id, or null for none at start. Default the YubiKey 5 NFC. */
  stationKey?: string | null;
  /**
   * The desk key reports the AAGUID of Chromium's virtual authenticator (which does the actual WebAuthn
   * registration in the My Security Info page), so the station sees "the registered key is the one at the desk".
   * Default false: the fixture's own AAGUID, and the registered key does not match.
   */
  deskKeyIsVirtualAuthenticator?: boolean;
  /** The key at the desk is a full software authenticator (test/authenticator/fido2-core.ts: PIN, makeCredential,
   *  getAssertion), touched at once: "Set up the key here" runs end to end. One key state across replugs (each plug
   *  powers it up: the PIN token and the failures since power-up start over); `deskKey()` reaches it. */
  deskKeyCanProvision?: boolean;
  /**
   * Windows without administrator rights: the desk key (a full software authenticator, as `deskKeyCanProvision`)
   * refuses HID with access denied, the station runs as on win32, and webauthn.dll is a stand-in whose dialog the
   * test answers through `harness.windowsDialog` (test/harness/windows-desk.ts).
   */
  windowsDialog?: boolean;
  /** Keep `dataRoot` (the audit journals) on close, e.g. to scan it after a suite. Default false. */
  keepData?: boolean;
  /** How long quit / reset waits for pending TAP deletions. Default 3 s. */
  drainTimeoutMs?: number;
  /**
   * The session's time, e.g. a ManualTime (test/enrollment/support/manual-time.ts) as `clock`, `timers` and
   * `machineClock`, so a suite can run the 10-minute window out. Each reset builds its station with these again.
   */
  stationTime?: () => Omit<NonNullable<CreateStationOptions['session']>, 'drainTimeoutMs'>;
  /**
   * Event mode (main/event/): the emulator seeded with a roster of `rosterSize` new hires and a claim group, both
   * owned by every seeded operator, and the station configured for the event. Ignored with `emulator`.
   */
  event?: { rosterSize: number };
}

/**
 * Test-only controls of the desk key when the harness runs with `deskKeyCanProvision` (the e2e failure cases of
 * "Set up the key here": wrong or blocked PIN, no touch, unplugged while waiting for the touch).
 */
export interface DeskKeyControl {
  /**
   * The key's state, kept across replugs and across `reset()`: `state` (PIN, `pinRetries`, credentials), `touch`
   * (how the simulated person answers a request for a touch: 'auto', 'wait', 'never', 'deny') and `touchTimeoutMs`.
   */
  readonly core: Fido2Core;
  /** The person touches the key: every request waiting for a touch (`touch: 'wait'`) goes on. */
  touch(): void;
  /** A blank key as shipped: no PIN, no passkeys, 8 tries, touched at once (the next power-up is the harness's plug). */
  factoryReset(): void;
}

export interface Harness {
  /** The page to open: the harness origin with the socket token. */
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  readonly emulator: Emulator;
  readonly browser: Browser;
  /** Everything the harness and its stations wrote (audit journals), for "the pass is in no file" checks. */
  readonly dataRoot: string;
  /** Navigations the kiosk's policies refused on the sign-in page or My Security Info (empty on a good run). */
  deniedNavigations(): readonly DeniedNavigation[];
  station(): Station;
  state(): KioskState;
  onPage(listener: PageListener): () => void;
  signInPage(): Page | null;
  securityInfoPage(): Page | null;
  waitForPage(kind: SurfaceKind, timeoutMs?: number): Promise<Page>;
  /** Plugs the software key in (a fixture profile id; default the harness's station key). */
  plugKey(profileId?: string): void;
  unplugKey(): void;
  keyPlugged(): boolean;
  /** The desk key's test-only controls with `deskKeyCanProvision`; null for the fixture keys. */
  deskKey(): DeskKeyControl | null;
  /** With `windowsDialog`: Windows' dialog, for the test to answer; else null. */
  readonly windowsDialog: WindowsDialogDesk | null;
  /** With `deskKeyCanProvision`: time passes for the desk key alone (its 10 s reset window after power-up). */
  advanceDeskKeyClock(ms: number): void;
  /** A note shown above the kiosk on every page load (the demo's headless mode says what it plays); null: none. */
  setNotice(text: string | null): void;
  /** A clean slate: the station stopped (TAP deleted, view wiped), the emulator reset, a fresh station and journal, the key plugged in. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** The demo accepts Chromium's virtual authenticator at My Security Info: it registers unattested. */
export function acceptVirtualAuthenticator(emu: Emulator): void {
  emu.ctx.state.fido2Policy.isAttestationEnforced = false;
}

/** A fixture key whose getInfo carries the virtual authenticator's AAGUID (USB ids and capabilities kept). */
/** Fido2Core's default profile (a CTAP 2.1 key with PIN protocols 2 and 1). */
const FIDO2_CORE_PROFILE = 'token2-t2f2-nfc';

function virtualAuthenticatorKey(profileId: string): PlugKeyOptions {
  const p = profile(profileId);
  if (!p.getInfoCbor) throw new Error(`profile ${profileId} has no getInfo`);
  const getInfo = patchGetInfo(p.getInfoCbor, { aaguid: Buffer.from(VIRTUAL_AUTHENTICATOR_AAGUID.replaceAll('-', ''), 'hex') });
  return {
    ...fixtureKey(profileId),
    device: () => new SoftAuthenticator({ core: new Ctap2Core(getInfo), capabilities: p.capabilities, deviceVersion: { ...p.deviceVersion } }),
  };
}

/**
 * The production configuration, as an administrator would write it for this tenant: no `demo`, no custom hosts.
 * Parsed by the same schema, so it must pass the production rules (https, Microsoft's hosts).
 */
export function productionConfig(emu: Emulator, auditFolder: string): StationConfig {
  const file = {
    tenantId: emu.tenantId,
    clientId: emu.clientId,
    authority: `https://login.microsoftonline.com/${emu.tenantId}`,
    graphBaseUrl: 'https://graph.microsoft.com/v1.0',
    mySecurityInfoUrl: 'https://mysignins.microsoft.com/security-info',
    auditFolder,
    stationId: HARNESS_STATION_ID,
  };
  return parseConfig(JSON.stringify(file), '(web harness: production configuration)');
}

/** The harness's event: the seeded roster and claim group, started an hour ago (emulator time). */
function harnessEvent(emu: Emulator): EventConfig {
  return eventConfigSchema.parse({
    name: 'Spring onboarding',
    rosterGroupId: EVENT_ROSTER_GROUP,
    claimGroupId: EVENT_CLAIM_GROUP,
    startDateTime: new Date(emu.ctx.clock.nowMs() - 3_600_000).toISOString(),
    modes: ['tap-my-security-info'],
  });
}

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const rendererDir = options.rendererDir ?? DEFAULT_RENDERER_DIR;
  await ensureRendererBuilt(rendererDir, options.rebuild);
  const ownEmulator = !options.emulator;
  const seed = options.event
    ? {
        seed: eventSeed({
          rosterSize: options.event.rosterSize,
          owners: loadSeed()
            .users.filter((u) => u.password !== undefined)
            .map((u) => u.id),
        }),
      }
    : {};
  const emu = options.emulator ?? (await startEmulator({ tapPolicy: 'kiosk', hosts: 'microsoft', ...seed }));
  if (Object.keys(emu.hostMap).length === 0) throw new Error("the web harness runs the production configuration: start the emulator with hosts: 'microsoft'");
  acceptVirtualAuthenticator(emu);
  const dataRoot = mkdtempSync(join(tmpdir(), 'tap-kiosk-harness-'));
  const browser = await launchChromiumFor(emu, options.headless === undefined ? {} : { headless: options.headless });
  // The policies as main/index.ts builds them for a production configuration (the same config fields, demo off).
  const policyConfig = productionConfig(emu, join(dataRoot, 'policy'));
  const surfaces = new Surfaces(browser, {
    signIn: operatorSignInPolicy({ authority: policyConfig.authority, redirectUri: DEFAULT_REDIRECT_URI }),
    securityInfo: securityInfoPolicy({ authority: policyConfig.authority, mySecurityInfoUrl: policyConfig.mySecurityInfoUrl, demo: false }),
  });
  const bus = new VirtualBus({ hotplug: true });
  let deskKeySkewMs = 0;
  const deskCore = options.deskKeyCanProvision || options.windowsDialog ? new Fido2Core({ now: () => performance.now() + deskKeySkewMs }) : null;
  const windowsDialog = options.windowsDialog && deskCore ? await WindowsDialogDesk.over(deskCore) : null;
  /** The desk key's HID handles still open (one per open by the station), for `deskKey().touch()`. */
  const deskDevices = new Set<SoftAuthenticator>();
  const deskDevice = (core: Fido2Core) => {
    for (const d of deskDevices) if (d.isClosed || d.unplugged) deskDevices.delete(d);
    const device = new SoftAuthenticator({ core, capabilities: core.profile.capabilities });
    deskDevices.add(device);
    return device;
  };
  const keyProfile = options.stationKey === undefined ? YUBIKEY_5_NFC.profile : options.stationKey;
  let port: VirtualPort | null = null;
  const plugKey = (profileId = keyProfile ?? YUBIKEY_5_NFC.profile) => {
    if (port && !port.unplugged) return;
    // Plugging a key in powers it up: its reset window opens, PIN auth is unblocked (fido2-core.ts powerCycle).
    deskCore?.powerCycle();
    port = bus.plugKey(
      deskCore
        ? {
            ...fixtureKey(FIDO2_CORE_PROFILE),
            device: () => deskDevice(deskCore),
            ...(windowsDialog ? { accessDenied: 'open' as const } : {}),
          }
        : options.deskKeyIsVirtualAuthenticator
          ? virtualAuthenticatorKey(profileId)
          : fixtureKey(profileId),
    );
  };
  const unplugKey = () => {
    port?.unplug();
    port = null;
  };
  if (keyProfile) plugKey(keyProfile);

  // The station, and the relay from its handler table to every connected page.
  const sockets = new Set<WebSocket>();
  let generation = 0;
  let station!: Station;
  let offState: (() => void) | null = null;
  const broadcast = (state: KioskState) => {
    const text = JSON.stringify({ state });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  };
  const build = async () => {
    generation += 1;
    const auditFolder = join(dataRoot, `audit-${generation}`);
    mkdirSync(auditFolder, { recursive: true });
    const next = await createStation({
      config: { ...productionConfig(emu, auditFolder), ...(options.event ? { event: harnessEvent(emu) } : {}) },
      configFile: '(web harness)',
      caPem: emu.caPem,
      hostMap: emu.hostMap,
      presenter: surfaces.presenter,
      view: surfaces.view,
      keySource: bus,
      keyWatcher: { pollIntervalMs: 1_000, hotplugPollIntervalMs: 60_000, ...(windowsDialog ? { platform: 'win32' as const } : {}) },
      ...(windowsDialog ? { platform: 'win32' as const, platformAuthenticator: () => windowsDialog.windows } : {}),
      session: { ...(options.stationTime?.() ?? {}), drainTimeoutMs: options.drainTimeoutMs ?? 3_000 },
    });
    station = next;
    offState = next.handlers.subscribe(broadcast);
    await next.start();
    broadcast(next.handlers.state());
  };
  await build();

  let notice: string | null = null;
  // HTTP: the renderer and the shim.
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the harness has no TCP address');
  const host = `127.0.0.1:${address.port}`;
  const origin = `http://${host}`;
  const token = randomBytes(24).toString('base64url');
  const csp = harnessCsp(origin);

  server.on('request', (req, res) => {
    const headers = {
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer', // the page URL carries the socket token
      'Cache-Control': 'no-store',
    };
    if (req.headers.host !== host || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(req.headers.host !== host ? 421 : 405, { ...headers, 'Content-Type': 'text/plain' }).end('refused');
      return;
    }
    const pathname = new URL(req.url ?? '/', origin).pathname;
    void rendererFile(rendererDir, pathname, notice).then(
      (file) => res.writeHead(file.status, { ...headers, 'Content-Type': file.type }).end(req.method === 'HEAD' ? undefined : file.body),
      () => res.writeHead(500, headers).end(),
    );
  });

  // WebSocket: loopback, own Origin, token.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const refuseUpgrade = (socket: Duplex, status: string) => {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', origin);
    const presented = url.searchParams.get('token') ?? '';
    if (url.pathname !== SOCKET_PATH) return refuseUpgrade(socket, '404 Not Found');
    if (req.headers.host !== host || req.headers.origin !== origin || !sameSecret(presented, token)) return refuseUpgrade(socket, '403 Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text only');
      let message: unknown;
      try {
        message = JSON.parse(String(data));
      } catch {
        return ws.close(1007, 'not JSON');
      }
      const id = typeof message === 'object' && message !== null ? (message as { id?: unknown }).id : undefined;
      if (typeof id !== 'number' || !Number.isSafeInteger(id)) return ws.close(1008, 'a request needs a numeric id');
      const request = (message as { request?: unknown }).request;
      void station.handlers.handle(request).then((reply) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, reply }));
      });
    });
    ws.send(JSON.stringify({ state: station.handlers.state() }));
  });

  let closed = false;
  const stopStation = async () => {
    offState?.();
    offState = null;
    // Bounded in real time too: with a hand-moved stationTime the drain would wait for a clock nobody moves.
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, (options.drainTimeoutMs ?? 3_000) + 5_000)));
    await Promise.race([station.drain().catch(() => undefined), bound]);
    clearTimeout(timer);
    await station.release();
    await surfaces.view.wipe();
  };

  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    emulator: emu,
    browser,
    dataRoot,
    deniedNavigations: () => [...surfaces.denied],
    station: () => station,
    state: () => station.handlers.state(),
    onPage: (listener) => surfaces.onPage(listener),
    signInPage: () => surfaces.signInPage(),
    securityInfoPage: () => surfaces.securityInfoPage(),
    waitForPage: (kind, timeoutMs) => surfaces.waitForPage(kind, timeoutMs),
    plugKey,
    unplugKey,
    keyPlugged: () => port !== null && !port.unplugged,
    deskKey: () =>
      deskCore && {
        core: deskCore,
        touch: () => {
          for (const d of deskDevices) d.touch();
        },
        factoryReset: () => {
          deskCore.state.factoryReset();
          deskCore.touch = 'auto';
          deskCore.touchTimeoutMs = 30_000;
        },
      },
    windowsDialog,
    advanceDeskKeyClock: (ms) => {
      deskKeySkewMs += ms;
    },
    setNotice: (text) => {
      notice = text;
    },
    async reset() {
      await stopStation();
      emu.reset('kiosk');
      acceptVirtualAuthenticator(emu);
      unplugKey();
      if (keyProfile) plugKey(keyProfile);
      await build();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stopStation().catch(() => undefined);
      await windowsDialog?.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      bus.reset();
      if (ownEmulator) await emu.close();
      if (!options.keepData) rmSync(dataRoot, { recursive: true, force: true });
    },
  };
}
