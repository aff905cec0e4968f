/**
 * Security key detection: how fast the watcher notices a key coming and going, what idle polling
 * costs, and where the time of one getInfo round trip goes.
 *
 * Keys are software authenticators (the fixture profile yubikey-5-nfc) on the virtual bus, driven through
 * the real watcher, transport, getInfo decoder and identity lookup. The idle cost is measured twice:
 * over the virtual bus (the watcher's own overhead) and over the real node-hid source on this machine.
 */
import { KeyWatcher, type KeyWatcherEvents, type KeyWatcherOptions } from '../main/keys/watcher';
import { NodeHidSource } from '../main/keys/node-hid-source';
import { CtapHidChannel } from '../main/keys/hid/transport';
import { encodeOutputReports, encodePackets, MessageAssembler } from '../main/keys/hid/framing';
import { CtapHidCommand } from '../main/keys/hid/constants';
import { decodeGetInfo, getInfo } from '../main/keys/ctap2/info';
import { VirtualBus } from '../test/authenticator/virtual-bus';
import { SoftAuthenticator } from '../test/authenticator/soft-authenticator';
import { Ctap2Core } from '../test/authenticator/ctap2-core';
import { profile } from '../test/authenticator/profiles';
import { getInfoCbor, softKey, YUBIKEY_5_NFC } from '../test/keys/key-helpers';
import { cpuShareOver, median, percentile, sleep, type BenchResult } from './bench';

export const title = 'keys';

const LATENCY_TARGET_MS = 300;
const IDLE_CPU_TARGET_PCT = 1;
const ITERATIONS = { hotplug: 40, polling: 40 };
const IDLE_SECONDS = 3;
/** Idle windows for node-hid; the median of each figure is reported. */
const IDLE_WINDOWS = 5;

interface IdleWindow {
  /** Share of one core over the window (%). */
  pct: number;
  cpuMs: number;
  wallMs: number;
  scans: number;
}

/** One idle window: the process's CPU time, the wall time, and the scans the watcher made in it. */
async function idleWindow(scans: () => number, ms: number): Promise<IdleWindow> {
  const cpu0 = process.cpuUsage();
  const scans0 = scans();
  const t0 = performance.now();
  await sleep(ms);
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { pct: (cpuMs / wallMs) * 100, cpuMs, wallMs, scans: scans() - scans0 };
}

/**
 * Medians over the windows. CPU per scan: the window's CPU time less the process baseline (measured before any
 * watcher ran), over its scans; NaN when a window made no scan (hot-plug mode does not poll).
 */
export function summarizeIdle(windows: readonly IdleWindow[], baselinePct: number) {
  const perScan = windows.map((w) => (w.scans > 0 ? Math.max(0, w.cpuMs - (baselinePct / 100) * w.wallMs) / w.scans : Number.NaN));
  const perMinute = windows.map((w) => (w.scans / w.wallMs) * 60_000);
  const cpuPerScanMs = median(perScan.filter(Number.isFinite));
  const scansPerMinute = median(perMinute);
  return {
    pct: median(windows.map((w) => w.pct)),
    cpuPerScanMs,
    scansPerMinute,
    /** What the scans alone cost at the measured rate: load inflates neither factor much. */
    scanPct: Number.isFinite(cpuPerScanMs) ? ((cpuPerScanMs * scansPerMinute) / 60_000) * 100 : Number.NaN,
  };
}

