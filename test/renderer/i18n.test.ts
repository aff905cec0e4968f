import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import i18next from 'i18next';
import deJson from '../../renderer/src/i18n/de.json';
import enJson from '../../renderer/src/i18n/en.json';
import {
  capabilityMsg,
  checkMsg,
  errorMsg,
  freshMsg,
  interruptMsgs,
  journalHealthMsg,
  journalTodoMsg,
  keyWarningMsg,
  nextMsg,
  noticeMsg,
  outcomeMsg,
  provisionMsg,
  reasonMsg,
  recycleMsg,
  stationNoteMsg,
  type ErrorWords,
  type Msg,
} from '../../renderer/src/lib/messages';
import { ENROLLMENT_OUTCOMES } from '../../common/contract';
import {
  FRESH_SIGN_IN_CODES,
  INTERRUPT_CODES,
  ISSUE_NOTICE_CODES,
  ISSUING_WAIT_CODES,
  JOURNAL_HEALTH_CODES,
  KEY_WARNING_CODES,
  NEXT_ACTION_CODES,
  PREFLIGHT_FINDING_CODES,
  PREFLIGHT_FINDINGS,
  READINESS_CODES,
  READINESS_REASONS,
  SESSION_ERROR_CODES,
  STATION_NOTES,
  STATION_NOTE_CODES,
  type StationNote,
  type StationNoteCode,
  type PreflightCheck,
  type PreflightCode,
  type PreflightFinding,
  type ReadinessReason,
} from '../../common/codes';
import { type ParamsOf } from '../../common/coded';
import { EVENT_CODE_LIST } from '../../common/event-codes';
import { PROVISION_ERRORS, RECYCLE_OUTCOMES } from '../../common/provision-codes';

type Tree = { [k: string]: string | Tree };
function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    if (typeof v === 'string') out.set(prefix + k, v);
    else for (const [kk, vv] of flatten(v, `${prefix}${k}.`)) out.set(kk, vv);
  }
  return out;
}
const EN = flatten(enJson as Tree);
const DE = flatten(deJson as Tree);
/** i18next's lookup, enough for these tests: plural keys count as the base key. */
const has = (table: Map<string, string>, key: string) => table.has(key) || table.has(`${key}_other`);

