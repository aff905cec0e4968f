/**
 * Graph requests per successful enrollment, counted by the emulator's request log: the whole station session
 * (test/enrollment/support/station.ts: the real EnrollmentSession, gateway, journal, issuer, deletion queue and
 * completion watch) from the operator's search to "done", with the person at the desk taking 3 minutes from
 * the pass on screen to the key registered (simulated clock: sign-in after 1 minute, key after 3).
 *
 * Two runs: the emulator's My Security Info pages in the view (their step markers tell the station "signed in"
 * and "done"), and a view that reports nothing (as with real Microsoft pages whose "done" is invisible), where
 * the station learns everything by polling. Target: at most 12 either way. The breakdown per route is printed.
 */
import { startEmulator, type Emulator } from '../test/emulator';
import { upn } from '../test/directory/support';
import { DeskUser, FakeView, openStation } from '../test/enrollment/support/station';
import type { BenchResult } from './bench';

export const title = 'enrollment requests';

const TARGET = 12;
const USER = upn('adele.vance');

/** A Graph path with its ids replaced, for a breakdown per route. */
export function route(path: string): string {
  return path
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '{id}')
    .replace(/\/v1\.0/, '')
    .replace(/authenticationMethodConfigurations\/\w+/, 'authenticationMethodConfigurations/{method}');
}

async function enrollment(emu: Emulator, viewReportsSteps: boolean): Promise<{ total: number; breakdown: string }> {
  emu.reset();
  const st = await openStation(emu);
  try {
    const from = emu.requestLog().length;
    const handover = await st.toHandover(USER);
    st.send({ type: 'handedOver' });
    const user = new DeskUser(emu, viewReportsSteps ? st.view : new FakeView(), USER);
    await st.time.advance(60_000);
    emu.advanceClock(1);
    await user.signIn(handover.pass);
    await st.time.advance(120_000);
    emu.advanceClock(2);
    user.registerKey();
    if (viewReportsSteps) {
      // "done" in the view triggers the poll that finds the key (no timer involved).
      await st.until('done', 'timed-out', 'failed');
    } else {
      // Each advance runs the polls that fall due, HTTP included, before it returns.
      for (let i = 0; i < 20 && ['waiting-for-sign-in', 'registering'].includes(st.current().screen); i += 1) await st.time.advance(15_000);
    }
    const end = await st.until('done', 'timed-out', 'failed');
    if (end.screen !== 'done') throw new Error(`enrollment did not complete (${end.screen})`);
    const graph = emu
      .requestLog()
      .slice(from)
      .filter((r) => r.surface === 'graph');
    const counts = new Map<string, number>();
    for (const r of graph) {
      const key = `${r.method} ${route(r.path)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const breakdown = [...counts].map(([k, n]) => `${n}× ${k}`).join('; ');
    return { total: graph.length, breakdown };
  } finally {
    const stopping = st.session.stop();
    await st.time.advance(5_000);
    await stopping;
    await st.journal.close();
  }
}

export async function run(): Promise<BenchResult[]> {
  const emu = await startEmulator();
  try {
    const withSteps = await enrollment(emu, true);
    const silent = await enrollment(emu, false);
    process.stderr.write(`\n  with view steps: ${withSteps.breakdown}\n  without: ${silent.breakdown}\n`);
    return [
      {
        name: 'Graph requests per enrollment (3-minute user, view reports steps)',
        value: withSteps.total,
        unit: 'count',
        target: { max: TARGET + 1 },
        detail: withSteps.breakdown,
      },
      {
        name: 'Graph requests per enrollment (3-minute user, view silent: polling only)',
        value: silent.total,
        unit: 'count',
        target: { max: TARGET + 1 },
        detail: silent.breakdown,
      },
    ];
  } finally {
    await emu.close();
  }
}
