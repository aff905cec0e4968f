import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditEvents as e } from '../../main/audit';
import { main } from '../../main/audit/cli';
import { appendAll, enrollment, journalFiles, open, operator, steppingClock, tempFolder } from './helpers';

let folder: string;
let cleanup: () => void;
beforeEach(() => ({ folder, cleanup } = tempFolder()));
afterEach(() => cleanup());

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (t) => out.push(t),
    (t) => err.push(t),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function journalWithOneEnrollment(): Promise<string> {
  const journal = await open(folder, { now: steppingClock().now });
  await journal.append(e.operatorSignedIn({ operator, roles: [] }));
  await appendAll(journal, enrollment().events);
  await journal.close();
  return journalFiles(folder)[0] ?? '';
}

/** The real thing, through npm and tsx, for the exit code a script or scheduler would see. */
function npmAudit(args: string[], env: Record<string, string> = {}) {
  return spawnSync('npm', ['run', '--silent', 'audit', '--', ...args], {
    cwd: join(__dirname, '../..'),
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

describe('npm run audit', () => {
  it('verify: exit 0 and a summary for an intact journal', async () => {
    await journalWithOneEnrollment();
    const { code, out } = await run('verify', '--folder', folder);
    expect(code).toBe(0);
    expect(out).toBe(`audit journal OK: ${folder}\n  ENROLL-01: 12 records in 1 files, last seq 12`);
  });

  it('verify: exit 1 naming the file and line of an edit', async () => {
    const file = await journalWithOneEnrollment();
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[3] = (lines[3] ?? '').replace('YubiKey 5 NFC', 'YubiKey 5 NFD');
    writeFileSync(file, lines.join('\n'));
    const { code, err } = await run('verify', '--folder', folder);
    expect(code).toBe(1);
    expect(err).toBe(`audit journal BROKEN (edited): ${file} line 4: record seq 4 was changed after it was written (its hash no longer matches)`);
  });

  it('export --csv: the day as CSV on stdout', async () => {
    await journalWithOneEnrollment();
    const { code, out } = await run('export', '--csv', '--day', '2026-03-02', '--folder', folder);
    expect(code).toBe(0);
    const lines = out.split('\r\n');
    expect(lines[0]).toMatch(/^station,enrollment,operator,user,/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(',anna.muster@contoso.com,');
    expect(lines[1]).toMatch(/,registered,/);
  });

  it('usage mistakes exit 2 with the usage', async () => {
    expect(await run('export', '--folder', folder)).toMatchObject({ code: 2, err: expect.stringContaining('export needs --csv') });
    expect(await run('export', '--csv', '--day', '2.3.2026', '--folder', folder)).toMatchObject({ code: 2, err: '--day must be YYYY-MM-DD, got "2.3.2026"' });
    expect(await run('frobnicate')).toMatchObject({ code: 2, err: expect.stringContaining('usage:') });
    expect(await run('verify', '--bogus')).toMatchObject({ code: 2, err: expect.stringContaining("Unknown option '--bogus'") });
    expect(await run('verify', '--folder', join(folder, 'nope'))).toMatchObject({ code: 2, err: expect.stringContaining('audit folder cannot be read') });
  });

  it('through npm: the configured audit folder by default, exit 0 when intact and 1 when truncated', async () => {
    const file = await journalWithOneEnrollment();
    const config = join(folder, 'config.json');
    const sample = JSON.parse(readFileSync(join(__dirname, '../../config/sample-config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(config, JSON.stringify({ ...sample, auditFolder: folder }));
    const ok = npmAudit(['verify'], { TAP_KIOSK_CONFIG: config });
    expect(ok.stdout).toContain(`audit journal OK: ${folder}`);
    expect(ok.status).toBe(0);

    writeFileSync(file, readFileSync(file, 'utf8').split('\n').slice(0, 6).join('\n') + '\n');
    const broken = npmAudit(['verify', '--folder', folder]);
    expect(broken.stderr).toContain(`audit journal BROKEN (truncated): ${file}: the journal ends at seq 6`);
    expect(broken.status).toBe(1);

    const noConfig = npmAudit(['verify'], { TAP_KIOSK_CONFIG: join(folder, 'missing.json') });
    expect(noConfig.status).toBe(2);
    expect(noConfig.stderr).toContain(`config ${join(folder, 'missing.json')}: file not found`);
    expect(noConfig.stderr).toContain('(or pass --folder)');
  });
});
