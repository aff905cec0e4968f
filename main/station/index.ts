/**
 * createStation: the one composition of a whole station, exactly as production builds it, shared by the
 * Electron entry (main/index.ts), the web harness (test/harness/) and tests. No electron import: what only a
 * host can provide comes in as parameters — the operator's sign-in page (`presenter`), the My Security Info
 * surface (`view`) and where security keys come from (`keySource`).
 *
 *   operator   OperatorSession.fromConfig (MSAL, auth code + PKCE through `presenter`); its role read over
 *              operatorRoleClient (a Graph client of its own with a tight budget)
 *   directory  createGraphClient + createDirectoryGateway, tokens from the operator's getAccessToken; key models
 *              the directory does not name come from the keys catalogue (modelOf)
 *   keys       KeyWatcher over `keySource`; wink through a CtapHidChannel (keys-port.ts)
 *   provision  "Set up the key here" per key: raw HID (provision-port.ts), or on Windows, where HID is refused,
 *              webauthn.dll's dialog (provision-dll-port.ts; loaded on win32 only, owned by `nativeWindowHandle`)
 *   audit      openJournal(config.auditFolder, config.stationId); while its health is not ok (status), probed every
 *              `journalProbeMs` (default 10 s) so issuing resumes on its own once space or permissions are back
 *   session    EnrollmentSession over all of them (idle lock: config.idleLockMinutes, run by the machine)
 *   status     configuration, tenant reachability (at start and after each sign-in), key reader
 *   handlers   main/ipc's handler table over the session and the status
 */
import { trustOf, type HostMap, type Trust } from '../net/https-agent';
import type { StationConfig } from '../config';
import { createDirectoryGateway } from '../directory/gateway';
import { createGraphClient, type GraphRetryOptions } from '../directory/graph-client';
import type { SecurityInfoViewPort } from '../enrollment/ports';
import { EnrollmentSession, type EnrollmentSessionOptions } from '../enrollment/session';
import { openJournal, type Journal } from '../audit';
import { createKioskHandlers, type KioskHandlers } from '../ipc/handlers';
import type { KeySource } from '../keys/key-source';
import { modelFromAaguid } from '../keys/identity';
import { DeviceGoneError } from '../keys/hid/errors';
import { KeyWatcher, type KeyWatcherOptions } from '../keys/watcher';
import { MsalNetworkClient, OperatorSession, operatorErrorCodeOf, type RoleClientFactory, type SignInPresenter } from '../operator';
import { watcherKeysPort } from './keys-port';
import { deskProvisionPort } from './provision-port';
import { chooseProvisionPort, dllProvisionPort, webAuthnDllAuthenticator } from './provision-dll-port';
import type { PlatformAuthenticator } from '../provision/platform-flow';
import { deskRecyclePort } from './recycle-port';
import { StationStatusStore } from './status';
import type { StationStatus } from '../../common/contract';
import type { JournalHealthCode } from '../../common/codes';
import { EVENT_PERMISSION, EventMode } from '../event';

const isSignInRequired = (e: unknown): boolean => operatorErrorCodeOf(e) === 'sign-in-required';
/** A key's model when Graph names none: the keys catalogue's name for its AAGUID (keys/identity.ts). */
export const modelOfAaguid = (aaGuid: string): string | null => modelFromAaguid(aaGuid)?.name ?? null;

/**
 * The Graph client the operator's roles are read with: 2 retries within 10 s and 15 s an attempt, so a sign-in
 * never hangs on the role read (the directory's client allows a minute).
 */
export function operatorRoleClient(graphBaseUrl: string, trust: Trust = {}): RoleClientFactory {
  return (getAccessToken) =>
    createGraphClient({
      baseUrl: graphBaseUrl,
      getAccessToken,
      ...trust,
      retry: { maxRetries: 2, budgetMs: 10_000 },
      attemptTimeoutMs: 15_000,
    });
}

export { StationStatusStore, configFailedStatus, journalHealthOf, openIdConfigurationUrl } from './status';
export { watcherKeysPort } from './keys-port';

