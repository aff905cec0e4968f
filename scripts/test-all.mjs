#!/usr/bin/env node
// `npm test`: every check and every runner, then one total line over all of them.
// Static checks (type-check, lint) count as one test each; runners report their own counts through JSON reporters.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
const work = mkdtempSync(join(tmpdir(), 'tap-kiosk-test-'));
const only = process.argv.slice(2); // e.g. `npm test -- vitest` runs one step

function run(cmd, args, env = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('close', (code, signal) => resolvePromise(code ?? (signal ? 1 : 0)));
  });
}

async function check(name, cmd, args) {
  console.log(`\n== ${name}: ${cmd} ${args.join(' ')}`);
  const code = await run(cmd, args);
  if (code === 0) totals.passed += 1;
  else {
    totals.failed += 1;
    failures.push(`${name} (exit ${code})`);
  }
}

async function vitest() {
  const out = join(work, 'vitest.json');
  console.log('\n== unit and integration tests: vitest');
  const code = await run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${out}`]);
  if (!existsSync(out)) {
    totals.failed += 1;
    failures.push(`vitest wrote no report (exit ${code})`);
    return;
  }
  const report = JSON.parse(readFileSync(out, 'utf8'));
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += report.numPendingTests + report.numTodoTests;
  // A suite that fails to load has no tests counted: count it as a failure, never as silence.
  const brokenSuites = report.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0);
  totals.failed += brokenSuites.length;
  for (const s of brokenSuites) failures.push(`suite failed to load: ${s.name}`);
  if (report.numFailedTests > 0) failures.push(`vitest: ${report.numFailedTests} failed`);
  if (code !== 0 && report.numFailedTests === 0 && brokenSuites.length === 0) {
    totals.failed += 1;
    failures.push(`vitest exited ${code}`);
  }
}

function hasSpecs(dir) {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith('.spec.ts'));
}

async function playwright() {
  if (!hasSpecs('test/e2e')) return;
  const out = join(work, 'playwright.json');
  console.log('\n== end-to-end tests: playwright (Chromium through the harness; Electron where present)');
  const code = await run('npx', ['playwright', 'test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: out });
  if (!existsSync(out)) {
    totals.failed += 1;
    failures.push(`playwright wrote no report (exit ${code})`);
    return;
  }
  const { stats } = JSON.parse(readFileSync(out, 'utf8'));
  totals.passed += stats.expected + stats.flaky;
  totals.failed += stats.unexpected;
  totals.skipped += stats.skipped;
  if (stats.unexpected > 0) failures.push(`playwright: ${stats.unexpected} failed`);
  if (code !== 0 && stats.unexpected === 0) {
    totals.failed += 1;
    failures.push(`playwright exited ${code}`);
  }
}

const steps = {
  typecheck: () => check('type-check (main, preload, tests against Electron and Node types)', 'npx', ['tsc', '-p', 'tsconfig.json']),
  'typecheck-renderer': () => check('type-check (renderer)', 'npx', ['tsc', '-p', 'renderer/tsconfig.json']),
  lint: () => check('lint', 'npx', ['eslint', '.', '--max-warnings=0']),
  format: () => check('format (prettier --check)', 'npx', ['prettier', '--check', '.']),
  vitest,
  playwright,
};

try {
  for (const [name, step] of Object.entries(steps)) {
    if (only.length === 0 || only.includes(name)) await step();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (failures.length > 0) console.log(`\nFailed: ${failures.join('; ')}`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
