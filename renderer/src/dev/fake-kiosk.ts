/**
 * Dev preview without main: a `KioskBridge` with canned snapshots for every screen. Loaded only by main.tsx
 * when `window.kiosk` is absent and `import.meta.env.DEV` (a Vite dev server: `npx vite renderer`), so it
 * never reaches the production bundle (test/renderer/bundle.test.ts checks). `?screen=handover&lang=de`.
 * The screenshot script (test/renderer/screenshots.ts) injects the same fixtures into the built renderer.
 * The pass below is a made-up sample, not a real TAP.
 */
import type { KeyStatus, SessionError, SessionSnapshot } from '../../../common/session';
import type { PreflightCheck } from '../../../common/codes';
import type { IdentityCard } from '../../../common/directory';
import type { KioskBridge, KioskReply, KioskState, StationStatus, TodayRow } from '../../../common/contract';
import { PROVISION_NEXT, provisionFixtures } from './fake-provision';
import { EVENT_STATUS, fakeBoard, fakeRoster } from './fake-event';

const NOW = () => Date.now();

export function station(overrides: Partial<StationStatus> = {}): StationStatus {
  return {
    stationId: 'desk-01',
    demo: true,
    language: 'en',
    config: { ok: true, file: '/etc/tap-kiosk/config.json' },
    tenant: { status: 'reachable', note: null, checkedAt: NOW() - 60_000 },
    keyReader: { status: 'ok', note: null },
    journal: 'ok',
    ...overrides,
  };
}

const operator = {
  id: 'op-1',
  upn: 'helpdesk.anna@contoso.example',
  displayName: 'Anna Helpdesk',
  roleNames: ['Privileged Authentication Administrator'],
  capability: 'members-and-admins' as const,
};

const yubikey: KeyStatus = {
  presence: 'one',
  keyId: 'hid-1',
  model: 'YubiKey 5 NFC',
  vendor: 'Yubico',
  aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a',
  pin: 'not-set',
  verdict: 'ready-with-note',
  readiness: {
    verdict: 'ready-with-note',
    reasons: [
      { code: 'fido2-capable', severity: 'ok', params: {} },
      { code: 'discoverable-supported', severity: 'ok', params: {} },
      { code: 'room-left', severity: 'ok', params: { remaining: 24 } },
      { code: 'pin-to-create', severity: 'note', params: {} },
    ],
  },
  canWink: true,
};
const noKey: KeyStatus = {
  presence: 'none',
  keyId: null,
  model: null,
  vendor: null,
  aaguid: null,
  pin: 'unknown',
  verdict: null,
  readiness: null,
  canWink: false,
};

const user: IdentityCard = {
  id: 'u-42',
  userPrincipalName: 'jonas.weber@contoso.example',
  displayName: 'Jonas Weber',
  givenName: 'Jonas',
  surname: 'Weber',
  mail: 'jonas.weber@contoso.example',
  employeeId: 'E-10442',
  department: 'Logistics',
  jobTitle: 'Shift lead',
  accountEnabled: true,
  createdDateTime: '2024-01-15T08:00:00Z',
  userType: 'Member',
  isExternalGuest: false,
  photo: null,
  securityKeys: [
    {
      id: 'k-1',
      displayName: 'Old key',
      aaGuid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8',
      model: 'YubiKey 5 Series',
      createdDateTime: '2025-03-14T09:12:00Z',
      attestationLevel: 'attested',
    },
  ],
  tap: null,
};

const base = { operator, key: yubikey, pendingDeletions: 0 };
const withUser = { ...base, enrollmentId: 'enr-7f3a', user };
const cleanup = { tap: 'deleted' as const, viewWiped: true };

const checks: PreflightCheck[] = [
  { code: 'account-enabled', status: 'pass', finding: 'account-enabled.pass', params: {} },
  { code: 'not-external-guest', status: 'pass', finding: 'not-external-guest.pass', params: {} },
  { code: 'not-operator-self', status: 'pass', finding: 'not-operator-self.pass', params: {} },
  { code: 'operator-may-act', status: 'pass', finding: 'operator-may-act.pass', params: { role: 'Privileged Authentication Administrator' } },
  { code: 'tap-policy-enabled', status: 'pass', finding: 'tap-policy-enabled.pass', params: {} },
  { code: 'tap-policy-targets-user', status: 'pass', finding: 'tap-policy-targets-user.all-users', params: {} },
  { code: 'lifetime-in-bounds', status: 'pass', finding: 'lifetime-in-bounds.pass', params: { minutes: 60, min: 10, max: 480 } },
  { code: 'one-time', status: 'pass', finding: 'one-time.pass', params: {} },
  { code: 'fido2-policy-enabled', status: 'pass', finding: 'fido2-policy-enabled.pass', params: {} },
  { code: 'fido2-self-service', status: 'pass', finding: 'fido2-self-service.pass', params: {} },
  { code: 'fido2-policy-targets-user', status: 'unknown', finding: 'fido2-policy-targets-user.groups', params: {} },
  { code: 'key-ready', status: 'warn', finding: 'key-ready.warn', params: { model: 'YubiKey 5 NFC', note: 'pin-to-create' } },
];