export interface CreateStationOptions {
  config: StationConfig;
  /** The configuration file it came from (shown on the status screen). */
  configFile?: string;
  /** PEM of the only CA to trust (demo: the emulator's). Absent: the system store. */
  caPem?: string;
  /** Microsoft's host names mapped to the emulator's loopback ports (tests, demo); see main/net/https-agent.ts. */
  hostMap?: HostMap;
  presenter: SignInPresenter;
  view: SecurityInfoViewPort;
  keySource: KeySource;
  keyWatcher?: KeyWatcherOptions;
  /** The OS the station runs on (tests). Default `process.platform`. */
  platform?: NodeJS.Platform;
  /** The station window's native handle (main/kiosk/station-window.ts): Windows' security-key dialog is its child. */
  nativeWindowHandle?: () => Uint8Array;
  /**
   * Windows' authenticator API for keys HID is refused for (default: webauthn.dll when `nativeWindowHandle` is
   * given; tests and the harness inject a stand-in). Called once, on win32 only; null: it cannot be used.
   */
  platformAuthenticator?: () => PlatformAuthenticator | null;
  graphRetry?: GraphRetryOptions;
  /** How often a journal that cannot be written is probed again (default 10 s; its health clears when one succeeds). */
  journalProbeMs?: number;
  /** Event mode's clock: claim ages, the board's hours (tests). Default the system clock. */
  eventClock?: () => Date;
  /** Time and scheduling of the session (tests). */
  session?: Partial<Pick<EnrollmentSessionOptions, 'clock' | 'timers' | 'machineClock' | 'pollSchedule' | 'drainTimeoutMs'>>;
}

export interface Station {
  readonly config: StationConfig;
  readonly session: EnrollmentSession;
  readonly operator: OperatorSession;
  readonly watcher: KeyWatcher;
  readonly journal: Journal;
  readonly status: StationStatusStore;
  readonly handlers: KioskHandlers;
  /** Event mode; null when the configuration names no event. */
  readonly event: EventMode | null;
  /** Key reader, crash recovery, the machine; the tenant check runs in the background. */
  start(): Promise<void>;
  /** Asks the tenant's sign-in endpoint again (also done after every sign-in). */
  checkTenant(): Promise<void>;
  /** Probes the journal now (also done at each pre-flight, and periodically while it cannot be written). */
  checkJournal(): Promise<JournalHealthCode>;
  /** Quit: the session's stop (cancel, clean up, bounded drain of TAP deletions). */
  drain(): Promise<{ pendingDeletions: number }>;
  /** After drain: key reader, journal, tokens and connections released. Idempotent. */
  release(): Promise<void>;
  /** drain, then release. */
  stop(): Promise<void>;
}

/** The injected platform authenticator, else webauthn.dll owned by the station's window (none without a window). */
function platformAuthenticatorOf(options: CreateStationOptions): PlatformAuthenticator | null {
  if (options.platformAuthenticator) return options.platformAuthenticator();
  const handle = options.nativeWindowHandle;
  if (!handle) return null;
  return webAuthnDllAuthenticator(handle, undefined, (e) =>
    console.error(`[station] webauthn.dll could not be loaded: ${e instanceof Error ? e.message : String(e)}`),
  );
}

