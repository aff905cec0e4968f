/**
 * "Set up the key here" (issue 13): the station makes the person's passkey on the key at the desk and proves it.
 *
 * - Actions and Graph requests: one run through the web harness (the production station, the emulator on
 *   Microsoft's host names, the built renderer in Chromium, the desk key a full software authenticator that is
 *   touched at once), driven as test/e2e/provision.spec.ts drives it. The operator: Enter on the search, the ID
 *   document seen, "Set up the key". The person: a new key, so the PIN typed on the keyboard and Enter, the same
 *   again and Enter; then (a second run, the same key now with its PIN) the PIN and Enter once; then the touch (counted each time the station shows "touch your key", which it does when the
 *   key asks for a touch: keepalive UPNEEDED). Graph requests are the emulator's log from the search to "done".
 * - The station's own time from "issue" to "proven": the session with the station's provisioning port over the
 *   software authenticator (as test/provision/station.test.ts runs it) against the emulator, the key touched at
 *   once (so no touch time is in it): the operator's "Set up the key" → the PIN pad on screen, plus the person's
 *   PIN sent → done and proven (creation options, makeCredential, the attestation checked, the POST, the proof).
 *   The person's own time between the two is left out. Median of RUNS fresh keys and people (emulator reset).
 */
import { startEmulator, type Emulator } from '../test/emulator';
import { upn } from '../test/directory/support';
import { Fido2Core } from '../test/authenticator/fido2-core';
import { SoftAuthenticator } from '../test/authenticator/soft-authenticator';
import { fido2Info, identified, keysOne } from '../test/enrollment/support/fixtures';
import { openStation, stopStation } from '../test/enrollment/support/station';
import { startHarness, type Harness } from '../test/harness/server';
import { route } from './enrollment-requests.bench';
import { en, Recorder, signInOperator, toPreflight, until } from './desk-actions';
import { median, percentile, type BenchResult } from './bench';

export const title = 'provision';

const PIN = '73914628';
const RUNS = 10;
const MEGAN = upn('megan.bowen');
const MEGAN_ID = '00000000-0000-4000-8000-000000000010';

interface DeskRun {
  op: Recorder;
  person: Recorder;
  graph: number;
  breakdown: string;
}

/** Person arrives → key registered and proven. `newKey`: the key has no PIN yet (the person chooses one, twice). */
async function atTheDesk(h: Harness, newKey: boolean): Promise<DeskRun> {
  const context = await h.browser.newContext();
  const page = await context.newPage();
  const person = new Recorder();
  let lastPhase: string | null = null;
  const off = h.station().handlers.subscribe((state) => {
    const s = state.session;
    const phase = s?.screen === 'provisioning' ? s.phase : null;
    if (phase === 'touch-key' && lastPhase !== 'touch-key') person.note('touch the key');
    lastPhase = phase;
  });
  try {
    await signInOperator(h, page);
    const from = h.emulator.requestLog().length;
    const op = new Recorder();
    await toPreflight(h, page, 'megan', op);
    await op.click(page.getByRole('button', { name: en('mode.provision.action') }), '"Set up the key"');
    await until(h, 'provisioning');
    const pad = page.getByRole('group', { name: en(newKey ? 'provision.pad.choose' : 'provision.pad.enter') });
    await pad.waitFor();
    await pad.focus(); // the pad takes the keyboard on this screen
    await person.type(page, PIN, 'PIN');
    await person.press(page, 'Enter', 'PIN (Enter)');
    if (newKey) {
      await page.getByRole('group', { name: en('provision.pad.again') }).waitFor();
      await person.type(page, PIN, 'PIN again');
      await person.press(page, 'Enter', 'PIN again (Enter)');
    }
    await until(h, 'done');
    await page.getByText(en('outcome.done.proven')).waitFor();
    const graph = h.emulator
      .requestLog()
      .slice(from)
      .filter((r) => r.surface === 'graph');
    const counts = new Map<string, number>();
    for (const r of graph) counts.set(`${r.method} ${route(r.path)}`, (counts.get(`${r.method} ${route(r.path)}`) ?? 0) + 1);
    return { op, person, graph: graph.length, breakdown: [...counts].map(([k, n]) => `${n}× ${k}`).join('; ') };
  } finally {
    off();
    await context.close();
  }
}

