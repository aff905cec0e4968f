import { describe, expect, it, vi } from 'vitest';
import { RANDOM_PIN_DIGITS, randomPin } from '../../main/provision/random-pin';
import { checkNewPin } from '../../main/provision/pin-rules';

vi.mock('node:crypto', async (original) => {
  const real = await original<typeof import('node:crypto')>();
  // A scripted source for the one test that needs it; every other call is the real CSPRNG.
  const script: number[] = [];
  return { ...real, script, randomInt: (max: number) => (script.length ? script.shift()! : real.randomInt(max)) };
});

const text = (b: Uint8Array) => Buffer.from(b).toString('ascii');

describe('the operator-set random PIN', () => {
  it('is digits, at least 8 long, and as long as the key or the policy asks', () => {
    expect(text(randomPin(undefined, undefined))).toMatch(/^[0-9]{8}$/);
    expect(randomPin(4, 6)).toHaveLength(RANDOM_PIN_DIGITS);
    expect(text(randomPin(12, 6))).toMatch(/^[0-9]{12}$/);
    expect(randomPin(4, 10)).toHaveLength(10);
  });

  it('passes the rules a person choosing a PIN must pass, and differs each time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const pin = randomPin(4, undefined);
      expect(checkNewPin(pin, pin, 8)).toBeNull();
      seen.add(text(pin));
    }
    expect(seen.size).toBeGreaterThan(195);
  });

  it('draws again when the digits come out all the same or as a sequence', async () => {
    const crypto = (await import('node:crypto')) as unknown as { script: number[] };
    crypto.script.push(...[1, 1, 1, 1, 1, 1, 1, 1], ...[1, 2, 3, 4, 5, 6, 7, 8], ...[4, 6, 1, 8, 0, 2, 7, 3]);
    expect(text(randomPin(4, undefined))).toBe('46180273');
  });
});
