// The lifetime range in Graph's refusal, read defensively (issue 10, 3b).
import { describe, expect, it } from 'vitest';
import { LifetimeRangeMemory, lifetimeRangeFromRefusal, lifetimeWithin } from '../../main/tap/lifetime-range';

// The body reported in microsoftgraph/microsoft-graph-docs#12187.
const REPORTED = 'Invalid LifetimeInMinutes specified. The valid range between 60 and 480.';

describe('lifetimeRangeFromRefusal', () => {
  it('reads the range from the reported message, in the error or its cause', () => {
    expect(lifetimeRangeFromRefusal(new Error(REPORTED))).toEqual({ min: 60, max: 480 });
    expect(lifetimeRangeFromRefusal(new Error('refused', { cause: new Error(`Could not create a Temporary Access Pass: ${REPORTED}`) }))).toEqual({
      min: 60,
      max: 480,
    });
  });

  it.each([
    ['no numbers', 'Invalid LifetimeInMinutes specified.'],
    ['one number', 'Invalid LifetimeInMinutes specified. The valid range between 60 and .'],
    ['out of Graph’s bounds', 'Invalid LifetimeInMinutes specified. The valid range between 1 and 999999.'],
    ['reversed', 'Invalid LifetimeInMinutes specified. The valid range between 480 and 60.'],
  ])('a lifetime refusal with %s gives a range without numbers', (_what, message) => {
    expect(lifetimeRangeFromRefusal(new Error(message))).toEqual({ min: null, max: null });
  });

  it('anything else is not a lifetime refusal', () => {
    for (const e of [new Error('Forbidden'), null, 'text', { message: 42 }, new Error('The valid range between 60 and 480.')]) {
      expect(lifetimeRangeFromRefusal(e)).toBeNull();
    }
  });
});

describe('lifetimeWithin and the session memory', () => {
  it('chooses the shortest allowed lifetime for a request below it; never shortens a longer choice; nothing without numbers', () => {
    expect(lifetimeWithin({ min: 60, max: 480 }, 10)).toBe(60);
    expect(lifetimeWithin({ min: 60, max: 480 }, 600)).toBeNull();
    expect(lifetimeWithin({ min: 60, max: 480 }, 90)).toBeNull();
    expect(lifetimeWithin({ min: null, max: null }, 10)).toBeNull();
  });

  it('remembers a range with numbers only', () => {
    const m = new LifetimeRangeMemory();
    m.remember({ min: null, max: null });
    expect(m.get()).toBeNull();
    m.remember({ min: 60, max: 480 });
    expect(m.get()).toEqual({ min: 60, max: 480 });
  });
});
