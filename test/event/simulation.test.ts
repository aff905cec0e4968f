// Ten stations, one 200-person roster, throttling and faults: nobody enrolled twice, nothing left behind.
import { expect, it } from 'vitest';
import { runSimulation } from './simulation';

it('10 stations work a 200-person roster: everyone enrolled once, no replaced or orphan pass, no claim left', async () => {
  const r = await runSimulation({ stations: 10, roster: 200, killStation: true });
  console.log(
    `event simulation: ${r.roster} people, ${(r.graphRequests / r.roster).toFixed(1)} Graph requests per person ` +
      `(${(r.graphHttpRequests / r.roster).toFixed(1)} HTTP calls), ${r.throttled429} × 429, ${r.uncertainClaims} uncertain claims, ` +
      `${r.staleReleasedByOperator} stale released by an operator, ${r.crashRecovered} recovered after the crash, wall ${r.wallMs} ms`,
  );
  expect(r.enrolled).toBe(200);
  expect(r.peopleWithTwoEventPasskeys).toBe(0);
  expect(r.passesReplaced).toBe(0);
  expect(r.orphanPasses).toBe(0);
  expect(r.staleClaims).toBe(0);
  expect(r.crashRecovered).toBe(1);
  expect(r.throttled429).toBeGreaterThan(0);
}, 120_000);
