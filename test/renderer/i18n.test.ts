import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import de from '../../renderer/src/i18n/de.json';
import en from '../../renderer/src/i18n/en.json';
import { capabilityMsg, checkMsg, errorMsg, keyWarningMsg, nextMsg, reasonMsg, render } from '../../renderer/src/lib/messages';
import type { KeyStatus, PreflightCheck } from '../../common/session';

type Tree = { [k: string]: string | Tree };
function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    if (typeof v === 'string') out.set(prefix + k, v);
    else for (const [kk, vv] of flatten(v, `${prefix}${k}.`)) out.set(kk, vv);
  }
  return out;
}
const EN = flatten(en as Tree);
const DE = flatten(de as Tree);
/** i18next's lookup, enough for these tests: plural keys count as the base key. */
const has = (table: Map<string, string>, key: string) => table.has(key) || table.has(`${key}_other`);
const resolveEn = (key: string) => (has(EN, key) ? key : null);

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

describe('codes from main → translation keys', () => {
  const key: KeyStatus = { presence: 'none', keyId: null, model: null, vendor: null, aaguid: null, pin: 'unknown', verdict: null, readiness: null, canWink: false };
  const chk = (code: PreflightCheck['code'], status: PreflightCheck['status'], params: Record<string, string | number> = {}, text = 'english'): PreflightCheck => ({ code, status, text, params });

  it('capabilities are in words', () => {
    for (const c of ['members-and-admins', 'members-only', 'none'] as const) expect(resolveEn(capabilityMsg(c).key)).not.toBeNull();
  });

  it('every readiness reason code in main/keys/readiness.ts has a translation', () => {
    const src = readFileSync('main/keys/readiness.ts', 'utf8');
    const codes = new Set([...src.matchAll(/reason\(\s*'([a-z0-9-]+)'/g)].map((m) => m[1] as string));
    expect(codes.size).toBeGreaterThan(15);
    for (const code of codes) expect(resolveEn(reasonMsg({ code, text: 'x' }).key), code).not.toBeNull();
  });

  it('every error code main can produce has a translation', () => {
    const failures = readFileSync('main/enrollment/failures.ts', 'utf8');
    const machine = readFileSync('main/enrollment/machine.ts', 'utf8');
    const codes = new Set([...`${failures}\n${machine}`.matchAll(/code: '([a-z0-9-]+\.[a-z0-9.-]+)'/g)].map((m) => m[1] as string));
    for (const k of ['bad-input', 'not-found', 'forbidden', 'bad-request', 'throttled', 'unavailable', 'network', 'timeout', 'unauthenticated', 'unknown']) codes.add(`graph.${k}`);
    for (const r of ['policy-excludes-user', 'external-guest', 'one-time-required', 'not-permitted-for-target']) codes.add(`tap.${r}`);
    for (const code of codes) expect(resolveEn(errorMsg({ code, text: 'x' }).key), code).not.toBeNull();
    expect(errorMsg({ code: 'tap.lifetime-refused', text: 'Microsoft refused the lifetime: the policy allows 60 to 480 minutes.' })).toMatchObject({
      key: 'error.tap.lifetime-refused-range',
      params: { min: '60', max: '480' },
    });
  });

  it('every pre-flight check variant main produces has a translation', () => {
    const cases: PreflightCheck[] = [
      chk('account-enabled', 'pass'),
      chk('account-enabled', 'fail'),
      chk('not-external-guest', 'pass'),
      chk('not-external-guest', 'fail'),
      chk('not-operator-self', 'pass'),
      chk('not-operator-self', 'fail'),
      ...(['pass', 'unknown', 'fail'] as const).map((s) => chk('operator-may-act', s, { role: 'x' })),
      ...(['pass', 'unknown', 'fail'] as const).map((s) => chk('tap-policy-enabled', s)),
      ...['all-users', 'user', 'excluded', 'groups', 'not-listed'].map((why) => chk('tap-policy-targets-user', 'pass', { why })),
      ...['all-users', 'user', 'excluded', 'groups', 'not-listed'].map((why) => chk('fido2-policy-targets-user', 'pass', { why })),
      chk('fido2-policy-targets-user', 'unknown'),
      ...(['pass', 'unknown', 'fail'] as const).map((s) => chk('lifetime-in-bounds', s, { minutes: 60, min: 10, max: 480 })),
      chk('one-time', 'pass'),
      chk('one-time', 'unknown'),
      chk('one-time', 'warn', {}, 'This station is configured for multi-use passes, but the policy forces one-time use: the pass works for one sign-in only.'),
      chk('one-time', 'warn', {}, 'This station is configured for multi-use passes: the pass can be used more than once within its lifetime.'),
      ...(['pass', 'unknown', 'fail'] as const).map((s) => chk('fido2-policy-enabled', s)),
      chk('fido2-self-service', 'pass'),
      chk('fido2-self-service', 'fail'),
      chk('key-ready', 'pass', { model: 'YubiKey' }),
      chk('key-ready', 'warn', { model: 'YubiKey', note: 'pin-to-create' }),
      chk('key-ready', 'unknown'),
      chk('key-ready', 'unknown', { model: 'YubiKey' }),
      chk('key-ready', 'fail'),
      chk('key-ready', 'fail', { model: 'YubiKey' }),
      chk('key-ready', 'fail', { model: 'YubiKey', reason: 'key-full' }),
    ];
    for (const c of cases) expect(resolveEn(checkMsg(c, key).key), `${c.code} ${c.status} ${JSON.stringify(c.params)}`).not.toBeNull();
    expect(checkMsg(chk('key-ready', 'fail'), { ...key, presence: 'multiple' }).key).toBe('check.key-ready.multiple');
    expect(checkMsg(chk('one-time', 'warn', {}, 'x forces y')).key).toBe('check.one-time.warn-forced');
  });

  it('falls back to main’s English text for an unknown code', () => {
    const msg = errorMsg({ code: 'graph.something-new', text: 'Main says so.' });
    expect(render(msg, resolveEn)).toBe('Main says so.');
    expect(render(checkMsg(chk('key-ready', 'pass', { model: 'K' }, 'K: ready.')), resolveEn)).toBe('check.key-ready.pass');
  });

  it('next steps and key warnings from main are translated', () => {
    expect(nextMsg('Check the message, then start again for this person or serve the next one.').key).toBe('next.after-failure');
    expect(nextMsg('Issue a new pass if the person is still at the desk.').key).toBe('next.after-timeout');
    expect(resolveEn(nextMsg('Something new.').key)).toBeNull();
    const snap = readFileSync('common/session.ts', 'utf8');
    for (const m of snap.matchAll(/const NEXT_AFTER_\w+ = '([^']+)'/g)) expect(resolveEn(nextMsg(m[1] as string).key), m[1]).not.toBeNull();
    expect(keyWarningMsg('The security key was unplugged. Ask the person …').key).toBe('keyWarning.unplugged');
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
