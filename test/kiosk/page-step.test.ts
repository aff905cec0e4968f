import { describe, expect, it } from 'vitest';
import { withoutSecrets } from '../../main/kiosk/page-step';

describe('navigation reports', () => {
  it('never carry a query or fragment (the sign-in comes back with a code in them)', () => {
    expect(withoutSecrets('https://mysignins.microsoft.com/security-info?code=abc#id_token=xyz')).toBe('https://mysignins.microsoft.com/security-info');
    expect(withoutSecrets('http://localhost:4000/sign-in/tap?username=a')).toBe('http://localhost:4000/sign-in/tap');
    expect(withoutSecrets('data:text/html,secret')).toBe('');
    expect(withoutSecrets('nonsense')).toBe('');
  });
});
