import { PREFLIGHT_FINDINGS } from '../../common/codes';
import { describe, expect, it } from 'vitest';
import { runPreflight, type PreflightCode, type PreflightFacts } from '../../main/enrollment/preflight';
import type { PasskeyProfile } from '../../common/keys';
import * as f from './support/fixtures';

const facts = (patch: Partial<PreflightFacts> = {}): PreflightFacts => ({
  card: f.card(),
  operator: f.operator(),
  tapPolicy: f.tapPolicy(),
  fido2Policy: f.fido2Policy(),
  station: { tapOneTime: true },
  keys: f.keysOne(),
  journal: 'ok',
  ...patch,
});
const statusOf = (r: ReturnType<typeof runPreflight>, code: PreflightCode) => r.checks.find((c) => c.code === code)?.status;

describe('pre-flight', () => {
  it('passes every check for an enabled member, a PAA operator, open policies and a ready key; 10 minutes, one-time', () => {
    const r = runPreflight(facts());
    expect(r.verdict).toBe('go');
    expect(r.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(r.lifetimeMinutes).toBe(10);
    expect(r.oneTime).toBe(true);
    expect(r.key).toMatchObject({ model: 'YubiKey 5 Series with NFC', pin: 'set', verdict: 'ready' });
    // Each check says what it found as a finding of its own check, with the parameters its code defines.
    for (const c of r.checks) {
      expect(c.finding.startsWith(`${c.code}.`), c.finding).toBe(true);
      expect(PREFLIGHT_FINDINGS[c.finding].safeParse(c.params).success, c.finding).toBe(true);
    }
  });

  it.each<[string, Partial<PreflightFacts>, PreflightCode]>([
    ['disabled account', { card: f.card({ accountEnabled: false }) }, 'account-enabled'],
    ['internal guest (no passkeys for guests)', { card: f.card({ userType: 'Guest', isExternalGuest: false }) }, 'not-guest'],
    ['the operator themself', { card: f.card({ id: f.operator().id }) }, 'not-operator-self'],
    ['operator without role', { operator: f.operator({ capability: 'none', roleNames: [] }) }, 'operator-may-act'],
    ['TAP policy disabled', { tapPolicy: f.tapPolicy({ state: 'disabled' }) }, 'tap-policy-enabled'],
    ['user excluded from TAP policy', { tapPolicy: f.tapPolicy({ excludeTargets: [{ targetType: 'user', id: f.card().id }] }) }, 'tap-policy-targets-user'],
    [
      'user not among direct TAP targets',
      { tapPolicy: f.tapPolicy({ includeTargets: [{ targetType: 'user', id: 'someone-else' }] }) },
      'tap-policy-targets-user',
    ],
    [
      'lifetime below the policy minimum',
      { tapPolicy: f.tapPolicy({ minimumLifetimeInMinutes: 60, maximumLifetimeInMinutes: 480 }), chosenLifetimeMinutes: 30 },
      'lifetime-in-bounds',
    ],
    ['configured lifetime above the maximum', { station: { tapOneTime: true, tapLifetimeMinutes: 120 } }, 'lifetime-in-bounds'],
    ['passkeys disabled', { fido2Policy: f.fido2Policy({ state: 'disabled' }) }, 'fido2-policy-enabled'],
    ['no self-service setup', { fido2Policy: f.fido2Policy({ isSelfServiceRegistrationAllowed: false }) }, 'fido2-self-service'],
    ['user excluded from passkeys', { fido2Policy: f.fido2Policy({ excludeTargets: [{ targetType: 'user', id: f.card().id }] }) }, 'fido2-policy-targets-user'],
    ['no key attached', { keys: f.keysNone }, 'key-ready'],
    ['two keys attached', { keys: f.keysTwo() }, 'key-ready'],
    ['key still being read', { keys: f.keysPending }, 'key-ready'],
    [
      'U2F-only key',
      { keys: f.keysOne(f.identified({ kind: 'u2f-only', reason: { code: 'no-cbor-capability', capabilities: 0, message: 'no CBOR' } }, null)) },
      'key-ready',
    ],
    ['key without PIN or UV support', { keys: f.keysOne(f.identified(f.fido2Info({ rk: true, up: true }))) }, 'key-ready'],
    [
      'key blocked by key restrictions',
      { fido2Policy: f.fido2Policy({ keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [f.YUBIKEY_AAGUID] } }) },
      'key-ready',
    ],
    [
      'key not on the allow list',
      { fido2Policy: f.fido2Policy({ keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: ['00000000-0000-0000-0000-000000000001'] } }) },
      'key-ready',
    ],
  ])('refuses: %s', (_name, patch, code) => {
    const r = runPreflight(facts(patch));
    expect(r.verdict).toBe('refused');
    expect(statusOf(r, code)).toBe('fail');
    expect(r.checks.filter((c) => c.status === 'fail').map((c) => c.code)).toEqual([code]);
  });

  it('a journal that cannot record blocks, naming why; everything else may pass', () => {
    for (const health of ['full', 'read-only', 'unwritable'] as const) {
      const r = runPreflight(facts({ journal: health }));
      expect(r.verdict).toBe('refused');
      expect(r.checks.filter((c) => c.status === 'fail')).toEqual([
        { code: 'journal-writable', status: 'fail', finding: `journal-writable.${health}`, params: {} },
      ]);
    }
    expect(statusOf(runPreflight(facts()), 'journal-writable')).toBe('pass');
  });

  it('guests, internal and external, are refused before a pass exists, each with its reason', () => {
    const internal = runPreflight(facts({ card: f.card({ userType: 'Guest', isExternalGuest: false }) }));
    expect(statusOf(internal, 'not-external-guest')).toBe('pass');
    expect(internal.checks.find((c) => c.code === 'not-guest')).toMatchObject({ status: 'fail', params: { guest: 'internal' } });
    expect(internal.verdict).toBe('refused');
    const external = runPreflight(facts({ card: f.card({ userType: 'Guest', isExternalGuest: true }) }));
    expect(
      external.checks
        .filter((c) => c.status === 'fail')
        .map((c) => c.code)
        .sort(),
    ).toEqual(['not-external-guest', 'not-guest']);
    expect(external.checks.find((c) => c.code === 'not-guest')?.params).toEqual({ guest: 'external' });
    // An invited account Graph did not mark as Guest is still refused (isExternalGuest from #EXT# or invitation).
    expect(statusOf(runPreflight(facts({ card: f.card({ userType: 'Member', isExternalGuest: true }) })), 'not-guest')).toBe('fail');
    expect(statusOf(runPreflight(facts()), 'not-guest')).toBe('pass');
  });

  it('an Authentication Administrator gets "unknown" for the target (roles not on the card), not a silent pass or a block', () => {
    const r = runPreflight(facts({ operator: f.operator({ capability: 'members-only', roleNames: ['Authentication Administrator'] }) }));
    expect(statusOf(r, 'operator-may-act')).toBe('unknown');
    expect(r.checks.find((c) => c.code === 'operator-may-act')).toMatchObject({
      finding: 'operator-may-act.unknown',
      params: { role: 'Authentication Administrator' },
    });
    expect(r.verdict).toBe('go');
  });

  it("unreadable policies (403) say so and never block; lifetime falls back to Graph's bounds", () => {
    const r = runPreflight(facts({ tapPolicy: f.FORBIDDEN, fido2Policy: f.FORBIDDEN }));
    expect(r.verdict).toBe('go');
    const tap = r.checks.find((c) => c.code === 'tap-policy-enabled');
    expect(tap).toMatchObject({ status: 'unknown', params: { requestId: 'req-403' } });
    expect(tap?.finding).toBe('tap-policy-enabled.unknown');
    expect(statusOf(r, 'fido2-policy-enabled')).toBe('unknown');
    expect(statusOf(r, 'lifetime-in-bounds')).toBe('unknown');
    expect(r.lifetimeBounds).toEqual({ min: 10, max: 43_200 });
    expect(r.lifetimeMinutes).toBe(10);
    expect(r.key.verdict).toBe('ready');
  });

  it('group targets are "unknown" (membership not on the card); all_users with an excluded group too', () => {
    const groups = runPreflight(facts({ tapPolicy: f.tapPolicy({ includeTargets: [{ targetType: 'group', id: 'g1' }] }) }));
    expect(statusOf(groups, 'tap-policy-targets-user')).toBe('unknown');
    const excluded = runPreflight(facts({ fido2Policy: f.fido2Policy({ excludeTargets: [{ targetType: 'group', id: 'g2' }] }) }));
    expect(statusOf(excluded, 'fido2-policy-targets-user')).toBe('unknown');
    const direct = runPreflight(facts({ tapPolicy: f.tapPolicy({ includeTargets: [{ targetType: 'user', id: f.card().id }] }) }));
    expect(statusOf(direct, 'tap-policy-targets-user')).toBe('pass');
  });

  it('lifetime: default is the shortest the policy allows and never under 10; the operator may pick inside the bounds', () => {
    expect(runPreflight(facts({ tapPolicy: f.tapPolicy({ minimumLifetimeInMinutes: 60, maximumLifetimeInMinutes: 480 }) })).lifetimeMinutes).toBe(60);
    const picked = runPreflight(facts({ chosenLifetimeMinutes: 45 }));
    expect(picked).toMatchObject({ lifetimeMinutes: 45, lifetimeBounds: { min: 10, max: 60 }, verdict: 'go' });
    expect(runPreflight(facts({ station: { tapOneTime: true, tapLifetimeMinutes: 30 } })).lifetimeMinutes).toBe(30);
  });

  it('one-time: a multi-use station is overridden by a policy forcing one-time (warn), allowed otherwise (warn)', () => {
    const forced = runPreflight(facts({ station: { tapOneTime: false } }));
    expect(forced.oneTime).toBe(true);
    expect(statusOf(forced, 'one-time')).toBe('warn');
    const multi = runPreflight(facts({ station: { tapOneTime: false }, tapPolicy: f.tapPolicy({ isUsableOnce: false }) }));
    expect(multi.oneTime).toBe(false);
    expect(statusOf(multi, 'one-time')).toBe('warn');
    const unknown = runPreflight(facts({ station: { tapOneTime: false }, tapPolicy: f.FORBIDDEN }));
    expect(statusOf(unknown, 'one-time')).toBe('unknown');
  });

  it('key: a key without a PIN is a warning (the user creates one), an unreadable key or a broken reader is unknown', () => {
    const noPin = runPreflight(facts({ keys: f.keysOne(f.identified(f.fido2Info({ rk: true, up: true, clientPin: false }))) }));
    expect(statusOf(noPin, 'key-ready')).toBe('warn');
    expect(noPin.key.pin).toBe('not-set');
    expect(statusOf(runPreflight(facts({ keys: f.keysUnavailable })), 'key-ready')).toBe('unknown');
    const reader = runPreflight(facts({ keys: f.keysReaderDown }));
    expect(statusOf(reader, 'key-ready')).toBe('unknown');
    expect(reader.key.presence).toBe('reader-unavailable');
  });
});