const preflight = {
  ...withUser,
  screen: 'preflight' as const,
  document: 'passport' as const,
  checks: [...checks],
  verdict: 'go' as const,
  worst: 'unknown' as const,
  lifetimeMinutes: 60,
  lifetimeBounds: { min: 10, max: 480 },
  oneTime: true,
};

const users = [
  {
    id: 'u-42',
    userPrincipalName: 'jonas.weber@contoso.example',
    displayName: 'Jonas Weber',
    mail: null,
    department: 'Logistics',
    jobTitle: 'Shift lead',
    employeeId: 'E-10442',
  },
  {
    id: 'u-43',
    userPrincipalName: 'jonas.wagner@contoso.example',
    displayName: 'Jonas Wagner',
    mail: null,
    department: 'Finance',
    jobTitle: 'Controller',
    employeeId: 'E-10873',
  },
  {
    id: 'u-44',
    userPrincipalName: 'jo.weiss@contoso.example',
    displayName: 'Johanna Weiß',
    mail: null,
    department: 'Human Resources',
    jobTitle: null,
    employeeId: null,
  },
];

/** Every screen (and a few variants) by name. Deadlines are relative to now, so countdowns run. */
export function fixtures(now = NOW()): Record<string, KioskState> {
  const s = (session: SessionSnapshot | null, st: Partial<StationStatus> = {}): KioskState => ({ station: station(st), session });
  const error: SessionError = { code: 'graph.unavailable', params: {}, requestId: '5d2b0c1e-8a7f-4a53-9d6e-1b2c3d4e5f60', step: 'issue' };
  const all: Record<string, KioskState> = {
    'station-starting': s(null, { tenant: { status: 'unknown', note: null, checkedAt: null }, keyReader: { status: 'starting', note: null } }),
    'station-problem': s(null, {
      config: { ok: false, file: '/etc/tap-kiosk/config.json', note: { code: 'config.invalid', params: { detail: 'tenantId: expected a GUID' } } },
      tenant: {
        status: 'unreachable',
        note: { code: 'tenant.no-answer', params: { detail: 'getaddrinfo ENOTFOUND login.microsoftonline.com' } },
        checkedAt: now - 5_000,
      },
      keyReader: { status: 'unavailable', note: { code: 'key-reader.failed', params: { detail: 'HID access denied' } } },
      journal: 'full',
    }),
    'signed-out': s({ ...base, operator: null, screen: 'signed-out', error: null }),
    'signing-in': s({ ...base, operator: null, screen: 'signing-in', reason: 'start', error: null }),
    reauth: s({ ...base, screen: 'signing-in', reason: 'token-revoked', error: { code: 'graph.unauthenticated', params: {}, requestId: null, step: 'issue' } }),
    locked: s({ ...base, operator: null, screen: 'locked', lockedBy: { upn: 'patti.fernandez@tapkioskdemo.onmicrosoft.com', displayName: 'Patti Fernandez' } }),
    ready: s({ ...base, key: noKey, screen: 'ready', query: '', error: null }),
    'ready-reader-down': s(
      { ...base, key: noKey, screen: 'ready', query: '', error: null, pendingDeletions: 2 },
      { keyReader: { status: 'unavailable', note: { code: 'key-reader.failed', params: { detail: 'HID access denied' } } } },
    ),
    'ready-error': s({ ...base, screen: 'ready', query: 'jonas', error: { ...error, step: 'search' } }),
    searching: s({ ...base, screen: 'searching', query: 'jonas' }),
    'search-results': s({ ...base, screen: 'search-results', query: 'jonas', results: users }),
    'loading-user': s({ ...base, screen: 'loading-user', userId: 'u-42' }),
    identity: s({
      ...withUser,
      screen: 'identity',
      documents: ['passport', 'national-id', 'residence-permit', 'driving-licence', 'employee-badge', 'known-personally', 'other'],
    }),
    checking: s({ ...withUser, screen: 'checking' }),
    preflight: s(preflight),
    'preflight-refused': s({
      ...preflight,
      key: noKey,
      verdict: 'refused',
      worst: 'fail',
      checks: preflight.checks.map((c): PreflightCheck =>
        c.code === 'key-ready' ? { code: 'key-ready', status: 'fail', finding: 'key-ready.none', params: {} } : c,
      ),
    }),
    'confirm-replace': s({
      ...withUser,
      screen: 'confirm-replace',
      existingTap: { id: 'tap-old', createdDateTime: new Date(now - 3_600_000).toISOString(), lifetimeInMinutes: 480, isUsable: true },
    }),
    issuing: s({ ...withUser, screen: 'issuing', waiting: null }),
    handover: s({
      ...withUser,
      screen: 'handover',
      pass: 'Xk7#mP2qR9tz',
      countdowns: [
        { kind: 'tap-lifetime', endsAt: now + 60 * 60_000 },
        { kind: 'handover', endsAt: now + 60_000 },
      ],
      guide: 'take-pass',
      oneTime: true,
      lifetimeMinutes: 60,
      // Microsoft's default policy (1 to 8 hours) refused the station's 10 minutes; the pass got the shortest allowed.
      notices: [{ code: 'tap.lifetime-adjusted-to-policy', params: { requested: 10, issued: 60, min: 60, max: 480 } }],
    }),
    'waiting-for-sign-in': s({
      ...withUser,
      screen: 'waiting-for-sign-in',
      countdowns: [{ kind: 'tap-lifetime', endsAt: now + 59 * 60_000 }],
      pass: 'Xk7#mP2qR9tz',
      passPromptPassed: false,
      signInPage: true,
      guide: 'sign-in',
      keyWarning: null,
    }),
    registering: s({
      ...withUser,
      screen: 'registering',
      countdowns: [
        { kind: 'registration-window', endsAt: now + 8 * 60_000 + 12_000 },
        { kind: 'fresh-sign-in', endsAt: now + 2 * 60_000 + 52_000 },
      ],
      guide: 'touch-key',
      keyWarning: null,
      signedInAt: now - 108_000,
      whenFreshEnds: 'fresh.new-pass',
      interrupt: null,
    }),
    'registering-interrupt': s({
      ...withUser,
      screen: 'registering',
      countdowns: [
        { kind: 'registration-window', endsAt: now + 9 * 60_000 + 40_000 },
        { kind: 'fresh-sign-in', endsAt: now + 4 * 60_000 + 20_000 },
      ],
      guide: 'add-key',
      keyWarning: null,
      signedInAt: now - 20_000,
      whenFreshEnds: 'fresh.new-pass',
      interrupt: 'interrupt.registration',
    }),
    'registering-sign-in-again': s({
      ...withUser,
      screen: 'registering',
      countdowns: [
        { kind: 'registration-window', endsAt: now + 4 * 60_000 },
        { kind: 'fresh-sign-in', endsAt: now - 1_000 },
      ],
      guide: 'add-key',
      keyWarning: null,
      signedInAt: now - 360_000,
      whenFreshEnds: 'fresh.sign-in-again',
      interrupt: null,
    }),
    'registering-unplugged': s({
      ...withUser,
      key: noKey,
      screen: 'registering',
      countdowns: [{ kind: 'registration-window', endsAt: now + 5 * 60_000 }],
      guide: 'add-key',
      keyWarning: 'unplugged',
      signedInAt: now - 300_000,
      whenFreshEnds: 'fresh.new-pass',
      interrupt: null,
    }),
    'cleaning-up': s({ ...base, screen: 'cleaning-up', enrollmentId: 'enr-7f3a', why: 'completed' }),
    done: s({
      ...base,
      screen: 'done',
      enrollmentId: 'enr-7f3a',
      userDisplayName: 'Jonas Weber',
      registered: { methodId: 'm-9', displayName: 'Jonas Schreibtisch', model: 'YubiKey 5 NFC', aaguid: yubikey.aaguid, stationKey: true },
      cleanup,
      nextAt: now + 5_000,
    }),
    failed: s({
      ...base,
      pendingDeletions: 1,
      screen: 'failed',
      enrollmentId: 'enr-7f3a',
      error,
      cleanup: { tap: 'pending', viewWiped: true },
      next: 'after-failure',
    }),
    'timed-out': s({ ...base, screen: 'timed-out', enrollmentId: 'enr-7f3a', which: 'registration-window', cleanup, next: 'after-timeout' }),
    cancelled: s({ ...base, screen: 'cancelled', enrollmentId: 'enr-7f3a', cleanup }),
    'lost-key': s({
      ...withUser,
      screen: 'lost-key',
      step: 'choosing',
      keys: [
        ...user.securityKeys,
        {
          id: 'k-2',
          displayName: 'Backup',
          aaGuid: null,
          model: 'Feitian ePass FIDO2',
          createdDateTime: '2024-11-02T14:40:00Z',
          attestationLevel: 'notAttested',
        },
      ],
      selected: [],
      deleted: [],
      sessionsRevoked: false,
      error: null,
    }),
    'lost-key-confirming': s({
      ...withUser,
      screen: 'lost-key',
      step: 'confirming',
      keys: user.securityKeys,
      selected: ['k-1'],
      deleted: [],
      sessionsRevoked: false,
      error: null,
    }),
    stopped: s({ ...base, screen: 'stopped' }),
  };
  const provision = provisionFixtures(preflight, withUser, all.done?.session as Extract<SessionSnapshot, { screen: 'done' }>);
  return { ...all, ...Object.fromEntries(Object.entries(provision).map(([k, v]) => [k, s(v)])) };
}

