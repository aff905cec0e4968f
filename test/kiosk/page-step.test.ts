import { describe, expect, it } from 'vitest';
import { parseStep, READ_STEP_SCRIPT, withoutSecrets } from '../../main/kiosk/page-step';

describe("the guide panel's step marker", () => {
  it('passes the page steps through', () => {
    for (const step of ['sign-in-username', 'sign-in-tap', 'security-info', 'add-method', 'security-key-type', 'webauthn', 'name-key', 'done']) {
      expect(parseStep(step)).toBe(step);
    }
  });
  it('drops anything a hostile page could put there', () => {
    for (const value of [null, undefined, 42, {}, '', 'Done', 'x'.repeat(41), '<img src=x onerror=alert(1)>', 'done\n', '-done']) {
      expect(parseStep(value)).toBeNull();
    }
  });
  it('reads the marker with one constant script', () => {
    expect(READ_STEP_SCRIPT).toBe('document.body?.dataset?.step ?? null');
  });
});

describe('navigation reports', () => {
  it('never carry a query or fragment (the sign-in comes back with a code in them)', () => {
    expect(withoutSecrets('https://mysignins.microsoft.com/security-info?code=abc#id_token=xyz')).toBe('https://mysignins.microsoft.com/security-info');
    expect(withoutSecrets('http://localhost:4000/sign-in/tap?username=a')).toBe('http://localhost:4000/sign-in/tap');
    expect(withoutSecrets('data:text/html,secret')).toBe('');
    expect(withoutSecrets('nonsense')).toBe('');
  });
});