export async function createStation(options: CreateStationOptions): Promise<Station> {
  const { config } = options;
  const trust = trustOf(options);
  // First: the one step that can fail (the journal is locked by another instance, or not writable); nothing to undo.
  const journal = await openJournal({ folder: config.auditFolder, stationId: config.stationId });
  const status = new StationStatusStore({
    stationId: config.stationId,
    demo: config.demo,
    language: config.language,
    config: { ok: true, file: options.configFile ?? '' },
  });
  const operator = OperatorSession.fromConfig(config, {
    presenter: options.presenter,
    ...(config.event ? { optionalPermissions: [EVENT_PERMISSION] } : {}),
    roleClient: operatorRoleClient(config.graphBaseUrl, trust),
    ...trust,
  });
  const client = createGraphClient({
    baseUrl: config.graphBaseUrl,
    getAccessToken: () => operator.getAccessToken(),
    ...trust,
    ...(options.graphRetry ? { retry: options.graphRetry } : {}),
  });
  const directory = createDirectoryGateway({ client, isSignInRequired, modelOf: modelOfAaguid, accessFacts: () => operator.accessFacts() });
  const watcher = new KeyWatcher(options.keySource, options.keyWatcher);
  const keys = watcherKeysPort(watcher, options.keySource);
  const network = new MsalNetworkClient({ ...trust, timeoutMs: 10_000 });
  // Event mode (main/event/README.md): built when the configuration names an event; on after a sign-in whose token
  // carries the permission. Without an event nothing of it exists and the session claims nobody.
  const event = config.event
    ? new EventMode({
        config: config.event,
        directory,
        journal,
        audit: { folder: config.auditFolder, stationId: config.stationId },
        ...(options.eventClock ? { now: options.eventClock } : {}),
      })
    : null;
  if (event) status.setEvent(event.status());

  const session = new EnrollmentSession({
    operator,
    directory,
    keys,
    view: options.view,
    journal,
    station: {
      stationId: config.stationId,
      auditFolder: config.auditFolder,
      tapOneTime: config.tapOneTime,
      tapLifetimeMinutes: config.tapLifetimeMinutes,
      idleLockMinutes: config.idleLockMinutes,
      mySecurityInfoUrl: config.mySecurityInfoUrl,
      modes: config.enrollmentModes,
    },
    language: config.language,
    provision: chooseProvisionPort({
      platform: options.platform ?? process.platform,
      hid: deskProvisionPort({
        open: async (keyId) => {
          const key = watcher.state().keys.find((k) => k.id === keyId);
          if (!key) throw new DeviceGoneError('the key at the desk is gone');
          return options.keySource.open(key.path);
        },
        graph: directory,
        journal,
        modelOf: modelOfAaguid,
      }),
      dll: () => {
        const authenticator = platformAuthenticatorOf(options);
        return authenticator ? dllProvisionPort({ authenticator, graph: directory, journal, modelOf: modelOfAaguid }) : null;
      },
      hidFailureOf: (keyId) => {
        const identity = watcher.state().keys.find((k) => k.id === keyId)?.identity;
        return identity?.status === 'unavailable' ? identity.reason : null;
      },
    }),
    ...(event ? { event } : {}),
    recycle: deskRecyclePort({ watcher, openPath: (path) => options.keySource.open(path), journal, modelOf: modelOfAaguid }),
    ...options.session,
  });
  const handlers = createKioskHandlers({ session, station: status, audit: { folder: config.auditFolder, stationId: config.stationId }, journal, event });

  const checkTenant = async () => {
    await status.checkTenant(network, config.authority);
  };
  const offs: (() => void)[] = [];
  // While the journal cannot be written: probe it every few seconds; a success clears the status and the pre-flight.
  const probeMs = options.journalProbeMs ?? 10_000;
  let probing: ReturnType<typeof setInterval> | null = null;
  const stopProbing = () => {
    if (probing !== null) clearInterval(probing);
    probing = null;
  };
  const followJournal = (health: StationStatus['journal']) => {
    if (health === 'ok' || health === null) return stopProbing();
    if (probing !== null) return;
    probing = setInterval(() => void journal.probe(), probeMs);
    probing.unref?.();
  };
  let released: Promise<void> | null = null;
  const release = () =>
    (released ??= (async () => {
      for (const off of offs.splice(0)) off();
      stopProbing();
      handlers.dispose();
      await watcher.stop().catch(() => undefined);
      await operator.dispose().catch(() => undefined);
      network.dispose();
      await journal.close().catch(() => undefined);
    })());

  return {
    config,
    session,
    operator,
    watcher,
    journal,
    status,
    handlers,
    event,
    async start() {
      offs.push(watcher.on('reader', (reader) => status.setKeyReader(reader)));
      offs.push(journal.onWriteOutcome((error) => status.setJournalOutcome(error)));
      offs.push(status.subscribe((s) => followJournal(s.journal)));
      offs.push(
        operator.onChange((change) => {
          if (change.kind === 'signed-in') void checkTenant();
          if (change.kind === 'signed-in') void event?.signedIn(operator.accessFacts()?.grantedPermissions ?? null);
          else event?.signedOut();
        }),
      );
      if (event) offs.push(event.onStatus((s) => status.setEvent(s)));
      await watcher.start();
      status.setKeyReader(watcher.state().reader);
      void checkTenant();
      await session.start();
    },
    checkTenant,
    checkJournal: () => journal.probe(),
    drain: () => session.stop(),
    release,
    async stop() {
      await session.stop();
      await release();
    },
  };
}
