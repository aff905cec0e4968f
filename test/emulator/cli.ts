// `npm run emulator`: the Entra emulator on its own, for a newcomer, the demo, or poking at it with curl.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROLE_NAMES } from './model';
import { startEmulator } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'msi-port': { type: 'string', default: '0' },
    'tap-policy': { type: 'string', default: 'microsoft-defaults' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(`Usage: npm run emulator -- [--port N] [--msi-port N] [--tap-policy microsoft-defaults|kiosk]
Starts the Entra emulator: identity provider, Microsoft Graph slice and My Security Info pages.`);
  process.exit(0);
}

const preset = values['tap-policy'];
if (preset !== 'kiosk' && preset !== 'microsoft-defaults') {
  console.error(`--tap-policy must be "kiosk" or "microsoft-defaults", got "${preset}"`);
  process.exit(2);
}

const emu = await startEmulator({ port: Number(values.port), mySecurityInfoPort: Number(values['msi-port']), tapPolicy: preset });
const caFile = join(mkdtempSync(join(tmpdir(), 'tap-kiosk-emulator-')), 'ca.pem');
writeFileSync(caFile, emu.caPem);

console.log(`Entra emulator for tenant ${emu.tenantId} (TAP policy preset: ${preset})

  Authority (MSAL)     ${emu.urls.authority}    knownAuthorities: ["${emu.urls.authorityHost}"]
  Microsoft Graph      ${emu.urls.graph}
  My Security Info     ${emu.urls.mySecurityInfo}
  Admin API (tests)    ${emu.urls.admin}
  Client id            ${emu.clientId}
  CA certificate       ${caFile}   (trust it explicitly, e.g. curl --cacert ${caFile})

Seeded operators (demo passwords):`);
for (const op of emu.operators) {
  const roles = op.roles.map((r) => ROLE_NAMES[r] ?? r).join(', ') || 'no directory role';
  console.log(`  ${op.upn.padEnd(48)} ${op.password.padEnd(20)} ${roles}`);
}
console.log('\nCtrl+C stops it.');

const stop = () => {
  void emu.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
