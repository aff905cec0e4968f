// `npm run demo:web`: the whole kiosk in a browser, no Electron. Starts the Entra emulator, a software YubiKey on
// the virtual HID bus and the web harness, and prints the URL and the demo operators. Dev and test only.
//
// The operator's sign-in page and the user's My Security Info open in their own Chromium windows (headed when a
// display exists). Without a display they run headless and the demo plays both: it signs the chosen operator in
// and, once the pass is handed over, signs the person in with it and registers the browser's virtual key.
import { parseArgs } from 'node:util';
import type { SessionSnapshot } from '../../common/session';
import type { KioskState } from '../../common/contract';
import { submitSignIn } from '../emulator/support/idp-browser';
import { describeOperators, headlessNotice } from './demo-notes';
import { registerSecurityKey, signInWithPass } from './desk-user';
import { startHarness } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    headless: { type: 'boolean', default: false },
    operator: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`Usage: npm run demo:web -- [--port N] [--headless] [--operator UPN]
Serves the kiosk's renderer on http://127.0.0.1 against the Entra emulator; open the printed URL in a browser.
Keys on stdin: p = plug the software key in, u = unplug it, q = quit.`);
  process.exit(0);
}

const headless = values.headless || !process.env['DISPLAY'];
// The desk key reports the AAGUID of Chromium's virtual authenticator, which performs the WebAuthn registration in
// My Security Info: so the station recognises the registered key as the one at the desk, as it would a real key.
const harness = await startHarness({ port: Number(values.port), headless, deskKeyIsVirtualAuthenticator: true });
const emu = harness.emulator;
const operators = emu.operators;
const auto = operators.find((o) => o.upn === values.operator) ?? operators.find((o) => o.upn.startsWith('patti.fernandez@')) ?? operators[0];

console.log(`
TAP Kiosk in the browser (web harness, demo)

  Open          ${harness.url}
                (the token in the address lets that page, and only it, talk to the station)
  Station       ${harness.station().config.stationId}, a software YubiKey 5 NFC plugged in (keys: p plug, u unplug, q quit)
  Emulator      ${emu.urls.authority}   My Security Info ${emu.urls.mySecurityInfo}

Demo operators (sign in on the page the station opens), their roles and what each shows:
${describeOperators(operators)}`);
console.log(`
Note: the emulator's FIDO2 policy is set to isAttestationEnforced: false so that Chromium's virtual authenticator
(not attested) can register at My Security Info; a real tenant would enforce attestation. The software key at the
desk reports that authenticator's AAGUID, so the registered key is recognised as the one at the desk.`);

/** The first session snapshot (the current one, or a later one) that satisfies `test`. */
function nextSession(test: (s: SessionSnapshot) => boolean): Promise<SessionSnapshot | null> {
  return new Promise((resolve) => {
    const now = harness.state().session;
    if (now && test(now)) return resolve(now);
    const off = harness.station().handlers.subscribe((state) => {
      if (state.session && test(state.session)) {
        off();
        resolve(state.session);
      }
    });
  });
}

if (headless) {
  // The page says it too, above the kiosk: whoever opens the URL sees which parts the demo plays.
  const notice = headlessNotice(auto ?? null);
  harness.setNotice(notice);
  console.log(`\n${notice}`);
  // The pass stays in this process's memory (it is the station's), typed into the page, never printed.
  let handedOver: { pass: string; upn: string } | null = null;
  const remember = (state: KioskState) => {
    const s = state.session;
    if (s?.screen === 'handover') handedOver = { pass: s.pass, upn: s.user.userPrincipalName };
    else if (s && s.screen !== 'waiting-for-sign-in' && s.screen !== 'registering') handedOver = null;
  };
  harness.station().handlers.subscribe(remember);
  harness.onPage((kind, page) => {
    if (kind === 'sign-in' && auto) {
      void submitSignIn(page, auto.upn, auto.password).catch((e: unknown) =>
        console.error(`[demo] operator sign-in: ${e instanceof Error ? e.message : String(e)}`),
      );
    }
    if (kind === 'security-info') {
      void (async () => {
        // The view may open with the pass or after "handed over"; the person starts once the operator has pressed it.
        const next = await nextSession((x) => x.screen !== 'handover' && x.screen !== 'issuing');
        const taken = handedOver;
        if (!next || next.screen !== 'waiting-for-sign-in' || !taken) return;
        const { pass, upn } = taken;
        await signInWithPass(page, upn, pass);
        await registerSecurityKey(page, 'Desk key');
      })().catch((e: unknown) => console.error(`[demo] user's side: ${e instanceof Error ? e.message : String(e)}`));
    }
  });
} else {
  console.log('\nThe kiosk opens in a Chromium window; the sign-in page and My Security Info open as their own windows when the station asks for them.');
  const kiosk = await (await harness.browser.newContext({ viewport: null })).newPage();
  await kiosk.goto(harness.url);
}
console.log('\nCtrl+C (or q) stops everything.');

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping: the enrollment is cancelled, any pass deleted, the browser closed.');
  await harness.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

if (process.stdin.isTTY) process.stdin.setRawMode(true);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  for (const c of chunk) {
    if (c === 'p') {
      harness.plugKey();
      console.log('[demo] key plugged in');
    } else if (c === 'u') {
      harness.unplugKey();
      console.log('[demo] key unplugged');
    } else if (c === 'q' || c === '\u0003') void stop();
  }
});
