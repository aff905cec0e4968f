// The start-up check of the configuration file and the journal folder, with the readers injected (Windows SDDL,
// POSIX stat), and the live Windows call where there is one.
import { describe, expect, it } from 'vitest';
import { checkProtection, nodeProtectionReaders, parseSddlReply, powershellSddl, protectionNote, type ProtectionReaders } from '../../main/kiosk/acl-check';

const KIOSK = 'S-1-5-21-1111111111-2222222222-3333333333-1001';
const GROUP = 'S-1-5-21-1111111111-2222222222-3333333333-1010';
const CONFIG_SDDL = `O:BAG:SYD:AI(A;ID;FA;;;SY)(A;ID;FA;;;BA)(A;ID;0x1200a9;;;${GROUP})`;
const JOURNAL_SDDL = `O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1301bf;;;${GROUP})`;
const PATHS = { configFile: 'C:\\ProgramData\\TAP Kiosk\\config.json', journalFolder: 'C:\\ProgramData\\TAP Kiosk\\audit' };

const windows = (sddl: (string | null)[] | Error): ProtectionReaders => ({
  platform: 'win32',
  uid: -1,
  stat: () => Promise.reject(new Error('not on Windows')),
  readSddl: () => (sddl instanceof Error ? Promise.reject(sddl) : Promise.resolve({ stationSids: [KIOSK, GROUP], sddl })),
});

describe('Windows: owner and ACL read as SDDL', () => {
  it('as the installer leaves them: the station starts', async () => {
    const findings = await checkProtection(PATHS, windows([CONFIG_SDDL, JOURNAL_SDDL]));
    expect(findings).toEqual([]);
    expect(protectionNote(findings)).toBeNull();
  });
  it('Users may read the configuration: the status page names the file and what is loose', async () => {
    const findings = await checkProtection(PATHS, windows([`${CONFIG_SDDL}(A;ID;0x1200a9;;;BU)`, JOURNAL_SDDL]));
    expect(protectionNote(findings)).toEqual({ code: 'config.protection-loose', params: { path: PATHS.configFile, detail: 'others-can-read' } });
  });
  it('the journal folder owned by the kiosk account is loose', async () => {
    const findings = await checkProtection(PATHS, windows([CONFIG_SDDL, JOURNAL_SDDL.replace('O:BA', `O:${KIOSK}`)]));
    expect(findings).toEqual([{ target: 'journal-folder', path: PATHS.journalFolder, problems: ['owner-not-administrators'] }]);
  });
  it('a path not there yet is skipped; a descriptor that cannot be read fails closed', async () => {
    expect(await checkProtection(PATHS, windows([CONFIG_SDDL, null]))).toEqual([]);
    expect(await checkProtection(PATHS, windows(new Error('powershell blocked')))).toEqual([
      { target: 'config-file', path: PATHS.configFile, problems: ['unreadable'] },
      { target: 'journal-folder', path: PATHS.journalFolder, problems: ['unreadable'] },
    ]);
    expect((await checkProtection(PATHS, windows(['O:BAD:(A;;ZZ;;;WD)', JOURNAL_SDDL])))[0]?.problems).toEqual(['unreadable']);
  });
  it("PowerShell's JSON: bare values, missing paths as empty strings, a short answer refused", () => {
    expect(parseSddlReply(JSON.stringify({ stationSids: KIOSK, sddl: [CONFIG_SDDL, ''] }), 2)).toEqual({ stationSids: [KIOSK], sddl: [CONFIG_SDDL, null] });
    expect(() => parseSddlReply(JSON.stringify({ stationSids: [KIOSK], sddl: CONFIG_SDDL }), 2)).toThrow(/unexpected/);
  });
});

describe('Linux: owner and mode', () => {
  const linux = (files: Record<string, { uid: number; mode: number } | null>): ProtectionReaders => ({
    platform: 'linux',
    uid: 1001,
    readSddl: () => Promise.reject(new Error('not Windows')),
    stat: (path) => Promise.resolve(files[path] ?? null),
  });
  const ETC = { configFile: '/etc/tap-kiosk/config.json', journalFolder: '/var/lib/tap-kiosk/audit' };
  it('owned by root or the kiosk user, not writable by others: fine', async () => {
    expect(await checkProtection(ETC, linux({ [ETC.configFile]: { uid: 0, mode: 0o100644 }, [ETC.journalFolder]: { uid: 1001, mode: 0o40750 } }))).toEqual([]);
  });
  it('world-writable configuration, journal owned by someone else: both reported', async () => {
    const findings = await checkProtection(ETC, linux({ [ETC.configFile]: { uid: 0, mode: 0o100666 }, [ETC.journalFolder]: { uid: 1002, mode: 0o40750 } }));
    expect(findings).toEqual([
      { target: 'config-file', path: ETC.configFile, problems: ['others-can-write'] },
      { target: 'journal-folder', path: ETC.journalFolder, problems: ['owner-not-station'] },
    ]);
  });
  it('this machine: a folder this process created passes', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'acl-'));
    writeFileSync(join(dir, 'config.json'), '{}', { mode: 0o640 });
    const readers = nodeProtectionReaders();
    if (readers.platform === 'win32') return;
    expect(await checkProtection({ configFile: join(dir, 'config.json'), journalFolder: dir }, readers)).toEqual([]);
  });
});

const onWindows = process.platform === 'win32';
if (!onWindows) console.log('ACL live test skipped: not Windows');
describe.runIf(onWindows)('Windows: the live PowerShell read', () => {
  it("reads this user's SID and the SDDL of the Windows folder", async () => {
    const read = await powershellSddl([process.env['SystemRoot'] ?? 'C:\\Windows', 'C:\\no such folder']);
    expect(read.stationSids[0]).toMatch(/^S-1-5-/);
    expect(read.sddl[0]).toMatch(/^O:/);
    expect(read.sddl[1]).toBeNull();
  });
});
