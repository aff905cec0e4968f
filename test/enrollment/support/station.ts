// A whole station for the enrollment integration tests: the real EnrollmentSession, gateway, journal (temp
// folder), issuer, deletion queue and completion watch against the emulator; fakes only where a person or a
// device sits: the operator's sign-in (tokens minted for a seeded operator), the key reader, the My Security
// Info view (navigations reported from an HTTP client that plays the user). Time is ManualTime for
// everything that waits (the machine's timeouts, polling, retries): tests move it, nothing sleeps.
import { randomUUID } from 'node:crypto';
import { EnrollmentSession } from '../../../main/enrollment/session';
import type { KeysPort, OperatorPort, SecurityInfoViewPort } from '../../../main/enrollment/ports';
import type { Screen, SessionSnapshot } from '../../../common/session';
import type { KeyWatcherState } from '../../../main/keys/watcher';
import { BUILT_IN_ROLE_NAMES, capabilityOf, mayReadPoliciesWith } from '../../../main/operator/roles';
import { operatorErrorCodeOf } from '../../../main/operator/errors';
import type { OperatorIdentity } from '../../../common/operator';
import type { Emulator } from '../../emulator';
import { accessTokenFor } from '../../emulator/support/tokens';
import { MsiClient } from '../../emulator/support/mysignins';
import { createDirectoryGateway } from '../../../main/directory/gateway';
import { createGraphClient } from '../../../main/directory/graph-client';
import { modelOfAaguid } from '../../../main/station';
import { upn } from '../../directory/support';
import { keysOne, YUBIKEY_AAGUID } from './fixtures';
import { tempJournal, type TempJournal } from './journal';
import { ManualTime, advanceUntil, settle } from './manual-time';
import type { HidDevice } from '../../../main/keys/hid/device';
import type { ModeConfig } from '../../../main/enrollment/modes';
import { deskProvisionPort } from '../../../main/station/provision-port';
import { chooseProvisionPort, dllProvisionPort } from '../../../main/station/provision-dll-port';
import type { PlatformAuthenticator } from '../../../main/provision/platform-flow';
import { DeviceGoneError } from '../../../main/keys/hid/errors';
import type { RecyclePort } from '../../../main/enrollment/recycle';

export class FakeOperator implements OperatorPort {
  token: string | null = null;
  who: OperatorIdentity | null = null;
  signIns = 0;
  failNext: Error | null = null;
  constructor(
    private readonly emu: Emulator,
    public upn: string,
    private readonly overrides: Partial<OperatorIdentity> = {},
  ) {}
  async signIn(): Promise<OperatorIdentity> {
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = null;
      throw e;
    }
    const user = this.emu.ctx.state.findUser(this.upn);
    if (!user) throw new Error(`no operator ${this.upn}`);
    const roles = this.emu.ctx.state.rolesOf(user);
    this.token = await accessTokenFor(this.emu, this.upn);
    this.signIns += 1;
    this.who = {
      id: user.id,
      userPrincipalName: user.userPrincipalName,
      displayName: user.displayName,
      roleTemplateIds: roles,
      roleNames: roles.map((r) => BUILT_IN_ROLE_NAMES[r] ?? r),
      capability: capabilityOf(roles),
      mayReadPolicies: mayReadPoliciesWith(roles),
      ...this.overrides,
    };
    return this.who;
  }
  current(): OperatorIdentity | null {
    return this.who;
  }
  async signOut(): Promise<void> {
    this.token = null;
    this.who = null;
  }
  /** The token stops working at Graph (revoked): the emulator answers 401. */
  revoke(): void {
    this.token = 'revoked.' + randomUUID();
  }
  async accessToken(): Promise<string> {
    if (!this.token) throw Object.assign(new Error('signed out'), { kind: 'unauthenticated' });
    return this.token;
  }
}