describe('pre-flight: passkey profiles (Graph v1.0 passkeyProfiles, defaultPasskeyProfile, allowedPasskeyProfiles)', () => {
  const OTHER_AAGUID = '00000000-0000-0000-0000-0000000000aa';
  const GROUP = 'group-onboarding';
  const profile = (id: string, patch: Partial<PasskeyProfile> = {}): PasskeyProfile => ({
    id,
    name: `Profile ${id}`,
    attestationEnforcement: 'disabled',
    keyRestrictions: { isEnforced: false, enforcementType: 'allow', aaGuids: [] },
    passkeyTypes: ['deviceBound', 'synced'],
    ...patch,
  });
  const allowOnly = (aaguid: string) => ({ keyRestrictions: { isEnforced: true, enforcementType: 'allow' as const, aaGuids: [aaguid] } });
  const keyCheck = (r: ReturnType<typeof runPreflight>) => r.checks.find((c) => c.code === 'key-ready');

  it('judges the key against the profile the person gets, not the legacy top-level settings', () => {
    // Legacy: everything allowed. The profile on all_users: only another model.
    const r = runPreflight(
      facts({
        fido2Policy: f.fido2Policy({
          passkeyProfiles: [profile('p1', allowOnly(OTHER_AAGUID))],
          defaultPasskeyProfile: 'p1',
          includeTargets: [{ targetType: 'group', id: 'all_users', allowedPasskeyProfiles: ['p1'] }],
        }),
      }),
    );
    expect(r.verdict).toBe('refused');
    expect(keyCheck(r)).toMatchObject({ status: 'fail', finding: 'key-ready.refused', params: { reason: 'aaguid-not-allowed' } });
    expect(r.key.readiness?.reasons).toContainEqual({ code: 'passkey-profile', severity: 'ok', params: { profile: 'Profile p1' } });

    // And the other way round: the legacy settings block the key, the person's profile allows it.
    const allowed = runPreflight(
      facts({
        fido2Policy: f.fido2Policy({
          keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [f.YUBIKEY_AAGUID] },
          passkeyProfiles: [profile('p1')],
          includeTargets: [{ targetType: 'group', id: 'all_users', allowedPasskeyProfiles: ['p1'] }],
        }),
      }),
    );
    expect(allowed.verdict).toBe('go');
    expect(keyCheck(allowed)?.status).toBe('pass');
  });

  it('a target without allowedPasskeyProfiles gets the default profile', () => {
    const r = runPreflight(
      facts({
        fido2Policy: f.fido2Policy({
          passkeyProfiles: [profile('default', allowOnly(OTHER_AAGUID)), profile('open')],
          defaultPasskeyProfile: 'default',
          includeTargets: [{ targetType: 'group', id: 'all_users' }],
        }),
      }),
    );
    expect(keyCheck(r)).toMatchObject({ status: 'fail', params: { reason: 'aaguid-not-allowed' } });
  });

  it('a profile for synced passkeys only refuses a security key (device-bound)', () => {
    const r = runPreflight(
      facts({
        fido2Policy: f.fido2Policy({
          passkeyProfiles: [profile('synced', { passkeyTypes: ['synced'] })],
          includeTargets: [{ targetType: 'group', id: 'all_users', allowedPasskeyProfiles: ['synced'] }],
        }),
      }),
    );
    expect(keyCheck(r)).toMatchObject({ status: 'fail', params: { reason: 'device-bound-not-allowed' } });
  });

  it('profiles of groups the card cannot show: agreeing ones decide, disagreeing ones leave the key unchecked (never a refusal)', () => {
    const refusingForAll = profile('all', allowOnly(OTHER_AAGUID));
    const differ = runPreflight(
      facts({
        fido2Policy: f.fido2Policy({
          passkeyProfiles: [refusingForAll, profile('group')],
          includeTargets: [
            { targetType: 'group', id: 'all_users', allowedPasskeyProfiles: ['all'] },
            { targetType: 'group', id: GROUP, allowedPasskeyProfiles: ['group'] },
          ],
        }),
      }),
    );
    expect(keyCheck(differ)).toMatchObject({ status: 'unknown', finding: 'key-ready.unchecked' });
    expect(differ.key.readiness?.reasons).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'passkey-profiles-differ' })]));
    expect(differ.verdict).toBe('go');

    // The person named as a target of their own: that profile certainly applies and accepts the key.
    const named = runPreflight(
      facts({
        fido2Policy: f.fido2Policy({
          passkeyProfiles: [refusingForAll, profile('mine')],
          includeTargets: [
            { targetType: 'group', id: 'all_users', allowedPasskeyProfiles: ['all'] },
            { targetType: 'user', id: f.card().id, allowedPasskeyProfiles: ['mine'] },
          ],
        }),
      }),
    );
    expect(keyCheck(named)?.status).toBe('pass');
  });

  it('unknownFutureValue, a missing profile and absent settings are unchecked, never a failed read or a refusal', () => {
    const future = runPreflight(
      facts({
        fido2Policy: f.fido2Policy({
          passkeyProfiles: [profile('p1', { keyRestrictions: { isEnforced: true, enforcementType: 'unknownFutureValue', aaGuids: [] } })],
          includeTargets: [{ targetType: 'group', id: 'all_users', allowedPasskeyProfiles: ['p1'] }],
        }),
      }),
    );
    expect(keyCheck(future)?.status).toBe('unknown');
    const attestationFuture = runPreflight(
      facts({
        fido2Policy: f.fido2Policy({
          passkeyProfiles: [profile('p1', { attestationEnforcement: 'unknownFutureValue' })],
          includeTargets: [{ targetType: 'group', id: 'all_users', allowedPasskeyProfiles: ['p1'] }],
        }),
      }),
    );
    expect(keyCheck(attestationFuture)?.status).toBe('unknown');
    const missing = runPreflight(
      facts({
        fido2Policy: f.fido2Policy({
          passkeyProfiles: [profile('p1')],
          includeTargets: [{ targetType: 'group', id: 'all_users', allowedPasskeyProfiles: ['not-in-the-answer'] }],
        }),
      }),
    );
    expect(keyCheck(missing)?.status).toBe('unknown');
    // Neither form: the legacy settings null, no profiles.
    const neither = runPreflight(facts({ fido2Policy: f.fido2Policy({ isAttestationEnforced: null, keyRestrictions: null, passkeyProfiles: null }) }));
    expect(keyCheck(neither)?.status).toBe('unknown');
    for (const r of [future, attestationFuture, missing, neither]) expect(r.verdict).toBe('go');
  });
});
