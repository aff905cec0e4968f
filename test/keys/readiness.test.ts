import { READINESS_REASONS } from '../../common/codes';
/** Readiness: each verdict and each reason, from fixture keys and the tenant's FIDO2 policy. */
import { describe, expect, it } from 'vitest';
import { decodeGetInfo, type AuthenticatorInfo, type GetInfoResult } from '../../main/keys/ctap2/info';
import { assessReadiness, type Fido2KeyPolicy, type KeyFacts, type Readiness } from '../../main/keys/readiness';
import { patchGetInfo, profile } from '../authenticator/profiles';

const OPEN: Fido2KeyPolicy = {
  state: 'enabled',
  isSelfServiceRegistrationAllowed: true,
  isAttestationEnforced: false,
  keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] },
};

function key(id: string, patch?: Parameters<typeof patchGetInfo>[1]): GetInfoResult {
  const cbor = profile(id).getInfoCbor!;
  return { kind: 'fido2', info: decodeGetInfo(patch ? patchGetInfo(cbor, patch) : cbor) };
}
const infoOf = (k: GetInfoResult): AuthenticatorInfo => (k.kind === 'fido2' ? k.info : (undefined as never));
const codes = (r: Readiness): string[] => r.reasons.map((x) => x.code);
const find = (r: Readiness, code: string) => r.reasons.find((x) => x.code === code);

describe('assessReadiness: the key', () => {
  it('ready: YubiKey 5 NFC with a PIN, open policy', () => {
    const r = assessReadiness(key('yubikey-5-nfc'), OPEN);
    expect(r.verdict).toBe('ready');
    expect(codes(r)).toEqual(['fido2-capable', 'discoverable-supported', 'pin-set']);
  });

  it('ready: YubiKey Bio with room left and a fingerprint enrolled', () => {
    const r = assessReadiness(key('yubikey-bio'), OPEN);
    expect(r.verdict).toBe('ready');
    expect(codes(r)).toEqual(['fido2-capable', 'discoverable-supported', 'room-left', 'pin-set', 'biometric-enrolled']);
    expect(find(r, 'room-left')).toMatchObject({ params: { remaining: 24 } });
  });

  it('ready-with-note: a key without a PIN yet (Security Key by Yubico)', () => {
    const r = assessReadiness(key('security-key-by-yubico'), OPEN);
    expect(r.verdict).toBe('ready-with-note');
    expect(find(r, 'pin-to-create')?.severity).toBe('note');
  });

  it('ready-with-note: a bio-capable card with no fingerprint, no PIN yet (KONA I, preview option name)', () => {
    const r = assessReadiness(key('kona-i-card'), OPEN);
    expect(r.verdict).toBe('ready-with-note');
    expect(codes(r)).toEqual(['fido2-capable', 'discoverable-supported', 'pin-to-create', 'biometric-capable']);
  });

  it('ready-with-note: forcePINChange', () => {
    const r = assessReadiness(key('token2-t2f2-nfc', { forcePINChange: true }), OPEN);
    expect(r.verdict).toBe('ready-with-note');
    expect(find(r, 'pin-change-required')?.severity).toBe('note');
  });

  it('will-be-refused: the key is full (remainingDiscoverableCredentials 0)', () => {
    const r = assessReadiness(key('token2-t2f2-nfc', { remainingDiscoverableCredentials: 0 }), OPEN);
    expect(r.verdict).toBe('will-be-refused');
    expect(find(r, 'key-full')).toMatchObject({ severity: 'blocker', params: { remaining: 0 } });
    expect(codes(r)).not.toContain('room-left');
  });

  it('room for exactly one more passkey is still room left', () => {
    const r = assessReadiness(key('token2-t2f2-nfc', { remainingDiscoverableCredentials: 1 }), OPEN);
    expect(find(r, 'room-left')).toMatchObject({ severity: 'ok', params: { remaining: 1 } });
  });

  it('will-be-refused: no discoverable credentials (rk false or absent)', () => {
    const base = infoOf(key('yubikey-5-nfc'));
    const variants: Record<string, boolean>[] = [
      { ...base.options, rk: false },
      { up: true, clientPin: true },
    ];
    for (const options of variants) {
      const r = assessReadiness({ kind: 'fido2', info: { ...base, options } }, OPEN);
      expect(r.verdict).toBe('will-be-refused');
      expect(find(r, 'discoverable-unsupported')?.severity).toBe('blocker');
    }
  });

  it('will-be-refused: neither PIN nor built-in verification; ready with built-in verification only', () => {
    const base = infoOf(key('yubikey-5-nfc'));
    const noUv = assessReadiness({ kind: 'fido2', info: { ...base, options: { rk: true, up: true } } }, OPEN);
    expect(noUv.verdict).toBe('will-be-refused');
    expect(find(noUv, 'no-user-verification')?.severity).toBe('blocker');
    const bioOnly = assessReadiness({ kind: 'fido2', info: { ...base, options: { rk: true, uv: true, uvBioEnroll: true } } }, OPEN);
    expect(bioOnly.verdict).toBe('ready');
    expect(codes(bioOnly)).toEqual(['fido2-capable', 'discoverable-supported', 'built-in-verification', 'biometric-capable']);
  });

  it('will-be-refused: U2F-only keys, however we found out', () => {
    const results: KeyFacts[] = [
      { kind: 'u2f-only', reason: { code: 'no-cbor-capability', capabilities: 0, message: 'no CBOR' } },
      { kind: 'u2f-only', reason: { code: 'get-info-refused', status: 1, statusName: 'InvalidCommand', message: 'refused' } },
      { kind: 'fido2', info: { ...infoOf(key('yubikey-5-nfc')), versions: ['U2F_V2'] } },
    ];
    for (const k of results) {
      const r = assessReadiness(k, OPEN);
      expect(r.verdict).toBe('will-be-refused');
      expect(codes(r)).toEqual(['u2f-only']);
    }
  });

  it('unknown: the key could not be read (e.g. Windows denies HID access)', () => {
    for (const k of [null, { kind: 'unavailable', detail: 'needs the Windows security key API' } as const]) {
      const r = assessReadiness(k, OPEN);
      expect(r.verdict).toBe('unknown');
      expect(codes(r)).toEqual(['key-unreadable']);
    }
    // The unreadable key's detail (a HID or CTAP error text) stays in main's log; the screen gets the code alone.
    expect(find(assessReadiness({ kind: 'unavailable', detail: 'x' }, OPEN), 'key-unreadable')?.params).toEqual({});
  });
});

