// The event section of the station's configuration: checked once, with a reason per field.
import { describe, expect, it } from 'vitest';
import { eventConfigSchema } from '../../main/config';

const valid = {
  name: 'Spring onboarding',
  rosterGroupId: 'e7e70000-0001-4a00-8000-000000000001',
  claimGroupId: 'e7e70000-0002-4a00-8000-000000000002',
  startDateTime: '2026-03-02T08:00:00+01:00',
  modes: ['tap-my-security-info'],
};
const problems = (input: unknown) => {
  const r = eventConfigSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('event configuration', () => {
  it('accepts a complete event and defaults the stale-claim limit to 30 minutes', () => {
    expect(eventConfigSchema.parse(valid).staleClaimMinutes).toBe(30);
  });

  it('refuses the roster as claim group, a time without a zone, no mode, a mode twice, an unknown field', () => {
    expect(problems({ ...valid, claimGroupId: valid.rosterGroupId.toUpperCase() })).toEqual([
      'claimGroupId: must be another group than the roster (membership in it is the claim)',
    ]);
    expect(problems({ ...valid, startDateTime: '2026-03-02T08:00:00' })[0]).toMatch(/^startDateTime: must be an ISO 8601 date and time with a zone/);
    expect(problems({ ...valid, modes: [] })).toEqual(['modes: must name at least one mode']);
    expect(problems({ ...valid, modes: ['provision-at-desk', 'provision-at-desk'] })).toEqual(['modes: must not name a mode twice']);
    expect(problems({ ...valid, rosterGroupId: 'roster' })).toEqual(["rosterGroupId: must be a GUID (the group's Object ID)"]);
    expect(problems({ ...valid, staleClaimMinutes: 2 })[0]).toMatch(/^staleClaimMinutes: must be a whole number of minutes from 5 to 720/);
    expect(problems({ ...valid, extra: true })).toHaveLength(1);
  });
});