export const TODAY_ROWS: TodayRow[] = [
  {
    enrollment: 'enr-7f3a',
    operator: 'helpdesk.anna@contoso.example',
    user: 'jonas.weber@contoso.example',
    id_document: 'passport',
    started: '2026-11-23T08:02:11Z',
    tap_issued: '2026-11-23T08:03:40Z',
    signed_in: '2026-11-23T08:04:30Z',
    key_registered: '2026-11-23T08:06:02Z',
    finished: '2026-11-23T08:06:05Z',
    key_model: 'YubiKey 5 NFC',
    outcome: 'registered',
    graph_request_ids: '',
  },
  {
    enrollment: 'enr-81b0',
    operator: 'helpdesk.anna@contoso.example',
    user: 'mara.klein@contoso.example',
    id_document: 'national-id',
    started: '2026-11-23T08:20:00Z',
    tap_issued: '',
    signed_in: '',
    key_registered: '',
    finished: '2026-11-23T08:21:10Z',
    key_model: '',
    outcome: 'refused at pre-flight',
    graph_request_ids: '',
  },
];

/** What a command leads to in the preview, so a designer can click through. */
const NEXT: Record<string, string> = {
  signIn: 'ready',
  unlock: 'ready',
  search: 'search-results',
  selectUser: 'identity',
  confirmIdentity: 'preflight',
  issue: 'handover',
  confirmReplace: 'handover',
  handedOver: 'waiting-for-sign-in',
  cancel: 'cancelled',
  dismiss: 'ready',
  lostKey: 'lost-key',
  deleteKeys: 'lost-key-confirming',
  confirmDeleteKeys: 'lost-key',
  continueEnrollment: 'preflight',
  backToSearch: 'search-results',
  lock: 'locked',
  signOut: 'signed-out',
  ...PROVISION_NEXT,
};

