/**
 * Event mode at scale: the simulation of test/event/simulation.ts (10 whole createStation stations, each with its
 * own operator sign-in, session and software key at the desk, a 200-person roster, throttling on, 429 storms,
 * dropped connections, a station killed mid-enrollment and restarted), reported as Graph requests per person,
 * 429s seen and wall time. The test runs a smaller roster to stay within CI's time (simulation.test.ts).
 */
import { runSimulation } from '../test/event/simulation';
import type { BenchResult } from './bench';

export const title = 'event mode: 10 whole stations, 200 people';

export async function run(): Promise<BenchResult[]> {
  const r = await runSimulation({ stations: 10, roster: 200, killStation: true });
  const detail =
    `${r.enrolled}/${r.roster} enrolled, ${r.peopleWithTwoEventPasskeys} twice, ${r.passesReplaced} passes replaced, ` +
    `${r.orphanPasses} orphan passes, ${r.staleClaims} claims left, ${r.crashRecovered} recovered after the crash`;
  return [
    { name: 'Graph requests per person (inside batches counted)', value: Number((r.graphRequests / r.roster).toFixed(1)), unit: 'count', detail },
    { name: 'Graph HTTP calls per person', value: Number((r.graphHttpRequests / r.roster).toFixed(1)), unit: 'count' },
    { name: 'claims lost to another station', value: r.claimsLost, unit: 'count' },
    { name: '429 answers seen', value: r.throttled429, unit: 'count' },
    { name: 'wall time', value: r.wallMs, unit: 'ms', target: { max: 600_000 } },
  ];
}
