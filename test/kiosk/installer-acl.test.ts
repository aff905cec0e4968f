// The Windows installer's ACL (build/installer.nsh), derived from its icacls lines and judged by the same decision
// the app makes at start (main/kiosk/acl-policy.ts). A looser grant planted into the script must be refused.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { judgeAcl, parseSddl } from '../../main/kiosk/acl-policy';
import { STATION_GROUP } from '../../main/kiosk/acl-check';

const SCRIPT = readFileSync(new URL('../../build/installer.nsh', import.meta.url), 'utf8');
const GROUP_SID = 'S-1-5-21-1111111111-2222222222-3333333333-1010';
/** %ProgramData%'s default ACL, as a folder under it inherits it (Users read, Authenticated Users write). */
const PROGRAMDATA = ['(A;OICI;FA;;;SY)', '(A;OICI;FA;;;BA)', '(A;OICI;0x1200a9;;;BU)', '(A;CI;0x116;;;AU)'].map(parseAce);

interface Ace {
  flags: string[];
  rights: string;
  sid: string;
}
interface Node {
  owner: string;
  inherits: boolean;
  explicit: Ace[];
}

function parseAce(text: string): Ace {
  const [, flags = '', rights = '', , , sid = ''] = text.slice(1, -1).split(';');
  return { flags: flags.match(/../g) ?? [], rights, sid };
}

const RIGHTS: Record<string, string> = { F: 'FA', M: '0x1301bf', RX: '0x1200a9', R: 'FR', W: 'FW' };
const SIDS: Record<string, string> = { '*S-1-5-32-544': 'BA', '*S-1-5-18': 'SY', '*S-1-5-32-545': 'BU', '*S-1-1-0': 'WD', [STATION_GROUP]: GROUP_SID };

/** `name:(OI)(CI)RX` → an ACE. */
function grant(arg: string): Ace {
  const m = /^(.+?):((?:\((?:OI|CI|IO|NP)\))*)\(?([A-Z]+)\)?$/.exec(arg);
  if (!m) throw new Error(`cannot read grant ${arg}`);
  const sid = SIDS[m[1] ?? ''];
  const rights = RIGHTS[m[3] ?? ''];
  if (!sid || !rights) throw new Error(`unknown principal or right in ${arg}`);
  return { flags: [...(m[2] ?? '').matchAll(/\((..)\)/g)].map((f) => f[1] ?? ''), rights, sid };
}

/** Runs the script's icacls lines on a model of `TAP Kiosk`, `TAP Kiosk\audit` and `TAP Kiosk\config.json`. */
function deriveAcls(script: string): { config: string; journal: string } {
  const nodes: Record<string, Node> = {
    root: { owner: 'S-1-5-21-1-1-1-500', inherits: true, explicit: [] },
    audit: { owner: 'S-1-5-21-1-1-1-500', inherits: true, explicit: [] },
    config: { owner: 'S-1-5-21-1-1-1-500', inherits: true, explicit: [] },
  };
  const lines = script.split('\n').filter((l) => !l.trim().startsWith(';') && l.includes('icacls.exe'));
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    const args = [...line.slice(line.indexOf('icacls.exe"') + 11).matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
    const path = args.shift()?.replace(/^\$0\\/, '') ?? '';
    const targets = path === 'TAP Kiosk' ? ['root'] : path === 'TAP Kiosk\\audit' ? ['audit'] : path === 'TAP Kiosk\\*' ? ['audit', 'config'] : [];
    expect(targets, `icacls on an unknown path: ${path}`).not.toEqual([]);
    const recursive = args.includes('/T');
    const affected = recursive && targets.includes('root') ? ['root', 'audit', 'config'] : targets;
    for (let i = 0; i < args.length; i += 1) {
      const a = args[i] ?? '';
      if (a === '/setowner') {
        const owner = SIDS[args[++i] ?? ''] ?? 'unknown';
        for (const n of affected) nodes[n]!.owner = owner;
      } else if (a === '/inheritance:r') for (const n of targets) nodes[n]!.inherits = false;
      else if (a === '/inheritance:e') for (const n of targets) nodes[n]!.inherits = true;
      else if (a === '/reset') for (const n of affected) Object.assign(nodes[n]!, { inherits: true, explicit: [] });
      else if (a === '/grant:r' || a === '/grant') {
        while (args[i + 1] && !args[i + 1]!.startsWith('/')) {
          const ace = grant(args[++i]!);
          for (const n of targets) {
            const node = nodes[n]!;
            node.explicit = [...node.explicit.filter((e) => a === '/grant' || e.sid !== ace.sid), ace];
          }
        }
      }
    }
  }
  const effective = (name: string, parent: Ace[], folder: boolean): Ace[] => {
    const node = nodes[name]!;
    const inherited = node.inherits
      ? parent.filter((a) => a.flags.includes(folder ? 'CI' : 'OI')).map((a) => ({ ...a, flags: [...(folder ? a.flags.filter((f) => f !== 'IO') : []), 'ID'] }))
      : [];
    return [...node.explicit, ...inherited];
  };
  const rootAces = effective('root', PROGRAMDATA, true);
  const sddl = (name: string, aces: Ace[]) =>
    `O:${nodes[name]!.owner}G:SYD:${nodes[name]!.inherits ? 'AI' : 'PAI'}${aces.map((a) => `(A;${a.flags.join('')};${a.rights};;;${a.sid})`).join('')}`;
  return { config: sddl('config', effective('config', rootAces, false)), journal: sddl('audit', effective('audit', rootAces, true)) };
}

