#!/usr/bin/env node
// Copies the screenshots the README shows from the end-to-end run's artifacts/e2e/ to docs/screenshots/.
//
//   npx playwright test test/e2e/kiosk.spec.ts test/e2e/provision.spec.ts -g "happy path|lost key|set up the key here"
//   node scripts/readme-screenshots.mjs
//
// The run numbers its shots in order (NN-name.png), so they are found by name. The suites mask the pass on every
// screenshot, and the PIN pad shows dots; look at each image before committing it all the same.
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ARTIFACTS = join('artifacts', 'e2e');
const DOCS = join('docs', 'screenshots');
/** docs/screenshots/<name> ← artifacts/e2e/<lang>/<NN->shot.png */
const WANTED = {
  'search-results.png': ['en', 'search-results'],
  'identity.png': ['en', 'identity'],
  'preflight.png': ['en', 'preflight'],
  'handover.png': ['en', 'handover'],
  'user-sign-in.png': ['en', 'user-sign-in'],
  'user-registering.png': ['en', 'user-registering'],
  'done.png': ['en', 'done'],
  'provision-set-pin.png': ['en', 'provision-02-set-pin'],
  'lost-key-keys.png': ['en', 'lost-03-keys'],
  'preflight-de.png': ['de', 'preflight'],
};

let missing = 0;
for (const [target, [lang, shot]] of Object.entries(WANTED)) {
  const dir = join(ARTIFACTS, lang);
  const hit = existsSync(dir) ? readdirSync(dir).find((f) => f === `${shot}.png` || new RegExp(`^\\d+-${shot}\\.png$`).test(f)) : undefined;
  if (!hit) {
    console.error(`missing: ${lang}/*${shot}.png (for ${target})`);
    missing += 1;
    continue;
  }
  copyFileSync(join(dir, hit), join(DOCS, target));
  console.log(`${join(dir, hit)} → ${join(DOCS, target)}`);
}
process.exitCode = missing > 0 ? 1 : 0;
