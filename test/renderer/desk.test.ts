// The operator cannot slip (issue "At the desk", part 3): what blocks on the identity card, what pre-flight's verdict
// says when checks could not be made, who must change which setting after Microsoft refuses; worded in both languages.
import { describe, expect, it } from 'vitest';
import deJson from '../../renderer/src/i18n/de.json';
import enJson from '../../renderer/src/i18n/en.json';
import { doneKeyMsg, fixMsg, identityBlock, recheckHelps, verdictMsg } from '../../renderer/src/lib/desk';
import { SESSION_ERROR_CODES, type PreflightCheck } from '../../common/codes';
import { card } from '../enrollment/support/fixtures';
import type { OperatorView } from '../../common/session';

const operator = (over: Partial<OperatorView> = {}): OperatorView => ({
  id: 'op',
  upn: 'op@contoso.com',
  displayName: 'Op',
  roleNames: ['Authentication Administrator'],
  capability: 'members-only',
  ...over,
});
const chk = (finding: string, status: PreflightCheck['status']) =>
  ({ code: finding.slice(0, finding.indexOf('.')), finding, status, params: {} }) as unknown as PreflightCheck;

const lookup = (tree: unknown, key: string): unknown => key.split('.').reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k], tree);
const worded = (key: string) => [enJson, deJson].every((t) => typeof lookup(t, key) === 'string');

describe('identity card blocks at once', () => {
  it('a member with an enabled account, served by another operator who may issue, is not blocked', () => {
    expect(identityBlock(card(), operator())).toBeNull();
  });
  it('names the block: own account, own role, disabled, external guest, internal guest', () => {
    expect(identityBlock(card({ id: operator().id }), operator())).toBe('self');
    expect(identityBlock(card(), operator({ capability: 'none' }))).toBe('operator-role');
    expect(identityBlock(card({ accountEnabled: false }), operator())).toBe('disabled');
    expect(identityBlock(card({ isExternalGuest: true, userType: 'Guest' }), operator())).toBe('external-guest');
    expect(identityBlock(card({ userType: 'Guest' }), operator())).toBe('guest');
  });
  it('every block has a title, why and way out in English and German', () => {
    for (const b of ['self', 'operator-role', 'disabled', 'external-guest', 'guest']) {
      for (const part of ['title', 'why', 'way']) expect(worded(`block.${b}.${part}`), `block.${b}.${part}`).toBe(true);
    }
  });
});

describe('pre-flight verdict', () => {
  const pass = chk('account-enabled.pass', 'pass');
  it('says plain "ready" only when every check was made', () => {
    expect(verdictMsg('go', [pass, chk('one-time.warn-multi-use', 'warn')]).key).toBe('preflight.verdict.go');
  });
  it('names the policies the role cannot read', () => {
    expect(verdictMsg('go', [pass, chk('tap-policy-enabled.unknown', 'unknown'), chk('lifetime-in-bounds.unknown', 'unknown')]).key).toBe(
      'preflight.verdict.goUnread-tap',
    );
    expect(verdictMsg('go', [chk('fido2-policy-enabled.unknown', 'unknown')]).key).toBe('preflight.verdict.goUnread-fido2');
    expect(verdictMsg('go', [chk('tap-policy-enabled.unknown', 'unknown'), chk('fido2-policy-enabled.unknown', 'unknown')]).key).toBe(
      'preflight.verdict.goUnread-both',
    );
  });
  it('other checks not made: "not fully checked"; a refusal stays a refusal', () => {
    expect(verdictMsg('go', [pass, chk('tap-policy-targets-user.groups', 'unknown')]).key).toBe('preflight.verdict.goUnchecked');
    expect(verdictMsg('refused', [chk('tap-policy-enabled.unknown', 'unknown'), chk('key-ready.none', 'fail')]).key).toBe('preflight.verdict.refused');
  });
  it('"Check again" only where a check can change: not for a guest, the own account or the own role', () => {
    expect(recheckHelps('refused', [chk('key-ready.none', 'fail')])).toBe(true);
    expect(recheckHelps('refused', [chk('not-guest.fail', 'fail'), chk('not-external-guest.fail', 'fail')])).toBe(false);
    expect(recheckHelps('refused', [chk('not-operator-self.fail', 'fail'), chk('key-ready.none', 'fail')])).toBe(true);
    expect(recheckHelps('go', [])).toBe(true);
  });
  it('every verdict is worded in both languages', () => {
    for (const k of ['go', 'refused', 'goUnread-tap', 'goUnread-fido2', 'goUnread-both', 'goUnchecked']) expect(worded(`preflight.verdict.${k}`), k).toBe(true);
    expect(lookup(enJson, 'preflight.verdict.goUnread-tap')).toMatch(/^Ready — not fully checked \(your role cannot read/);
  });
});

describe('after Microsoft refuses: who changes which setting', () => {
  it('policy refusals name the role and the setting', () => {
    const m = fixMsg({ code: 'tap.policy-excludes-user' });
    expect(m?.key).toBe('fix.tap.policy-excludes-user');
    expect(lookup(enJson, m?.key ?? '')).toMatch(/Authentication Policy Administrator.*Temporary Access Pass policy/);
    expect(lookup(deJson, m?.key ?? '')).toMatch(/Authentifizierungsrichtlinienadministrator/);
  });
  it('failures that name no setting add nothing', () => {
    expect(fixMsg({ code: 'graph.network' })).toBeNull();
    expect(fixMsg({ code: 'tap.refused' })).toBeNull();
  });
  it('every error with a fix is worded in both languages', () => {
    for (const code of SESSION_ERROR_CODES) {
      const m = fixMsg({ code });
      if (m) expect(worded(m.key), m.key).toBe(true);
    }
  });
});

describe('done: the key as the person named it', () => {
  const reg = (displayName: string | null, model: string | null) => ({ methodId: 'm', displayName, model, aaguid: null, stationKey: true });
  it('the name first, the model beside it', () => {
    expect(doneKeyMsg(reg('Adele desk key', 'YubiKey 5 NFC'))).toEqual({
      key: 'outcome.done.named',
      params: { name: 'Adele desk key', model: 'YubiKey 5 NFC' },
    });
    expect(doneKeyMsg(reg('Adele desk key', null)).key).toBe('outcome.done.namedNoModel');
  });
  it('without a name (or named after the model) the model alone', () => {
    expect(doneKeyMsg(reg(null, 'YubiKey 5 NFC'))).toEqual({ key: 'outcome.done.model', params: { model: 'YubiKey 5 NFC' } });
    expect(doneKeyMsg(reg('YubiKey 5 NFC', 'YubiKey 5 NFC')).key).toBe('outcome.done.model');
    expect(doneKeyMsg(reg(' ', null)).key).toBe('outcome.done.unknownModel');
    for (const k of ['named', 'namedNoModel', 'model', 'unknownModel']) expect(worded(`outcome.done.${k}`), k).toBe(true);
  });
});