describe('assessReadiness: the policy', () => {
  const yubikey = key('yubikey-5-nfc');
  const aaguid = infoOf(yubikey).aaguid;

  it('ready-with-note when the policy cannot be read (403), saying so', () => {
    const r = assessReadiness(yubikey, null);
    expect(r.verdict).toBe('ready-with-note');
    expect(find(r, 'policy-unreadable')).toMatchObject({ severity: 'note', params: {} });
  });

  it('will-be-refused when passkeys are disabled, e.g. the Graph documentation example', () => {
    const graphExample = JSON.parse(
      '{"id":"Fido2","state":"disabled","isSelfServiceRegistrationAllowed":true,"isAttestationEnforced":true,"keyRestrictions":{"isEnforced":false,"enforcementType":"block","aaGuids":[]},"includeTargets":[{"targetType":"group","id":"all_users","isRegistrationRequired":false}],"excludeTargets":[]}',
    ) as Fido2KeyPolicy;
    const r = assessReadiness(yubikey, graphExample);
    expect(r.verdict).toBe('will-be-refused');
    expect(find(r, 'policy-disabled')?.severity).toBe('blocker');
    expect(find(r, 'attestation-required')?.severity).toBe('note');
  });

  it('will-be-refused when self-service registration is not allowed', () => {
    const r = assessReadiness(yubikey, { ...OPEN, isSelfServiceRegistrationAllowed: false });
    expect(r.verdict).toBe('will-be-refused');
    expect(codes(r)).toContain('self-service-not-allowed');
  });

  it('allow list: ready when listed (any case), refused when not', () => {
    const allowed = assessReadiness(yubikey, {
      ...OPEN,
      keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [aaguid.toUpperCase()] },
    });
    expect(allowed.verdict).toBe('ready');
    expect(find(allowed, 'aaguid-allowed')?.params).toEqual({ aaguid });
    const other = assessReadiness(yubikey, {
      ...OPEN,
      keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: ['ab32f0c6-2239-afbb-c470-d2ef4e254db7'] },
    });
    expect(other.verdict).toBe('will-be-refused');
    expect(find(other, 'aaguid-not-allowed')?.severity).toBe('blocker');
  });

  it('block list: refused when listed, nothing said when not; ignored when not enforced', () => {
    const blocked = assessReadiness(yubikey, { ...OPEN, keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [aaguid] } });
    expect(blocked.verdict).toBe('will-be-refused');
    expect(codes(blocked)).toContain('aaguid-blocked');
    const notListed = assessReadiness(yubikey, { ...OPEN, keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [] } });
    expect(notListed.verdict).toBe('ready');
    const notEnforced = assessReadiness(yubikey, { ...OPEN, keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [aaguid] } });
    expect(notEnforced.verdict).toBe('ready');
    expect(assessReadiness(yubikey, { ...OPEN, keyRestrictions: null }).verdict).toBe('ready');
  });

  it('unknown when restrictions are enforced but the key could not be identified', () => {
    const policy: Fido2KeyPolicy = { ...OPEN, keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [aaguid] } };
    const r = assessReadiness({ kind: 'unavailable' }, policy);
    expect(r.verdict).toBe('unknown');
    expect(find(r, 'restriction-unchecked')?.severity).toBe('unknown');
    const u2f = assessReadiness({ kind: 'u2f-only', reason: { code: 'cbor-command-rejected', message: 'x' } }, policy);
    expect(codes(u2f)).toEqual(['u2f-only']);
  });

  it('attestation enforced: a note, stronger for models missing from the public list', () => {
    const policy = { ...OPEN, isAttestationEnforced: true };
    const listed = assessReadiness(yubikey, policy);
    expect(listed.verdict).toBe('ready-with-note');
    expect(codes(listed)).toContain('attestation-required');
    for (const id of ['pico-fido', 'yubico-prototype']) {
      const r = assessReadiness(key(id), policy);
      expect(find(r, 'attestation-required-unlisted-model')?.severity).toBe('note');
    }
  });

  it('blockers outrank unknowns, unknowns outrank notes', () => {
    const disabled = { ...OPEN, state: 'disabled' as const };
    expect(assessReadiness(null, disabled).verdict).toBe('will-be-refused');
    expect(assessReadiness(null, null).verdict).toBe('unknown');
  });

  it('every reason has a known code, a severity and parameters of its code’s shape, and no words', () => {
    const r = assessReadiness(key('kona-i-card', { forcePINChange: true }), { ...OPEN, isAttestationEnforced: true });
    for (const reason of r.reasons) {
      expect(reason.code).toMatch(/^[a-z0-9-]+$/);
      expect(['ok', 'note', 'blocker', 'unknown']).toContain(reason.severity);
      expect(READINESS_REASONS[reason.code].safeParse(reason.params).success, reason.code).toBe(true);
      expect(Object.keys(reason).sort()).toEqual(['code', 'params', 'severity']);
    }
  });
});