const judge = (script: string) => {
  const acl = deriveAcls(script);
  return {
    config: judgeAcl('config-file', parseSddl(acl.config), GROUP_SID).sort(),
    journal: judgeAcl('journal-folder', parseSddl(acl.journal), GROUP_SID).sort(),
  };
};

describe("the installer's ACL on %ProgramData%\\TAP Kiosk", () => {
  it('is wired into the NSIS build as the customInstall include', () => {
    expect(readFileSync(new URL('../../electron-builder.yml', import.meta.url), 'utf8')).toMatch(/^\s+include: build\/installer\.nsh$/m);
    expect(SCRIPT).toMatch(/^!macro customInstall$/m);
  });

  it('as written: the configuration file and the journal folder pass the check the app makes at start', () => {
    expect(judge(SCRIPT)).toEqual({ config: [], journal: [] });
    // And the kiosk group can actually do its job: read the configuration, write the journal.
    const acl = deriveAcls(SCRIPT);
    expect(acl.config).toContain(`0x1200a9;;;${GROUP_SID}`);
    expect(acl.journal).toContain(`0x1301bf;;;${GROUP_SID}`);
  });

  it.each([
    [
      'Users may read (planted grant)',
      (s: string) => s.replace('"TAP Kiosk Operators:(OI)(CI)RX"', '"TAP Kiosk Operators:(OI)(CI)RX" *S-1-5-32-545:(OI)(CI)R'),
      { config: ['others-can-read'], journal: [] },
    ],
    [
      'inheritance from ProgramData kept',
      (s: string) => s.replace('"$0\\TAP Kiosk" /inheritance:r ', '"$0\\TAP Kiosk" '),
      { config: ['others-can-read'], journal: [] },
    ],
    [
      'the kiosk group has full control of the journal',
      (s: string) => s.replace('"TAP Kiosk Operators:(OI)(CI)M"', '"TAP Kiosk Operators:(OI)(CI)F"'),
      { config: [], journal: ['station-can-change-permissions'] },
    ],
    [
      'the kiosk group may modify the configuration',
      (s: string) => s.replace('"TAP Kiosk Operators:(OI)(CI)RX"', '"TAP Kiosk Operators:(OI)(CI)M"'),
      { config: ['station-can-write-config'], journal: [] },
    ],
    ['no owner set', (s: string) => s.replace(/^.*\/setowner.*$/m, ''), { config: ['owner-not-administrators'], journal: ['owner-not-administrators'] }],
  ] as const)('%s: refused', (_what, plant, expected) => {
    const planted = plant(SCRIPT);
    expect(planted).not.toBe(SCRIPT);
    expect(judge(planted)).toEqual(expected);
  });

  it('the order matters: a reset after the journal folder ACL would leave the kiosk unable to write its journal', () => {
    const lines = SCRIPT.split('\n');
    const [reset] = lines.splice(
      lines.findIndex((l) => l.includes('/reset')),
      1,
    );
    const journalLine = lines.findIndex((l) => l.includes('TAP Kiosk\\audit" /inheritance:r'));
    lines.splice(journalLine + 1, 0, reset ?? '');
    expect(deriveAcls(lines.join('\n')).journal).not.toContain(`0x1301bf;;;${GROUP_SID}`);
    expect(deriveAcls(SCRIPT).journal).toContain(`0x1301bf;;;${GROUP_SID}`);
  });
});
