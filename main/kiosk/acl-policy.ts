/**
 * Whether the configuration file and the journal folder are protected as the installer sets them (issue 12,
 * part 4): owned by Administrators or SYSTEM; Administrators and SYSTEM may do anything; the station's own
 * account may read the configuration and write the journal folder, and may not change either's permissions;
 * nobody else may read or write. Electron-free and platform-free: the security descriptor arrives as an SDDL
 * string (Windows `ConvertSecurityDescriptorToStringSecurityDescriptorW`, or `(Get-Acl).Sddl`), so the decision
 * is tested in Node. Read and applied at start by acl-check.ts; the installer's ACL is build/installer.nsh.
 *
 * SDDL format: Microsoft Learn, "Security Descriptor String Format" and "ACE Strings"
 * (https://learn.microsoft.com/windows/win32/secauthz/security-descriptor-string-format, .../ace-strings).
 */

export interface Ace {
  type: 'allow' | 'deny' | 'other';
  /** Inherit-only ACEs grant nothing on the object itself, only on what is created in it. */
  inheritOnly: boolean;
  /** The access mask, SDDL letters resolved. */
  mask: number;
  sid: string;
}

export interface SecurityDescriptor {
  owner: string | null;
  /** null: no DACL at all, which grants everyone everything. */
  dacl: Ace[] | null;
}

/** SDDL SID abbreviations used here (Microsoft Learn, "SID Strings"). */
const SID_ALIASES: Record<string, string> = {
  BA: 'S-1-5-32-544',
  SY: 'S-1-5-18',
  WD: 'S-1-1-0',
  AU: 'S-1-5-11',
  BU: 'S-1-5-32-545',
  CO: 'S-1-3-0',
  IU: 'S-1-5-4',
  AN: 'S-1-5-7',
  LS: 'S-1-5-19',
  NS: 'S-1-5-20',
};
/** Administrators, SYSTEM, TrustedInstaller: may do anything. */
export const TRUSTED_SIDS = new Set(['S-1-5-32-544', 'S-1-5-18', 'S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464']);
const CREATOR_OWNER = 'S-1-3-0';

const RIGHTS: Record<string, number> = {
  GA: 0x10000000,
  GR: 0x80000000,
  GW: 0x40000000,
  GX: 0x20000000,
  RC: 0x20000,
  SD: 0x10000,
  WD: 0x40000,
  WO: 0x80000,
  FA: 0x1f01ff,
  FR: 0x120089,
  FW: 0x120116,
  FX: 0x1200a0,
  CC: 0x1,
  DC: 0x2,
  LC: 0x4,
  SW: 0x8,
  RP: 0x10,
  WP: 0x20,
  DT: 0x40,
  LO: 0x80,
  CR: 0x100,
};

const READ = 0x1 | 0x8 | 0x80000000 | 0x10000000; // read data / list, read EA, generic read, generic all
const WRITE = 0x2 | 0x4 | 0x10 | 0x40 | 0x100 | 0x10000 | 0x40000000 | 0x10000000; // write/append data, EA, delete child, attributes, DELETE, generic write/all
const CHANGE_ACL = 0x40000 | 0x80000 | 0x10000000; // WRITE_DAC, WRITE_OWNER, generic all

const sidOf = (s: string) => SID_ALIASES[s.toUpperCase()] ?? s.toUpperCase();

function parseRights(text: string): number {
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text, 16) >>> 0;
  let mask = 0;
  for (let i = 0; i < text.length; i += 2) {
    const bits = RIGHTS[text.slice(i, i + 2).toUpperCase()];
    if (bits === undefined) throw new Error(`unknown SDDL right ${text.slice(i, i + 2)}`);
    mask = (mask | bits) >>> 0;
  }
  return mask;
}

/** Parses the owner and DACL of an SDDL string (group and SACL are ignored). Throws on what it cannot read. */
export function parseSddl(sddl: string): SecurityDescriptor {
  const owner = /(?:^|\))?O:([A-Z]{2}|S-[0-9-]+)/i.exec(sddl)?.[1];
  const d = /D:([A-Z_]*)((?:\([^)]*\))*)/i.exec(sddl);
  let dacl: Ace[] | null = null;
  if (d && !/^NO_ACCESS_CONTROL$/i.test(d[1] ?? '')) {
    dacl = [...(d[2] ?? '').matchAll(/\(([^)]*)\)/g)].map((m) => {
      const [type = '', flags = '', rights = '', , , sid = ''] = (m[1] ?? '').split(';');
      return {
        type: type.toUpperCase() === 'A' ? 'allow' : type.toUpperCase() === 'D' ? 'deny' : 'other',
        inheritOnly: /IO/i.test(flags),
        mask: parseRights(rights),
        sid: sidOf(sid),
      };
    });
  }
  return { owner: owner ? sidOf(owner) : null, dacl };
}

export type AclProblem =
  'owner-not-administrators' | 'no-dacl' | 'others-can-read' | 'others-can-write' | 'station-can-write-config' | 'station-can-change-permissions';

/**
 * What is loose about one object: `config-file` (the station's account may read it), `journal-folder` (the
 * station's account may write in it). `stationSid`: the account the app runs as, or several (its own SID and the
 * "TAP Kiosk Operators" group the installer grants, build/installer.nsh). Deny ACEs only take away, so a
 * loose allow is reported even if a deny narrows it (the installer writes no deny ACEs).
 */
export function judgeAcl(target: 'config-file' | 'journal-folder', sd: SecurityDescriptor, stationSid: string | readonly string[]): AclProblem[] {
  const problems = new Set<AclProblem>();
  const station = new Set((typeof stationSid === 'string' ? [stationSid] : stationSid).map((sid) => sid.toUpperCase()));
  if (!sd.owner || !TRUSTED_SIDS.has(sd.owner)) problems.add('owner-not-administrators');
  if (sd.dacl === null) return [...problems, 'no-dacl'];
  for (const ace of sd.dacl) {
    if (ace.type !== 'allow' || TRUSTED_SIDS.has(ace.sid)) continue;
    // CREATOR OWNER on a folder: whoever creates a file in it (only those who may write there) owns that file.
    if (ace.sid === CREATOR_OWNER && ace.inheritOnly) continue;
    if (station.has(ace.sid)) {
      if (ace.mask & CHANGE_ACL) problems.add('station-can-change-permissions');
      if (target === 'config-file' && ace.mask & WRITE) problems.add('station-can-write-config');
      continue;
    }
    if (ace.mask & WRITE) problems.add('others-can-write');
    if (ace.mask & READ) problems.add('others-can-read');
  }
  return [...problems];
}
