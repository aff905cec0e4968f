/**
 * `npm run bench [-- <name>...] [--strict]`: run every bench/*.bench.ts (or the named ones) and print
 * one table of measured values against their targets.
 *
 * Each bench file runs in a child process of its own, so that one bench's heap, garbage and leftover timers do not
 * land in the next one's measurements (the idle-CPU bench after the enrollment benches measured their garbage
 * collection: 1.9 % in a shared process, 0.16 % alone).
 *
 * Exit code: 1 when a bench module throws; with --strict also when any target is missed.
 */
import { fork } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { verdict, type BenchModule, type BenchResult } from './bench';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const strict = args.includes('--strict');
const childFile = args[0] === '--child' ? args[1] : undefined;
const only = args.filter((a) => !a.startsWith('--'));

type ChildReply = { ok: true; title: string; results: BenchResult[] } | { ok: false; error: string };

function isBenchModule(m: unknown): m is BenchModule {
  return typeof m === 'object' && m !== null && typeof (m as { run?: unknown }).run === 'function';
}

/** In the child: run one bench file, send its results to the parent, exit (whatever timers it left behind). */
async function runChild(file: string): Promise<void> {
  let reply: ChildReply;
  try {
    const mod: unknown = await import(pathToFileURL(join(here, file)).href);
    if (!isBenchModule(mod)) throw new Error(`${file} does not export run()`);
    reply = { ok: true, title: mod.title ?? basename(file, '.bench.ts'), results: await mod.run() };
  } catch (e) {
    reply = { ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  await new Promise<void>((resolve) => process.send?.(reply, () => resolve()));
  process.exit(0);
}

/** In the parent: one child process per bench file (same Node options, so the TypeScript loader too). */
function runInChild(file: string): Promise<ChildReply> {
  return new Promise((resolve) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', file], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let reply: ChildReply | null = null;
    child.on('message', (m) => (reply = m as ChildReply));
    child.on('exit', (code, signal) => resolve(reply ?? { ok: false, error: `the bench process ended (${signal ?? `exit ${String(code)}`}) without results` }));
  });
}

if (childFile !== undefined) await runChild(childFile);

const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.includes(basename(f, '.bench.ts')))
  .sort();

if (files.length === 0) {
  console.error(only.length ? `no bench named ${only.join(', ')} in bench/` : 'no bench/*.bench.ts found');
  process.exit(1);
}

interface Row {
  bench: string;
  result?: BenchResult;
  error?: string;
}

function format(value: number, unit: string): string {
  if (!Number.isFinite(value)) return String(value);
  if (unit === 'count' && Number.isInteger(value)) return `${value} ${unit}`;
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return `${value.toFixed(digits)} ${unit}`;
}

function formatTarget(r: BenchResult): string {
  if (!r.target) return '';
  // A whole count below n is "at most n - 1", as the issues state their targets.
  if (r.unit === 'count' && 'max' in r.target && Number.isInteger(r.target.max)) return `<= ${format(r.target.max - 1, r.unit)}`;
  return 'max' in r.target ? `< ${format(r.target.max, r.unit)}` : `>= ${format(r.target.min, r.unit)}`;
}

const rows: Row[] = [];
const started = performance.now();
for (const file of files) {
  const name = basename(file, '.bench.ts');
  const t0 = performance.now();
  process.stderr.write(`running ${name} ... `);
  const reply = await runInChild(file);
  if (reply.ok) {
    for (const result of reply.results) rows.push({ bench: reply.title, result });
    process.stderr.write(`${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  } else {
    rows.push({ bench: name, error: reply.error });
    process.stderr.write('failed\n');
  }
}

const table = rows.map((row) =>
  row.result
    ? [row.bench, row.result.name, format(row.result.value, row.result.unit), formatTarget(row.result), verdict(row.result), row.result.detail ?? '']
    : [row.bench, 'ERROR', '', '', 'ERROR', (row.error ?? '').split('\n')[0] ?? ''],
);
const header = ['bench', 'measure', 'measured', 'target', 'verdict', 'detail'];
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) =>
  cells
    .map((c, i) => c.padEnd(widths[i] ?? 0))
    .join('  ')
    .trimEnd();

console.log('');
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const r of table) console.log(line(r));

const misses = rows.filter((r) => r.result && verdict(r.result) === 'MISS').length;
const errors = rows.filter((r) => r.error);
const targets = rows.filter((r) => r.result?.target).length;
console.log('');
console.log(
  `${targets - misses}/${targets} targets met, ${errors.length} error(s), ${((performance.now() - started) / 1000).toFixed(1)} s` +
    ` (node ${process.version}, ${process.platform}/${process.arch})`,
);
for (const e of errors) console.error(`\n${e.bench}:\n${e.error}`);
process.exitCode = errors.length > 0 || (strict && misses > 0) ? 1 : 0;