export function createFakeKiosk(params: URLSearchParams): KioskBridge {
  const all = fixtures();
  const name = params.get('screen') ?? 'ready';
  const lang = params.get('lang') === 'de' ? 'de' : 'en';
  // `?event=on`: the station in event mode (the Roster and Board pages in the header).
  const event = params.get('event') === 'on' ? { event: EVENT_STATUS } : {};
  const withLang = (st: KioskState): KioskState => ({ ...st, station: { ...st.station, language: lang, ...event } });
  let current = withLang(all[name] ?? (all.ready as KioskState));
  const listeners = new Set<(s: KioskState) => void>();
  return {
    async request(req): Promise<KioskReply> {
      if (req.kind === 'query') {
        if (req.query.type === 'state') return { ok: true, kind: 'state', state: current };
        if (req.query.type === 'today') return { ok: true, kind: 'today', day: '2026-11-23', rows: TODAY_ROWS };
        if (req.query.type === 'checkJournal') return { ok: true, kind: 'checkJournal', journal: current.station.journal ?? 'unwritable' };
        if (req.query.type === 'roster') return { ok: true, kind: 'roster', roster: fakeRoster() };
        if (req.query.type === 'board') return { ok: true, kind: 'board', board: fakeBoard() };
        return {
          ok: true,
          kind: 'exportCsv',
          day: '2026-11-23',
          fileName: 'tap-kiosk-desk-01-2026-11-23.csv',
          csv: 'enrollment,operator\r\nenr-7f3a,helpdesk.anna@contoso.example\r\n',
        };
      }
      if (req.kind === 'event') return { ok: true, kind: 'event', notice: null };
      const next = NEXT[req.command.type];
      const fresh = next ? fixtures()[next] : undefined;
      if (fresh) {
        current = withLang(fresh);
        for (const l of listeners) l(current);
      }
      return { ok: true, kind: 'command' };
    },
    subscribe(listener) {
      listeners.add(listener);
      listener(current);
      return () => listeners.delete(listener);
    },
  };
}
