// Plain data for enrollment tests: an identity card, operators, policies, key reader states.
import type { IdentityCard, PolicyRead, TapPolicy } from '../../../common/directory';
import type { GetInfoResult } from '../../../main/keys/ctap2/info';
import type { IdentifiedKey } from '../../../main/keys/identify';
import type { Fido2KeyPolicy } from '../../../main/keys/readiness';
import type { KeyWatcherState, PresentKey } from '../../../main/keys/watcher';
import type { OperatorIdentity } from '../../../common/operator';
import type { PolicyTargets } from '../../../main/enrollment/preflight';

export const YUBIKEY_AAGUID = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';

export function card(patch: Partial<IdentityCard> = {}): IdentityCard {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    userPrincipalName: 'adele.vance@contoso.example',
    displayName: 'Adele Vance',
    givenName: 'Adele',
    surname: 'Vance',
    mail: 'adele.vance@contoso.example',
    employeeId: 'E1001',
    department: 'Retail',
    jobTitle: 'Retail Manager',
    accountEnabled: true,
    createdDateTime: '2024-01-15T08:00:00Z',
    userType: 'Member',
    isExternalGuest: false,
    photo: null,
    securityKeys: [],
    tap: null,
    ...patch,
  };
}

export function operator(patch: Partial<OperatorIdentity> = {}): OperatorIdentity {
  return {
    id: '22222222-2222-4222-8222-222222222222',
    userPrincipalName: 'patti.fernandez@contoso.example',
    displayName: 'Patti Fernandez',
    roleTemplateIds: ['7be44c8a-adaf-4e2a-84d6-ab2649e08a13'],
    roleNames: ['Privileged Authentication Administrator'],
    capability: 'members-and-admins',
    mayReadPolicies: true,
    ...patch,
  };
}

export function tapPolicy(patch: Partial<TapPolicy> = {}): PolicyRead<TapPolicy> {
  return {
    readable: true,
    policy: {
      state: 'enabled',
      defaultLifetimeInMinutes: 10,
      defaultLength: 8,
      minimumLifetimeInMinutes: 10,
      maximumLifetimeInMinutes: 60,
      isUsableOnce: true,
      includeTargets: [{ targetType: 'group', id: 'all_users' }],
      excludeTargets: [],
      ...patch,
    },
  };
}

export function fido2Policy(patch: Partial<Fido2KeyPolicy & PolicyTargets> = {}): PolicyRead<Fido2KeyPolicy & PolicyTargets> {
  return {
    readable: true,
    policy: {
      state: 'enabled',
      isSelfServiceRegistrationAllowed: true,
      isAttestationEnforced: false,
      keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] },
      includeTargets: [{ targetType: 'group', id: 'all_users' }],
      excludeTargets: [],
      ...patch,
    },
  };
}

export const FORBIDDEN = { readable: false, reason: 'forbidden', requestId: 'req-403' } as const;

export function fido2Info(options: Record<string, boolean> = { rk: true, up: true, clientPin: true }, aaguid = YUBIKEY_AAGUID): GetInfoResult {
  return { kind: 'fido2', info: { versions: ['U2F_V2', 'FIDO_2_0', 'FIDO_2_1'], aaguid, options, maxMsgSize: 1200 } };
}

export function identified(capability: GetInfoResult = fido2Info(), model: string | null = 'YubiKey 5 Series with NFC'): IdentifiedKey {
  return {
    keyId: 'key-1',
    path: '/dev/hidraw0',
    vendorId: 0x1050,
    productId: 0x0407,
    product: 'YubiKey OTP+FIDO+CCID',
    ctaphid: { deviceVersion: { major: 5, minor: 4, build: 3 }, capabilities: { wink: true, cbor: true, nmsg: true } },
    capability,
    identity: {
      model,
      vendor: 'Yubico',
      firmware: '5.4.3',
      aaguid: capability.kind === 'fido2' ? capability.info.aaguid : null,
      source: { model: 'aaguids', vendor: 'model-name', firmware: 'get-info' },
    },
    timingsMs: { open: 1, channel: 1, getInfo: 1, total: 3 },
  };
}

function present(identity: PresentKey['identity'], id = 'key-1'): PresentKey {
  return { id, path: '/dev/hidraw0', vendorId: 0x1050, productId: 0x0407, vidPid: '1050:0407', product: 'YubiKey OTP+FIDO+CCID', seenAt: 0, identity };
}

export const keysNone: KeyWatcherState = { reader: { status: 'ok' }, mode: 'hotplug', presence: 'none', keys: [] };
export const keysReaderDown: KeyWatcherState = { reader: { status: 'unavailable', message: 'no HID' }, mode: 'polling', presence: 'none', keys: [] };
export function keysOne(key: IdentifiedKey = identified()): KeyWatcherState {
  return { reader: { status: 'ok' }, mode: 'hotplug', presence: 'one', keys: [present({ status: 'identified', key })] };
}
export const keysPending: KeyWatcherState = { reader: { status: 'ok' }, mode: 'hotplug', presence: 'one', keys: [present({ status: 'pending' })] };
export const keysUnavailable: KeyWatcherState = {
  reader: { status: 'ok' },
  mode: 'hotplug',
  presence: 'one',
  keys: [present({ status: 'unavailable', reason: 'access-denied', message: 'Windows denied access' })],
};
export function keysTwo(): KeyWatcherState {
  return {
    reader: { status: 'ok' },
    mode: 'hotplug',
    presence: 'multiple',
    keys: [present({ status: 'identified', key: identified() }), present({ status: 'pending' }, 'key-2')],
  };
}