export class FakeKeys implements KeysPort {
  #state: KeyWatcherState;
  #listeners = new Set<(s: KeyWatcherState) => void>();
  winks = 0;
  constructor(state: KeyWatcherState = keysOne()) {
    this.#state = state;
  }
  state(): KeyWatcherState {
    return this.#state;
  }
  onChange(listener: (s: KeyWatcherState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  async wink(): Promise<boolean> {
    this.winks += 1;
    return true;
  }
  set(state: KeyWatcherState): void {
    this.#state = state;
    for (const l of [...this.#listeners]) l(state);
  }
}

/** My Security Info's Security info page on Microsoft's host name. */
export const MSI_SECURITY_INFO = 'https://mysignins.microsoft.com/security-info';

export class FakeView implements SecurityInfoViewPort {
  opened: string[] = [];
  /** The language each `open()` was asked for. */
  languages: (string | undefined)[] = [];
  wipes = 0;
  isOpen = false;
  #listeners = new Set<(n: { url: string }) => void>();
  async open(url: string, options: { language?: 'en' | 'de' } = {}): Promise<void> {
    this.opened.push(url);
    this.languages.push(options.language);
    this.isOpen = true;
  }
  onNavigation(listener: (n: { url: string }) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  async wipe(): Promise<void> {
    this.wipes += 1;
    this.isOpen = false;
  }
  /** What the kiosk typed into the sign-in page's user-name field. */
  filled: string[] = [];
  async fillUserName(userName: string): Promise<boolean> {
    this.filled.push(userName);
    return this.isOpen;
  }
  /** A top-level navigation of the view (origin and path, as the kiosk's view reports it). */
  navigate(url: string): void {
    for (const l of [...this.#listeners]) l({ url });
  }
}

export interface StationOptions {
  operator?: string;
  keys?: KeyWatcherState;
  journal?: TempJournal;
  time?: ManualTime;
  tapOneTime?: boolean;
  tapLifetimeMinutes?: number;
  /** Each gateway call gives up after this long (real time). Default 30 s. */
  gatewayTimeoutMs?: number;
  /** A real operator session (main/operator/session.ts) instead of the token-minting fake. */
  realOperator?: { port: OperatorPort; token: () => Promise<string> };
  /** The My Security Info view (default: a FakeView the DeskUser reports navigations through). */
  view?: SecurityInfoViewPort;
  /** Replace what the operator's roles say (e.g. `mayReadPolicies: true` to make the station ask for the policies). */
  operatorOverrides?: Partial<OperatorIdentity>;
  /** The Graph client's retries on 429/503/504 (default 2). */
  graphRetries?: number;
  /** Graph base URL (default: the emulator's). */
  graphOrigin?: string;
  /** The key at the desk for "Set up the key here" (main/station/provision-port.ts over it); absent: My Security Info only. */
  deskKey?: { open(): Promise<HidDevice> };
  modes?: ModeConfig;
  /**
   * Windows without administrator rights: the station's port choice (main/station/provision-dll-port.ts) on this
   * OS, with this stand-in for webauthn.dll (null: it did not load). Absent: the HID port alone, as before.
   */
  windows?: { platform: NodeJS.Platform; authenticator: PlatformAuthenticator | null };
  /** Resetting a returned key at the desk (main/station/recycle-port.ts over a fake watcher); absent: not offered. */
  recycle?: RecyclePort;
}

export interface Station {
  session: EnrollmentSession;
  operator: FakeOperator;
  keys: FakeKeys;
  view: FakeView;
  journal: TempJournal;
  time: ManualTime;
  snapshots: SessionSnapshot[];
  current(): SessionSnapshot;
  /** Sends a command and fails the test if the schema refused it. */
  send(command: unknown): void;
  /** Resolves with the first snapshot (from now, or the current one) on one of these screens. */
  until<S extends Screen>(...screens: S[]): Promise<Extract<SessionSnapshot, { screen: S }>>;
  /** Resolves with the first snapshot (the current one, or a later one) that satisfies `test`. */
  waitFor(test: (s: SessionSnapshot) => boolean): Promise<SessionSnapshot>;
  /** Operator signed in, user found and selected, identity confirmed: the pre-flight screen. */
  toPreflight(query: string, userId?: string): Promise<Extract<SessionSnapshot, { screen: 'preflight' }>>;
  /** ... then issue: the handover screen with the pass. */
  toHandover(query: string): Promise<Extract<SessionSnapshot, { screen: 'handover' }>>;
}

function provisionPortOf(options: StationOptions, directory: ReturnType<typeof createDirectoryGateway>, journal: TempJournal, keys: FakeKeys) {
  const open = () => (options.deskKey ? options.deskKey.open() : Promise.reject(new DeviceGoneError('no key over HID')));
  const hid = deskProvisionPort({ open, graph: directory, journal: journal.journal, modelOf: modelOfAaguid });
  const windows = options.windows;
  if (!windows) return hid;
  return chooseProvisionPort({
    platform: windows.platform,
    hid,
    dll: () =>
      windows.authenticator
        ? dllProvisionPort({ authenticator: windows.authenticator, graph: directory, journal: journal.journal, modelOf: modelOfAaguid })
        : null,
    hidFailureOf: (keyId) => {
      const identity = keys.state().keys.find((k) => k.id === keyId)?.identity;
      return identity?.status === 'unavailable' ? identity.reason : null;
    },
  });
}

export async function openStation(emu: Emulator, options: StationOptions = {}): Promise<Station> {
  const journal = options.journal ?? (await tempJournal());
  const time = options.time ?? new ManualTime(Date.now());
  const operator = new FakeOperator(emu, options.operator ?? upn('patti.fernandez'), options.operatorOverrides);
  const keys = new FakeKeys(options.keys);
  const fakeView = new FakeView();
  const view = options.view ?? fakeView;
  const client = createGraphClient({
    // On Microsoft's host names (startEmulator({ hosts: 'microsoft' })) Graph is graph.microsoft.com, mapped.
    baseUrl: options.graphOrigin ?? (Object.keys(emu.hostMap).length > 0 ? emu.urls.graph : emu.urls.origin),
    caPem: emu.caPem,
    hostMap: emu.hostMap,
    getAccessToken: () => (options.realOperator ? options.realOperator.token() : operator.accessToken()),
    retry: { maxRetries: options.graphRetries ?? 2, budgetMs: 3_000, delaySeconds: 0 },
  });
  const directory = createDirectoryGateway({
    client,
    isSignInRequired: (e) => operatorErrorCodeOf(e) === 'sign-in-required',
    modelOf: modelOfAaguid,
    ...(options.gatewayTimeoutMs ? { timeoutMs: options.gatewayTimeoutMs } : {}),
  });
  const session = new EnrollmentSession({
    operator: options.realOperator?.port ?? operator,
    directory,
    keys,
    view,
    journal: journal.journal,
    station: {
      stationId: 'KIOSK-TEST-01',
      auditFolder: journal.folder,
      tapOneTime: options.tapOneTime ?? true,
      tapLifetimeMinutes: options.tapLifetimeMinutes,
      idleLockMinutes: 5,
      mySecurityInfoUrl: emu.urls.mySecurityInfo,
      ...(options.modes ? { modes: options.modes } : {}),
    },
    ...(options.deskKey || options.windows ? { provision: provisionPortOf(options, directory, journal, keys) } : {}),
    ...(options.recycle ? { recycle: options.recycle } : {}),
    clock: time,
    timers: time,
    machineClock: time,
    drainTimeoutMs: 1_000,
  });
  const snapshots: SessionSnapshot[] = [];
  const waiters = new Set<() => void>();
  session.subscribe((s) => {
    snapshots.push(s);
    for (const w of [...waiters]) w();
  });
  const station: Station = {
    session,
    operator,
    keys,
    view: fakeView,
    journal,
    time,
    snapshots,
    current: () => {
      const s = session.snapshot();
      if (!s) throw new Error('session not started');
      return s;
    },
    send(command) {
      const r = session.send(command);
      if (!r.ok) throw new Error(r.error);
    },
    waitFor(test) {
      const now = session.snapshot();
      if (now && test(now)) return Promise.resolve(now);
      return new Promise<SessionSnapshot>((resolve) => {
        const check = () => {
          const s = session.snapshot();
          if (s && test(s)) {
            waiters.delete(check);
            resolve(s);
          }
        };
        waiters.add(check);
      });
    },
    until(...screens) {
      type Out = Extract<SessionSnapshot, { screen: (typeof screens)[number] }>;
      return station.waitFor((s) => (screens as string[]).includes(s.screen)) as Promise<Out>;
    },
    async toPreflight(query, userId) {
      if (station.current().screen === 'signed-out') {
        station.send({ type: 'signIn' });
        await station.until('ready');
      }
      station.send({ type: 'search', query });
      // One hit opens the person at once; several wait for a choice.
      const found = await station.until('search-results', 'loading-user', 'identity', 'ready', 'failed');
      if (found.screen === 'ready' || found.screen === 'failed') throw new Error(`search failed: ${JSON.stringify(found.error)}`);
      if (found.screen === 'search-results') {
        const id = userId ?? found.results[0]?.id;
        if (!id) throw new Error(`no result for ${query}`);
        station.send({ type: 'selectUser', id });
      }
      const card = await station.until('identity', 'failed');
      if (card.screen !== 'identity') throw new Error(`identity card not loaded: ${JSON.stringify(card.error)}`);
      if (userId && card.user.id !== userId) throw new Error(`${query} opened ${card.user.userPrincipalName}, not ${userId}`);
      station.send({ type: 'confirmIdentity', document: 'passport' });
      const s = await station.until('preflight', 'failed');
      if (s.screen !== 'preflight') throw new Error(`pre-flight not reached: ${JSON.stringify(s)}`);
      return s;
    },
    async toHandover(query) {
      const p = await station.toPreflight(query);
      if (p.verdict !== 'go')
        throw new Error(
          `pre-flight refused: ${p.checks
            .filter((c) => c.status === 'fail')
            .map((c) => c.code)
            .join(', ')}`,
        );
      station.send({ type: 'issue' });
      const s = await station.until('handover', 'confirm-replace', 'failed');
      if (s.screen === 'confirm-replace') {
        station.send({ type: 'confirmReplace' });
        return station.until('handover');
      }
      if (s.screen !== 'handover') throw new Error(`not handed over: ${JSON.stringify(s)}`);
      return s;
    },
  };
  await session.start();
  return station;
}

/** The person at the desk: signs in to My Security Info with the pass and registers a key (HTTP level). */
export class DeskUser {
  readonly msi: MsiClient;
  constructor(
    private readonly emu: Emulator,
    private readonly view: FakeView,
    readonly upn: string,
  ) {
    this.msi = new MsiClient(emu.urls.mySecurityInfo);
  }
  async signIn(pass: string): Promise<void> {
    // The view's URLs are the real flow's (test/emulator/README.md, "My Security Info's hops"); the pages behind
    // them are the emulator's localhost ones, driven over HTTP.
    this.view.navigate(`https://login.microsoftonline.com/${this.emu.tenantId}/oauth2/authorize`);
    const page = await this.msi.signIn(this.upn, pass);
    if (page.status !== 303) throw new Error(`sign-in refused: ${page.status} ${page.error}`);
    await this.msi.get('/security-info');
    this.view.navigate(MSI_SECURITY_INFO);
    await settle();
  }
  /** The key as My Security Info would store it after WebAuthn, then the view's "done" page. */
  registerKey(aaguid = YUBIKEY_AAGUID, model = 'YubiKey 5 Series with NFC'): string {
    const user = this.emu.ctx.state.findUser(this.upn);
    if (!user) throw new Error('no user');
    const id = randomUUID();
    this.emu.ctx.state.fido2.set(id, {
      id,
      userId: user.id,
      displayName: 'Security key',
      createdDateTime: this.emu.ctx.clock.now(),
      aaGuid: aaguid,
      model,
      attestationLevel: 'attested',
      attestationCertificates: [],
      passkeyType: 'deviceBound',
      credentialId: randomUUID().replace(/-/g, ''),
    });
    // The ceremony on login.microsoft.com, back to name the key, then done.
    this.view.navigate(`https://login.microsoft.com/${this.emu.tenantId}/fido/create`);
    this.view.navigate(`${MSI_SECURITY_INFO}/add/security-key/name`);
    this.view.navigate(`${MSI_SECURITY_INFO}/add/security-key/done`);
    return id;
  }
}

/** TAPs at the emulator, as GET /_admin/taps would list them. */
export function tapsAt(emu: Emulator): { userId: string; id: string }[] {
  return [...emu.ctx.state.taps.values()].map((t) => ({ userId: t.userId, id: t.id }));
}

/** `session.stop()`, moving the station's clock until it returns (the drain's time limit runs on that clock). */
export async function stopStation(st: Station): Promise<{ pendingDeletions: number }> {
  let result: { pendingDeletions: number } | null = null;
  const stopping = st.session.stop().then((r) => (result = r));
  await advanceUntil(st.time, () => result !== null, { stepMs: 500, maxSteps: 200 });
  await stopping;
  return result ?? { pendingDeletions: -1 };
}