/** One provisioning at the session level: ms of the station's own work (mode chosen → pad, PIN sent → proven). */
async function stationTime(emu: Emulator): Promise<{ toPad: number; toProven: number }> {
  emu.reset();
  const core = new Fido2Core({ touch: 'auto' });
  const aaguid = core.profile.aaguid ?? '';
  const st = await openStation(emu, {
    operator: upn('alex.wilber'),
    keys: keysOne(identified(fido2Info({ rk: true, up: true, clientPin: false }, aaguid), 'TOKEN2 FIDO2 Security Key')),
    deskKey: { open: async () => new SoftAuthenticator({ core, capabilities: core.profile.capabilities }) },
  });
  try {
    await st.toPreflight(MEGAN, MEGAN_ID);
    let t0 = performance.now();
    st.send({ type: 'chooseMode', mode: 'provision' });
    const pad = await st.waitFor((s) => s.screen !== 'provisioning' || s.phase === 'set-pin' || s.phase === 'failed');
    const toPad = performance.now() - t0;
    if (pad.screen !== 'provisioning' || pad.phase !== 'set-pin') throw new Error(`no PIN pad: ${JSON.stringify(pad)}`);
    t0 = performance.now();
    st.send({ type: 'submitPin', pin: PIN, confirm: PIN });
    const end = await st.until('done', 'failed');
    const toProven = performance.now() - t0;
    if (end.screen !== 'done' || !end.proven) throw new Error(`not proven: ${JSON.stringify(end)}`);
    return { toPad, toProven };
  } finally {
    await stopStation(st);
    await st.journal.close();
  }
}

export async function run(): Promise<BenchResult[]> {
  const h = await startHarness({ rebuild: 'if-stale', deskKeyCanProvision: true });
  let desk: DeskRun;
  let withPin: DeskRun;
  try {
    desk = await atTheDesk(h, true);
    // The same key, now with the PIN just set (the harness keeps its state across the reset, which clears the emulator).
    await h.reset();
    withPin = await atTheDesk(h, false);
  } finally {
    await h.close();
  }
  const emu = await startEmulator();
  const times: { toPad: number; toProven: number }[] = [];
  try {
    await stationTime(emu); // warm-up: first imports, key generation, TLS
    for (let i = 0; i < RUNS; i++) times.push(await stationTime(emu));
  } finally {
    await emu.close();
  }
  const totals = times.map((t) => t.toPad + t.toProven);
  return [
    {
      name: 'person actions, provision mode (new key)',
      value: desk.person.actions,
      unit: 'count',
      target: { max: 4 }, // at most 3
      detail: `${desk.person.log.join(', ')}; typed ${desk.person.typedLog.join(' + ')}`,
    },
    {
      name: 'person actions, provision mode (key with a PIN)',
      value: withPin.person.actions,
      unit: 'count',
      target: { max: 3 }, // at most 2
      detail: `${withPin.person.log.join(', ')}; typed ${withPin.person.typedLog.join(' + ')}`,
    },
    {
      name: 'operator actions, provision mode (person arrives → key set up)',
      value: desk.op.actions,
      unit: 'count',
      target: { max: 4 }, // at most 3
      detail: desk.op.log.join(', '),
    },
    {
      name: 'Graph requests per provisioned enrollment',
      value: desk.graph,
      unit: 'count',
      target: { max: 9 }, // at most 8
      detail: desk.breakdown,
    },
    {
      name: 'station time "issue" → "proven" (software key, no touch time), median',
      value: median(totals),
      unit: 'ms',
      target: { max: 1000 },
      detail: `${RUNS} runs, p95 ${percentile(totals, 95).toFixed(0)} ms; to the PIN pad ${median(times.map((t) => t.toPad)).toFixed(0)} ms + PIN → proven ${median(times.map((t) => t.toProven)).toFixed(0)} ms`,
    },
  ];
}
