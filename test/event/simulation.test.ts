// Ten whole stations (createStation, each its own operator sign-in, session and software key), one 200-person
// roster, throttling and faults: nobody enrolled twice, nothing left behind.
//
// Wall time for 10 stations × 200 people on this project's 2-core machine: 77–80 s (test and bench), 150 s while
// shared with other jobs (load average 12); 21 s for 2 stations × 6 people, so about 10 s of it is the emulator,
// Chromium and the sign-ins. That is within the ~3 min budget for CI, so the test runs the full roster, the same
// run `npm run bench -- event` reports.
import { expect, it } from 'vitest';
import { runSimulation } from './simulation';

it('10 whole stations work a 200-person roster: everyone enrolled once, no replaced or orphan pass, no claim left', async () => {
  const r = await runSimulation({ stations: 10, roster: 200, killStation: true });
  console.log(
    `event simulation: ${r.roster} people, ${(r.graphRequests / r.roster).toFixed(1)} Graph requests per person ` +
      `(${(r.graphHttpRequests / r.roster).toFixed(1)} HTTP calls), ${r.claimsLost} claims lost to another station, ${r.throttled429} × 429, ${r.uncertainClaims} uncertain claims, ` +
      `${r.staleReleasedByOperator} stale released by an operator, ${r.crashRecovered} recovered after the crash, ` +
      `${r.enrolments} enrolments, wall ${r.wallMs} ms`,
  );
  expect(r.enrolled).toBe(200);
  expect(r.enrolments).toBe(200);
  expect(r.peopleWithTwoEventPasskeys).toBe(0);
  expect(r.passesReplaced).toBe(0);
  expect(r.orphanPasses).toBe(0);
  expect(r.staleClaims).toBe(0);
  expect(r.crashRecovered).toBe(1);
  expect(r.throttled429).toBeGreaterThan(0);
}, 300_000);