describe('i18n files', () => {
  it('every key in English exists in German and vice versa', () => {
    expect([...EN.keys()].filter((k) => !DE.has(k))).toEqual([]);
    expect([...DE.keys()].filter((k) => !EN.has(k))).toEqual([]);
  });
  it('no empty strings, and the same placeholders in both', () => {
    for (const [k, v] of [...EN, ...DE]) expect(v.trim(), k).not.toBe('');
    const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    for (const [k, v] of EN) expect(vars(DE.get(k) ?? ''), k).toEqual(vars(v));
  });
  it('every event-mode code has its words in both languages', () => {
    const missing = EVENT_CODE_LIST.flatMap((code) => [EN, DE].flatMap((table, i) => (has(table, code) ? [] : [`${i ? 'de' : 'en'}: ${code}`])));
    expect(missing).toEqual([]);
  });
  it("uses Microsoft's German terms", () => {
    expect(DE.get('identity.tap')).toBe('Befristeter Zugriffspass');
    expect(DE.get('key.title')).toContain('Sicherheitsschlüssel');
  });
  it('every key the screens use literally exists', () => {
    const dir = 'renderer/src';
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (/\.tsx?$/.test(e.name)) files.push(join(d, e.name));
      }
    };
    walk(dir);
    const missing: string[] = [];
    for (const f of files) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\bt\('([a-zA-Z0-9.\-]+)'/g)) {
        if (!has(EN, m[1] as string)) missing.push(`${f}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

// Completeness, driven by the code sets of common/codes.ts: every code main can send has words in both languages.
// The tables below are typed `Record<Code, …>`, so a code added to common/codes.ts without a sample here fails
// the type-check; each sample is parsed with the code's own schema, so it has the shape main sends.
const en_ = (key: string) => has(EN, key);
const de_ = (key: string) => has(DE, key);
const covered = (msg: Msg) => [en_(msg.key) ? null : `en: ${msg.key}`, de_(msg.key) ? null : `de: ${msg.key}`].filter((x) => x !== null);

const FINDING_SAMPLES: { [F in PreflightFinding]: ParamsOf<typeof PREFLIGHT_FINDINGS, F>[] } = {
  'account-enabled.pass': [{}],
  'account-enabled.fail': [{}],
  'not-external-guest.pass': [{}],
  'not-external-guest.fail': [{}],
  'not-guest.pass': [{}],
  'not-guest.fail': [{ guest: 'internal' }, { guest: 'external' }],
  'not-operator-self.pass': [{}],
  'not-operator-self.fail': [{}],
  'operator-may-act.pass': [{ role: 'x' }],
  'operator-may-act.unknown': [{ role: 'x' }],
  'operator-may-act.fail': [{ role: 'none' }],
  'tap-policy-enabled.pass': [{}],
  'tap-policy-enabled.fail': [{}],
  'tap-policy-enabled.unknown': [{}, { requestId: 'r' }],
  'tap-policy-targets-user.all-users': [{}],
  'tap-policy-targets-user.user': [{}],
  'tap-policy-targets-user.excluded': [{}],
  'tap-policy-targets-user.groups': [{}],
  'tap-policy-targets-user.not-listed': [{}],
  'lifetime-in-bounds.pass': [{ minutes: 60, min: 10, max: 480 }],
  'lifetime-in-bounds.unknown': [{ minutes: 60, min: 10, max: 43200 }],
  'lifetime-in-bounds.fail': [{ minutes: 5, min: 10, max: 480 }],
  'one-time.pass': [{}],
  'one-time.warn-forced': [{}],
  'one-time.warn-multi-use': [{}],
  'one-time.unknown': [{}],
  'fido2-policy-enabled.pass': [{}],
  'fido2-policy-enabled.fail': [{}],
  'fido2-policy-enabled.unknown': [{}],
  'fido2-self-service.pass': [{}],
  'fido2-self-service.fail': [{}],
  'fido2-policy-targets-user.all-users': [{}],
  'fido2-policy-targets-user.user': [{}],
  'fido2-policy-targets-user.excluded': [{}],
  'fido2-policy-targets-user.groups': [{}],
  'fido2-policy-targets-user.not-listed': [{}],
  'fido2-policy-targets-user.no-targets': [{}],
  'key-ready.pass': [{ model: 'YubiKey' }],
  'key-ready.warn': [{ model: 'YubiKey', note: 'pin-to-create' }],
  'key-ready.unchecked': [{ model: 'YubiKey' }],
  'key-ready.reader-unavailable': [{}],
  'key-ready.reading': [{ model: 'YubiKey' }],
  'key-ready.multiple': [{}],
  'key-ready.none': [{}],
  'key-ready.refused': READINESS_CODES.map((reason) => ({ model: 'YubiKey', reason })),
  'journal-writable.pass': [{}],
  'journal-writable.full': [{}],
  'journal-writable.read-only': [{}],
  'journal-writable.unwritable': [{}],
  'event-claim.pass': [{}],
  'event-claim.held-elsewhere': [
    { passIssuedAt: null, ageMinutes: 3 },
    { passIssuedAt: '2026-03-02T10:42:00Z', ageMinutes: 3 },
  ],
  'event-claim.already-done': [{}],
  'event-claim.not-on-roster': [{}],
  'event-claim.not-group-owner': [{}],
  'event-claim.failed': [{}],
};

describe('every code main can send has words in English and German', () => {
  it('pre-flight findings (every finding of every check)', () => {
    expect(Object.keys(FINDING_SAMPLES).sort()).toEqual([...PREFLIGHT_FINDING_CODES].sort());
    const missing: string[] = [];
    for (const finding of PREFLIGHT_FINDING_CODES) {
      for (const params of FINDING_SAMPLES[finding]) {
        expect(PREFLIGHT_FINDINGS[finding].safeParse(params).success, finding).toBe(true);
        const code = finding.slice(0, finding.indexOf('.')) as PreflightCode;
        missing.push(...covered(checkMsg({ code, status: 'pass', finding, params } as PreflightCheck)));
      }
    }
    expect(missing).toEqual([]);
  });

  it('key readiness reasons', () => {
    // The first of these shapes that the code's schema accepts is its sample.
    const shapes = [{}, { remaining: 3 }, { aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8' }, { profile: 'Default passkey profile' }];
    const missing = READINESS_CODES.flatMap((code) => {
      const params = shapes.find((p) => READINESS_REASONS[code].safeParse(p).success);
      expect(params, code).toBeDefined();
      return covered(reasonMsg({ code, severity: 'ok', params } as ReadinessReason));
    });
    expect(missing).toEqual([]);
  });

  it('session errors (the lifetime refusal with and without the range, a missing consent with its permission)', () => {
    const missing = SESSION_ERROR_CODES.flatMap((code) =>
      code === 'tap.lifetime-refused'
        ? [...covered(errorMsg({ code, params: { range: null } })), ...covered(errorMsg({ code, params: { range: { min: 10, max: 60 } } }))]
        : code === 'access.missing-permission'
          ? covered(errorMsg({ code, params: { permission: 'UserAuthMethod-TAP.ReadWrite.All' } }))
          : covered(errorMsg({ code, params: {} } as ErrorWords)),
    );
    expect(missing).toEqual([]);
  });

  it('station status notes (configuration, tenant, key reader), each with its parameters in the words', () => {
    const SAMPLES: { [C in StationNoteCode]: ParamsOf<typeof STATION_NOTES, C> } = {
      'config.missing': {},
      'config.invalid': { detail: 'tenantId: expected a GUID' },
      'config.start-failed': { detail: 'EBUSY' },
      'config.protection-loose': { path: 'C:\\ProgramData\\TAP Kiosk\\audit', detail: 'others-can-read' },
      'tenant.http-status': { status: 503 },
      'tenant.no-answer': { detail: 'ENOTFOUND' },
      'key-reader.failed': { detail: 'hidraw' },
    };
    expect(Object.keys(SAMPLES).sort()).toEqual([...STATION_NOTE_CODES].sort());
    const missing = STATION_NOTE_CODES.flatMap((code) => {
      expect(STATION_NOTES[code].safeParse(SAMPLES[code]).success, code).toBe(true);
      const msg = stationNoteMsg({ code, params: SAMPLES[code] } as StationNote);
      // Every parameter of the code appears in both languages' sentence.
      for (const table of [EN, DE]) for (const p of Object.keys(SAMPLES[code])) expect(table.get(msg.key) ?? '', `${msg.key} {{${p}}}`).toContain(`{{${p}}}`);
      return covered(msg);
    });
    expect(missing).toEqual([]);
  });

  it('notices about the pass issued (with and without the policy range)', () => {
    const missing = ISSUE_NOTICE_CODES.flatMap((code) => [
      ...covered(noticeMsg({ code, params: { requested: 10, issued: 60, min: 60, max: 480 } })),
      ...covered(noticeMsg({ code, params: { requested: 10, issued: 60, min: null, max: null } })),
    ]);
    expect(missing).toEqual([]);
  });

  it('the fresh sign-in and the registration interrupt while registering, and the countdown', () => {
    const missing = [
      ...FRESH_SIGN_IN_CODES.flatMap((c) => covered(freshMsg(c))),
      ...INTERRUPT_CODES.flatMap((c) => interruptMsgs(c).flatMap(covered)),
      ...covered({ key: 'countdown.label.fresh-sign-in' }),
      ...covered({ key: 'userSide.fresh.hint' }),
    ];
    expect(missing).toEqual([]);
  });

  it('why the station waits while issuing, and its countdowns', () => {
    const keys = [...ISSUING_WAIT_CODES.map((c) => `issuing.${c}`), 'countdown.label.next-attempt', 'countdown.label.retry-ends'];
    expect(keys.flatMap((key) => covered({ key }))).toEqual([]);
  });

  it('key warnings, next actions, capabilities and the outcomes of the day’s enrollments', () => {
    const missing = [
      ...KEY_WARNING_CODES.flatMap((c) => covered(keyWarningMsg(c))),
      ...NEXT_ACTION_CODES.flatMap((c) => covered(nextMsg(c))),
      ...(['members-and-admins', 'members-only', 'none'] as const).flatMap((c) => covered(capabilityMsg(c))),
      ...ENROLLMENT_OUTCOMES.flatMap((o) => covered(outcomeMsg(o))),
    ];
    expect(missing).toEqual([]);
  });

  it('journal health, and what to do for each broken state', () => {
    const missing = JOURNAL_HEALTH_CODES.flatMap((c) => [...covered(journalHealthMsg(c)), ...(c === 'ok' ? [] : covered(journalTodoMsg(c)))]);
    expect(missing).toEqual([]);
  });

  it('nothing is worded twice for one meaning: the merged refusals have one key each', () => {
    for (const gone of ['error.tap.policy-refused', 'error.tap.one-time-forced', 'error.tap.forbidden', 'error.graph.unknown', 'error.unknown']) {
      expect(has(EN, gone), gone).toBe(false);
      expect(has(DE, gone), gone).toBe(false);
    }
  });
});

describe('codes → words (English, German)', () => {
  const en = i18next.createInstance();
  const de = i18next.createInstance();
  void en.init({ resources: { en: { translation: enJson } }, lng: 'en', initAsync: false, interpolation: { escapeValue: false } });
  void de.init({ resources: { de: { translation: deJson } }, lng: 'de', initAsync: false, interpolation: { escapeValue: false } });
  const say = (i: typeof en, msg: Msg) => i.t(msg.key, msg.params ?? {});

  it('the lifetime refusal names the policy’s range from the parameters', () => {
    const msg = errorMsg({ code: 'tap.lifetime-refused', params: { range: { min: 60, max: 480 } } });
    expect(say(en, msg)).toBe('Microsoft refused the lifetime: the policy allows 60 to 480 minutes.');
    expect(say(de, msg)).toBe('Microsoft hat die Gültigkeitsdauer abgelehnt: Die Richtlinie erlaubt 60 bis 480 Minuten.');
    expect(say(en, errorMsg({ code: 'tap.lifetime-refused', params: { range: null } }))).toBe(
      'Microsoft refused the lifetime: it is outside what the policy allows.',
    );
  });

  it('each 403 says what to do: consent (naming the permission), a role, or an operator whose role reaches the person', () => {
    const consent = errorMsg({ code: 'access.missing-permission', params: { permission: 'UserAuthMethod-TAP.ReadWrite.All' } });
    expect(say(en, consent)).toMatch(/permission UserAuthMethod-TAP\.ReadWrite\.All .*admin consent/);
    expect(say(de, consent)).toMatch(/Berechtigung UserAuthMethod-TAP\.ReadWrite\.All\. .*Administratorzustimmung/);
    expect(say(en, errorMsg({ code: 'access.missing-role', params: {} }))).toMatch(/no directory role.*Authentication Administrator/);
    expect(say(en, errorMsg({ code: 'access.target-out-of-reach', params: {} }))).toMatch(/Privileged Authentication Administrator must do this/);
    expect(say(de, errorMsg({ code: 'access.target-out-of-reach', params: {} }))).toMatch(/Privilegierter Authentifizierungsadministrator/);
  });

  it('pre-flight checks with their parameters', () => {
    const lifetime: PreflightCheck = {
      code: 'lifetime-in-bounds',
      status: 'pass',
      finding: 'lifetime-in-bounds.pass',
      params: { minutes: 60, min: 10, max: 480 },
    };
    expect(say(en, checkMsg(lifetime))).toBe('The pass will last 60 minutes (allowed: 10 to 480).');
    const forced: PreflightCheck = { code: 'one-time', status: 'warn', finding: 'one-time.warn-forced', params: {} };
    expect(say(en, checkMsg(forced))).toMatch(/policy forces one-time use/);
    const refused: PreflightCheck = { code: 'key-ready', status: 'fail', finding: 'key-ready.refused', params: { model: 'K', reason: 'key-full' } };
    expect(say(en, checkMsg(refused))).toBe('The key is full: it has no room for another passkey. Remove an old passkey from it, or use another key.');
    expect(say(en, checkMsg({ code: 'key-ready', status: 'pass', finding: 'key-ready.pass', params: { model: 'YubiKey 5' } }))).toBe('YubiKey 5: ready.');
  });

  it('readiness reasons, key warnings and next actions', () => {
    expect(say(en, reasonMsg({ code: 'room-left', severity: 'ok', params: { remaining: 24 } }))).toBe('Room for more passkeys on the key: 24.');
    expect(say(en, keyWarningMsg('unplugged'))).toMatch(/unplugged/);
    expect(say(de, keyWarningMsg('unplugged'))).not.toBe(say(en, keyWarningMsg('unplugged')));
    expect(say(en, nextMsg('after-failure'))).toBe('Check the message, then start again for this person or serve the next one.');
    expect(say(en, nextMsg('after-timeout'))).toBe('Issue a new pass if the person is still at the desk.');
    expect(say(en, errorMsg({ code: 'unexpected', params: {} }))).toBe('Something unexpected went wrong.');
    expect(say(en, journalHealthMsg('full'))).toMatch(/disk is full/);
    expect(say(de, journalHealthMsg('read-only'))).toMatch(/schreibgeschützt/);
  });

  it('the code → key mapping reads no text: no regular expression in it', () => {
    // (The renderer's other regular expressions read a person's name for initials and the pass for spelling.)
    for (const f of ['renderer/src/lib/messages.ts', 'renderer/src/i18n/index.ts']) {
      expect(readFileSync(f, 'utf8'), f).not.toMatch(/\.match\(|RegExp|\/[^/\n]+\/[gimsuy]*\.(test|exec)\(/);
    }
  });
});

describe('production bundle', () => {
  it('has no trace of the dev fake bridge (when a build is present)', () => {
    const dir = 'out/renderer/assets';
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir)) {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(text.includes('fake-kiosk'), f).toBe(false);
      expect(text.includes('createFakeKiosk'), f).toBe(false);
      expect(text.includes('Xk7#mP2qR9tz'), f).toBe(false);
    }
  });
});

// Provisioning at the desk: every code main/provision/ can send, with a sample of its parameters.
const PROVISION_SAMPLES: { [C in keyof typeof PROVISION_ERRORS]: ParamsOf<typeof PROVISION_ERRORS, C>[] } = {
  'pin.too-short': [{ min: 6 }],
  'pin.too-long': [{}],
  'pin.all-same': [{}],
  'pin.sequence': [{}],
  'pin.mismatch': [{}],
  'journal.full': [{}],
  'journal.read-only': [{}],
  'journal.unwritable': [{}],
  'key.wrong-pin': [{ retries: 7 }, { retries: null }],
  'key.pin-blocked': [{}],
  'key.pin-auth-blocked': [{}],
  'key.pin-policy': [{ min: 6 }],
  'key.pin-not-set': [{}],
  'key.pin-change-required': [{}],
  'key.already-registered': [{}],
  'key.full': [{}],
  'key.denied': [{}],
  'key.no-touch': [{}],
  'key.dialog-cancelled': [{}],
  'key.unplugged': [{}],
  'key.not-allowed': [{}],
  'key.unsupported': [{}],
  'key.error': [{ status: 'InvalidCbor' }],
  'policy.aaguid-blocked': [{ aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a' }],
  'attestation.invalid': [{}],
  'proof.failed': [{ methodId: 'm' }],
  'graph.guest': [{ requestId: null }],
  'graph.policy': [{ requestId: 'r' }],
  'graph.key-refused': [{ requestId: null }],
  'graph.challenge-expired': [{ requestId: null }],
  'graph.forbidden': [{ requestId: null }],
  'graph.failed': [{ requestId: null, kind: 'network' }],
};

describe('provisioning words', () => {
  it('every provisioning error has words in both languages, with its parameters filled', async () => {
    const missing = Object.entries(PROVISION_SAMPLES).flatMap(([code, samples]) =>
      (samples as object[]).flatMap((params) => {
        const parsed = PROVISION_ERRORS[code as keyof typeof PROVISION_ERRORS].parse(params);
        return covered(provisionMsg({ code, params: parsed } as Parameters<typeof provisionMsg>[0]));
      }),
    );
    expect(missing).toEqual([]);
    const t = await i18next.createInstance().init({ lng: 'en', resources: { en: { translation: enJson } } });
    const msg = provisionMsg({ code: 'key.wrong-pin', params: { retries: 3 } });
    expect(t(msg.key, msg.params ?? {})).toBe('Wrong PIN. 3 tries left before the key locks.');
    const min = provisionMsg({ code: 'pin.too-short', params: { min: 8 } });
    expect(t(min.key, min.params ?? {})).toBe('The PIN is too short: use at least 8 characters.');
  });
});

const RECYCLE_SAMPLES: { [C in keyof typeof RECYCLE_OUTCOMES]: ParamsOf<typeof RECYCLE_OUTCOMES, C> } = {
  'recycle.done': {},
  'recycle.too-late': { seconds: 10 },
  'recycle.not-replugged': { seconds: 60 },
  'recycle.no-touch': {},
  'recycle.denied': {},
  'recycle.unsupported': {},
  'recycle.unplugged': {},
  'recycle.journal': {},
  'recycle.error': { status: 'InvalidLength' },
};

describe('recycling words', () => {
  it('every outcome of resetting a returned key has words in both languages; "too late" names the window', async () => {
    const missing = Object.entries(RECYCLE_SAMPLES).flatMap(([code, params]) => {
      const parsed = RECYCLE_OUTCOMES[code as keyof typeof RECYCLE_OUTCOMES].parse(params);
      return covered(recycleMsg({ code, params: parsed } as Parameters<typeof recycleMsg>[0]));
    });
    expect(missing).toEqual([]);
    const t = await i18next.createInstance().init({ lng: 'de', resources: { de: { translation: deJson } } });
    const late = recycleMsg({ code: 'recycle.too-late', params: { seconds: 10 } });
    expect(t(late.key, late.params ?? {})).toMatch(/innerhalb von 10 Sekunden/);
  });
});
