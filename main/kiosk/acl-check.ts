/**
 * At start: are the configuration file and the journal folder protected as the installer leaves them (issue 12,
 * part 4)? If not, the station does not start a session and the station status page says which path is loose and
 * what to do (`config.protection-loose`, common/codes.ts).
 *
 * - Windows: the owner and DACL, as SDDL, judged by acl-policy.ts against the account the app runs as and the
 *   "TAP Kiosk Operators" group the installer grants (build/installer.nsh).
 * - Elsewhere (Linux): `stat`: owned by root or the account the app runs as, and not writable by others.
 *
 * Windows reads through one `powershell.exe` run (`Get-Acl … .Sddl`, the current user's SID, the group's SID), not
 * koffi and `GetNamedSecurityInfoW`: one process at start costs well under a second, there is no native memory to
 * free by hand on the start path, and its output is the same SDDL text the tests feed the decision. No shell: the
 * paths travel in environment variables, never in the command text. If the descriptor cannot be read the check
 * fails closed (`unreadable`): an unprotected journal is what it guards against.
 *
 * Electron-free; the readers are injected, so the decision is tested in Node (test/kiosk/acl-check.test.ts).
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { StationNote } from '../../common/codes';
import { judgeAcl, parseSddl, type AclProblem } from './acl-policy';

export type ProtectionTarget = 'config-file' | 'journal-folder';
export type ProtectionProblem = AclProblem | 'owner-not-station' | 'unreadable';

export interface ProtectionFinding {
  target: ProtectionTarget;
  path: string;
  problems: ProtectionProblem[];
}

/** Windows: each path's SDDL (null: it does not exist; PowerShell answers '') and the SIDs that count as the station's own. */
export type SddlReader = (paths: readonly string[]) => Promise<{ stationSids: string[]; sddl: (string | null)[] }>;
/** Elsewhere: owner and mode of a path (null: it does not exist). */
export type StatReader = (path: string) => Promise<{ uid: number; mode: number } | null>;

export interface ProtectionReaders {
  platform: NodeJS.Platform;
  readSddl: SddlReader;
  stat: StatReader;
  /** The account the app runs as (POSIX uid). */
  uid: number;
}

export const STATION_GROUP = 'TAP Kiosk Operators';

/** What is loose, per path; an empty list when both are as the installer sets them (a path not there is skipped). */
export async function checkProtection(paths: { configFile: string; journalFolder: string }, readers: ProtectionReaders): Promise<ProtectionFinding[]> {
  const targets: [ProtectionTarget, string][] = [
    ['config-file', paths.configFile],
    ['journal-folder', paths.journalFolder],
  ];
  const findings: ProtectionFinding[] = [];
  if (readers.platform === 'win32') {
    let read: Awaited<ReturnType<SddlReader>>;
    try {
      read = await readers.readSddl(targets.map(([, path]) => path));
    } catch {
      return targets.map(([target, path]) => ({ target, path, problems: ['unreadable'] }));
    }
    targets.forEach(([target, path], i) => {
      const sddl = read.sddl[i];
      if (sddl === null || sddl === undefined) return;
      let problems: ProtectionProblem[];
      try {
        problems = judgeAcl(target, parseSddl(sddl), read.stationSids);
      } catch {
        problems = ['unreadable'];
      }
      if (problems.length > 0) findings.push({ target, path, problems });
    });
    return findings;
  }
  for (const [target, path] of targets) {
    let info: Awaited<ReturnType<StatReader>>;
    try {
      info = await readers.stat(path);
    } catch {
      findings.push({ target, path, problems: ['unreadable'] });
      continue;
    }
    if (info === null) continue;
    const problems: ProtectionProblem[] = [];
    if (info.uid !== 0 && info.uid !== readers.uid) problems.push('owner-not-station');
    if (info.mode & 0o002) problems.push('others-can-write');
    if (problems.length > 0) findings.push({ target, path, problems });
  }
  return findings;
}

/** The first finding as the note the station status page shows (null: nothing loose). */
export function protectionNote(findings: readonly ProtectionFinding[]): StationNote | null {
  const first = findings[0];
  if (!first) return null;
  return { code: 'config.protection-loose', params: { path: first.path, detail: first.problems.join(', ') } };
}

// ---------------------------------------------------------------------------------------------------------------
// The real readers.

const PS_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  '$sids = @([System.Security.Principal.WindowsIdentity]::GetCurrent().User.Value)',
  `try { $sids += (New-Object System.Security.Principal.NTAccount('${STATION_GROUP}')).Translate([System.Security.Principal.SecurityIdentifier]).Value } catch {}`,
  '$sddl = @(foreach ($p in ($env:TAPK_ACL_PATHS -split "`n")) { if (Test-Path -LiteralPath $p) { (Get-Acl -LiteralPath $p).Sddl } else { "" } })',
  '@{ stationSids = @($sids); sddl = @($sddl) } | ConvertTo-Json -Compress',
].join('; ');

/** Windows: one `powershell.exe` run, no shell, the paths in an environment variable. */
export const powershellSddl: SddlReader = (paths) =>
  new Promise((resolve, reject) => {
    const exe = join(process.env['SystemRoot'] ?? 'C:\\Windows', 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe');
    execFile(
      exe,
      ['-NoProfile', '-NonInteractive', '-Command', PS_SCRIPT],
      { env: { ...process.env, TAPK_ACL_PATHS: paths.join('\n') }, timeout: 15_000, windowsHide: true, shell: false },
      (error, stdout) => {
        if (error) return reject(error);
        try {
          resolve(parseSddlReply(stdout, paths.length));
        } catch (parseError) {
          reject(parseError instanceof Error ? parseError : new Error(String(parseError)));
        }
      },
    );
  });

/** PowerShell's JSON: one SID or path can arrive as a bare value instead of an array. */
export function parseSddlReply(stdout: string, count: number): { stationSids: string[]; sddl: (string | null)[] } {
  const raw: unknown = JSON.parse(stdout);
  if (typeof raw !== 'object' || raw === null) throw new Error('unexpected reply');
  const { stationSids, sddl } = raw as Record<string, unknown>;
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
  const sids = list(stationSids).filter((s): s is string => typeof s === 'string');
  const descriptors = list(sddl).map((s) => (typeof s === 'string' && s !== '' ? s : null));
  if (sids.length === 0 || descriptors.length !== count) throw new Error('unexpected reply');
  return { stationSids: sids, sddl: descriptors };
}

export const nodeStat: StatReader = async (path) => {
  try {
    const s = await stat(path);
    return { uid: s.uid, mode: s.mode };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
};

/** The readers of this machine. */
export function nodeProtectionReaders(): ProtectionReaders {
  return { platform: process.platform, readSddl: powershellSddl, stat: nodeStat, uid: process.getuid?.() ?? -1 };
}
