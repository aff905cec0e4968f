// The ACL decision from a described ACL (SDDL), as the installer sets it and as it goes loose.
import { describe, expect, it } from 'vitest';
import { judgeAcl, parseSddl } from '../../main/kiosk/acl-policy';

const KIOSK = 'S-1-5-21-1111111111-2222222222-3333333333-1001';
const OTHER = 'S-1-5-21-1111111111-2222222222-3333333333-1002';
/** As the installer sets them: protected DACL, Administrators and SYSTEM full; the kiosk account read / modify. */
const CONFIG = `O:BAG:SYD:PAI(A;;FA;;;SY)(A;;FA;;;BA)(A;;FR;;;${KIOSK})`;
const JOURNAL = `O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1301bf;;;${KIOSK})(A;OICIIO;FA;;;CO)`;

describe('the protection of the configuration file and the journal folder', () => {
  it('as the installer sets them: nothing loose', () => {
    expect(judgeAcl('config-file', parseSddl(CONFIG), KIOSK)).toEqual([]);
    expect(judgeAcl('journal-folder', parseSddl(JOURNAL), KIOSK)).toEqual([]);
  });
  it.each([
    ['owned by the kiosk account', CONFIG.replace('O:BA', `O:${KIOSK}`), 'config-file', ['owner-not-administrators']],
    ['no DACL at all', 'O:BAG:SYD:NO_ACCESS_CONTROL', 'config-file', ['no-dacl']],
    ['Users may read (inherited from ProgramData)', `${CONFIG}(A;ID;0x1200a9;;;BU)`, 'config-file', ['others-can-read']],
    ['Everyone may write (write only)', `${CONFIG}(A;;FW;;;WD)`, 'config-file', ['others-can-write']],
    ['another account may modify the journal', `${JOURNAL}(A;OICI;0x1301bf;;;${OTHER})`, 'journal-folder', ['others-can-write', 'others-can-read']],
    [
      'the kiosk account may write the configuration',
      CONFIG.replace(`(A;;FR;;;${KIOSK})`, `(A;;0x1301bf;;;${KIOSK})`),
      'config-file',
      ['station-can-write-config'],
    ],
    [
      'the kiosk account may change the journal permissions',
      JOURNAL.replace(`0x1301bf;;;${KIOSK}`, `FA;;;${KIOSK}`),
      'journal-folder',
      ['station-can-change-permissions'],
    ],
    [
      'Authenticated Users append data (ProgramData default)',
      `${JOURNAL}(A;OICI;CCDCLCSWRPWPLORC;;;AU)`,
      'journal-folder',
      ['others-can-write', 'others-can-read'],
    ],
  ] as const)('%s: loose', (_what, sddl, target, problems) => {
    expect(judgeAcl(target, parseSddl(sddl), KIOSK).sort()).toEqual([...problems].sort());
  });
  it('a deny ACE or an unknown right does not pass silently', () => {
    expect(judgeAcl('config-file', parseSddl(`${CONFIG}(D;;FA;;;WD)`), KIOSK)).toEqual([]);
    expect(() => parseSddl('O:BAD:(A;;ZZ;;;WD)')).toThrow(/unknown SDDL right/);
  });
});