function once<K extends keyof KeyWatcherEvents>(watcher: KeyWatcher, event: K, timeoutMs = 5000): Promise<KeyWatcherEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = watcher.on(event, (payload) => {
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/** Plug and unplug a key `n` times; time appearance → identified and removal → detached. */
async function detectionLatency(mode: 'hotplug' | 'polling', n: number, options: KeyWatcherOptions = {}) {
  const bus = new VirtualBus({ hotplug: mode === 'hotplug' });
  const watcher = new KeyWatcher(bus, options);
  await watcher.start();
  const pollMs = watcher.stats().pollIntervalMs;
  const attach: number[] = [];
  const detach: number[] = [];
  const device = softKey(YUBIKEY_5_NFC.profile);
  try {
    for (let i = 0; i < n; i++) {
      // Land at a random phase of the poll cycle, as a user would.
      await sleep(Math.random() * (mode === 'polling' ? pollMs : 20));
      const identified = once(watcher, 'identified');
      let t0 = performance.now();
      const port = bus.plugKey({ device });
      const { identified: key } = await identified;
      attach.push(performance.now() - t0);
      if (key.identity.model !== YUBIKEY_5_NFC.model) throw new Error(`identified as ${key.identity.model}`);

      await sleep(Math.random() * (mode === 'polling' ? pollMs : 20));
      const detached = once(watcher, 'detached');
      t0 = performance.now();
      port.unplug();
      await detached;
      detach.push(performance.now() - t0);
    }
  } finally {
    await watcher.stop();
    bus.reset();
  }
  const detail = `${n} plug/unplug cycles, ${mode === 'polling' ? `poll every ${pollMs} ms` : 'debounced hot-plug events'}`;
  const label = mode === 'hotplug' ? 'hot-plug' : 'polling';
  const target = { max: LATENCY_TARGET_MS };
  return [
    { name: `appear → identified (${label}), median`, value: median(attach), unit: 'ms', detail },
    { name: `appear → identified (${label}), p95`, value: percentile(attach, 95), unit: 'ms', target, detail },
    { name: `remove → detached (${label}), median`, value: median(detach), unit: 'ms', detail },
    { name: `remove → detached (${label}), p95`, value: percentile(detach, 95), unit: 'ms', target, detail },
  ] satisfies BenchResult[];
}

async function idleCost(): Promise<BenchResult[]> {
  const baseline = await cpuShareOver(1000);

  const bus = new VirtualBus({ hotplug: false });
  const virtualWatcher = new KeyWatcher(bus);
  await virtualWatcher.start();
  await sleep(200);
  const listsBefore = bus.calls.list;
  const virtual = await cpuShareOver(IDLE_SECONDS * 1000);
  const scans = bus.calls.list - listsBefore;
  const virtualPoll = virtualWatcher.stats().pollIntervalMs;
  await virtualWatcher.stop();

  const source = new NodeHidSource();
  const realWatcher = new KeyWatcher(source);
  const results: BenchResult[] = [
    {
      name: 'idle polling CPU, virtual bus',
      value: virtual,
      unit: '%',
      target: { max: IDLE_CPU_TARGET_PCT },
      detail: `% of one core over ${IDLE_SECONDS} s, ${scans} scans at ${virtualPoll} ms; process baseline ${baseline.toFixed(3)} %`,
    },
  ];
  try {
    await realWatcher.start();
    await sleep(500); // let hot-plug report ready/unavailable and the poll rhythm settle
    const devices = (await source.list()).length;
    // A loaded machine inflates a share of wall time, not the work per scan: several windows, the median of each
    // figure, and CPU time per scan and scans per minute beside the percentage.
    const windows: IdleWindow[] = [];
    for (let i = 0; i < IDLE_WINDOWS; i += 1) windows.push(await idleWindow(() => realWatcher.stats().scans, IDLE_SECONDS * 1000));
    const stats = realWatcher.stats();
    const hotplug = source.hotplugStatus();
    const summary = summarizeIdle(windows, baseline);
    const conditions = `${devices} HID devices, ${stats.mode} mode, poll every ${stats.pollIntervalMs} ms; hot-plug ${hotplug.status}`;
    results.push(
      {
        name: 'idle polling CPU, node-hid on this machine',
        value: summary.pct,
        unit: '%',
        target: { max: IDLE_CPU_TARGET_PCT },
        detail: `median of ${IDLE_WINDOWS} × ${IDLE_SECONDS} s windows (${windows.map((w) => w.pct.toFixed(2)).join(', ')} %); ${conditions}; process baseline ${baseline.toFixed(3)} %`,
      },
      {
        name: 'idle polling CPU time per scan, node-hid',
        value: summary.cpuPerScanMs,
        unit: 'ms',
        detail: `median over the windows, process baseline subtracted; enumeration wall time ${stats.listCostMs.toFixed(2)} ms`,
      },
      {
        name: 'idle polling scans per minute, node-hid',
        value: summary.scansPerMinute,
        unit: 'count',
        detail: `median; at this rate the scans alone cost ${summary.scanPct.toFixed(3)} % of a core (per-scan CPU × rate)`,
      },
    );
  } catch (e) {
    results.push({ name: 'idle polling CPU, node-hid on this machine', value: Number.NaN, unit: '%', detail: `node-hid unavailable: ${String(e)}` });
  } finally {
    await realWatcher.stop();
  }
  return results;
}

/** One getInfo round trip through transport + soft authenticator, against framing and CBOR decode alone. */
async function getInfoRoundTrip(): Promise<BenchResult[]> {
  const authenticator = new SoftAuthenticator({ core: new Ctap2Core(profile(YUBIKEY_5_NFC.profile)) });
  const channel = await CtapHidChannel.open(authenticator);
  const rounds: number[] = [];
  try {
    for (let i = 0; i < 50; i++) await getInfo(channel); // warm-up (JIT)
    for (let i = 0; i < 500; i++) {
      const t0 = performance.now();
      await getInfo(channel);
      rounds.push(performance.now() - t0);
    }
  } finally {
    await channel.close();
  }

  // The same bytes through framing only: request out, authenticator reassembles it, response out,
  // host reassembles it. No I/O, no timers, no CBOR.
  const cbor = getInfoCbor(YUBIKEY_5_NFC.profile);
  const response = Uint8Array.from([0x00, ...cbor]);
  const request = Uint8Array.of(0x04);
  const cid = 0x0a0b0001;
  const framingOnce = () => {
    const reports = encodeOutputReports(cid, CtapHidCommand.Cbor, request);
    const atDevice = new MessageAssembler();
    for (const r of reports) atDevice.push(r.subarray(1));
    const atHost = new MessageAssembler();
    for (const p of encodePackets(cid, CtapHidCommand.Cbor, response)) atHost.push(p);
  };
  const perCall = (fn: () => void, batch: number): number[] => {
    for (let i = 0; i < batch; i++) fn();
    const samples: number[] = [];
    for (let s = 0; s < 30; s++) {
      const t0 = performance.now();
      for (let i = 0; i < batch; i++) fn();
      samples.push((performance.now() - t0) / batch);
    }
    return samples;
  };
  const framing = perCall(framingOnce, 2000);
  const decode = perCall(() => decodeGetInfo(cbor), 500);

  const rtt = median(rounds);
  const packets = encodePackets(cid, CtapHidCommand.Cbor, response).length;
  return [
    {
      name: 'getInfo round trip (soft authenticator), median',
      value: rtt * 1000,
      unit: 'µs',
      detail: `500 calls, ${response.length}-byte answer in ${packets} reports`,
    },
    { name: 'getInfo round trip (soft authenticator), p95', value: percentile(rounds, 95) * 1000, unit: 'µs' },
    {
      name: 'framing alone (encode + reassemble both ways)',
      value: median(framing) * 1000,
      unit: 'µs',
      detail: `${((median(framing) / rtt) * 100).toFixed(1)} % of the round trip`,
    },
    { name: 'getInfo CBOR decode alone', value: median(decode) * 1000, unit: 'µs', detail: `${((median(decode) / rtt) * 100).toFixed(1)} % of the round trip` },
  ];
}

export async function run(): Promise<BenchResult[]> {
  return [
    ...(await detectionLatency('hotplug', ITERATIONS.hotplug)),
    ...(await detectionLatency('polling', ITERATIONS.polling)),
    ...(await idleCost()),
    ...(await getInfoRoundTrip()),
  ];
}
