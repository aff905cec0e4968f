// The layers are enforced by lint (eslint.config.js), not by discipline: which folder may import which, and no
// import cycle. Each rule is shown to fail on a planted violation (sample source linted under a path in the folder)
// and to pass on the tree as it is.
import { ESLint, type Linter } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });
const PATHS = 'import-x/no-restricted-paths';
const IMPORTS = 'no-restricted-imports';
const CYCLE = 'import-x/no-cycle';

async function messages(filePath: string, code: string, ...rules: string[]): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId !== null && rules.includes(m.ruleId));
}
const texts = (list: Linter.LintMessage[]) => list.map((m) => m.message);

/** The tree, linted once: every message of these rules, as "file: rule: message". */
let tree: string[] = [];
let linted = 0;
beforeAll(async () => {
  const results = await eslint.lintFiles(['common', 'main', 'preload', 'renderer']);
  linted = results.length;
  tree = results.flatMap((r) =>
    r.messages.filter((m) => m.ruleId === PATHS || m.ruleId === IMPORTS || m.ruleId === CYCLE).map((m) => `${r.filePath}: ${m.ruleId}: ${m.message}`),
  );
}, 180_000);
const treeIn = (folder: string) => tree.filter((line) => line.includes(`/${folder}/`));

describe('renderer/ imports only common/ and its own files', () => {
  it.each([
    ["import { loadConfig } from '../../../main/config';", 'main/'],
    ["import type { OperatorChange } from '../../../main/operator';", 'a type from main/'],
    ["import '../../../preload/index';", 'preload/'],
    ["import { startEmulator } from '../../../test/emulator';", 'test/'],
  ])('refuses %s (%s)', async (line) => {
    expect(texts(await messages('renderer/src/screens/Sample.tsx', `${line}\nexport {};\n`, PATHS))).toEqual([
      expect.stringMatching(/renderer\/ imports only common\/ and its own files/),
    ]);
  });

  it('refuses node:* built-ins', async () => {
    expect(texts(await messages('renderer/src/lib/sample.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", IMPORTS))).toEqual([
      expect.stringMatching(/no node:\* import/),
    ]);
  });

  it('allows common/, its own files and its packages', async () => {
    const code = [
      "import type { SessionSnapshot } from '../../../common/session';",
      "import { useCommands } from '../bridge';",
      "import { Button } from '@fluentui/react-components';",
      'export type S = SessionSnapshot;',
      'export const x = [useCommands, Button];',
    ].join('\n');
    expect(await messages('renderer/src/screens/Sample.tsx', code, PATHS, IMPORTS)).toEqual([]);
  });

  it('passes on the tree', () => {
    expect(treeIn('renderer')).toEqual([]);
  });
});

describe('common/ is Node-free: no node:*, electron, main/, preload/, renderer/, nor any runtime package but zod', () => {
  it('refuses each in one sample', async () => {
    const code = [
      "import { createHash } from 'node:crypto';",
      "import { app } from 'electron';",
      "import { createActor } from 'xstate';",
      "import { loadConfig } from '../main/config';",
      "import '../preload/index';",
      "import { App } from '../renderer/src/App';",
      'export const x = [createHash, app, createActor, loadConfig, App];',
    ].join('\n');
    const found = texts(await messages('common/sample.ts', code, PATHS, IMPORTS));
    expect(found).toHaveLength(6);
    for (const pattern of [/'node:crypto'.*no node:\* import/, /'electron'.*no runtime package but zod/, /'xstate'.*no runtime package but zod/]) {
      expect(found.filter((m) => pattern.test(m))).toHaveLength(1);
    }
    for (const path of ['../main/config', '../preload/index', '../renderer/src/App']) {
      expect(found.filter((m) => m.includes(`"${path}"`) && /common\/ is the Node-free contract/.test(m))).toHaveLength(1);
    }
  });

  it('allows zod and its own files', async () => {
    const code = "import { z } from 'zod';\nimport type { PreflightCheck } from './session';\nexport type P = PreflightCheck;\nexport const x = z;\n";
    expect(await messages('common/sample.ts', code, PATHS, IMPORTS)).toEqual([]);
  });

  it('passes on the tree', () => {
    expect(treeIn('common')).toEqual([]);
  });
});

describe('preload/ imports only common/ and electron', () => {
  it('refuses main/, renderer/ and any package but electron', async () => {
    const code = [
      "import { z } from 'zod';",
      "import { loadConfig } from '../main/config';",
      "import { App } from '../renderer/src/App';",
      'export const x = [z, loadConfig, App];',
    ].join('\n');
    const found = texts(await messages('preload/sample.ts', code, PATHS, IMPORTS));
    expect(found).toHaveLength(3);
    expect(found.every((m) => /preload\/ imports only common\/ and electron/.test(m))).toBe(true);
  });

  it('allows common/ and electron', async () => {
    const code =
      "import { contextBridge } from 'electron';\nimport type { KioskReply } from '../common/contract';\nexport type K = KioskReply;\nexport const c = contextBridge;\n";
    expect(await messages('preload/sample.ts', code, PATHS, IMPORTS)).toEqual([]);
  });

  it('passes on the tree', () => {
    expect(treeIn('preload')).toEqual([]);
  });
});

describe('services in main/ import each other only through the allowed edges (MAIN_EDGES)', () => {
  it.each([
    ['main/directory/sample.ts', '../keys/identity', 'main/directory/ may import only config/'],
    ['main/directory/sample.ts', '../operator/errors', 'main/directory/ may import only config/'],
    ['main/operator/sample.ts', '../directory/graph-client', 'main/operator/ may import only config/'],
    ['main/keys/sample.ts', '../audit', 'main/keys/ may import only config/'],
    ['main/tap/sample.ts', '../enrollment/session', 'main/tap/ may import only directory/, keys/, audit/, config/'],
    ['main/enrollment/sample.ts', '../station', 'main/enrollment/ may import only tap/'],
    ['main/enrollment/sample.ts', '../ipc/handlers', 'main/enrollment/ may import only tap/'],
    ['main/ipc/sample.ts', '../directory/gateway', 'main/ipc/ may import only enrollment/, audit/, config/'],
    ['main/station/sample.ts', '../kiosk/wipe', 'main/station/ may import only'],
    ['main/config/sample.ts', '../audit', 'main/config/ may import only no other folder of main/'],
  ])('refuses %s importing %s', async (file, target, message) => {
    const found = texts(await messages(file, `import * as m from '${target}';\nexport { m };\n`, PATHS));
    expect(found).toEqual([expect.stringContaining(message)]);
  });

  it.each([
    ['main/tap/sample.ts', '../directory/failure'],
    ['main/enrollment/sample.ts', '../tap/issuer'],
    ['main/station/sample.ts', '../ipc/handlers'],
    ['main/kiosk/sample.ts', '../station'],
    ['main/audit/sample.ts', '../config'],
    ['main/directory/sample.ts', '../../common/directory'],
    ['main/index.ts', './kiosk/wipe'],
  ])('allows %s importing %s', async (file, target) => {
    expect(await messages(file, `import * as m from '${target}';\nexport { m };\n`, PATHS)).toEqual([]);
  });

  it('main/ imports nothing from renderer/, preload/ or test/', async () => {
    const found = texts(await messages('main/kiosk/sample.ts', "import * as e from '../../test/emulator';\nexport { e };\n", PATHS));
    expect(found).toEqual([expect.stringMatching(/main\/ does not import renderer\/, preload\/ or test\//)]);
  });

  it('passes on the tree', () => {
    expect(treeIn('main')).toEqual([]);
  });
});

describe('no import cycle in common/, main/, preload/, renderer/', () => {
  it('finds a cycle inside a folder (journal.ts → index.ts → journal.ts)', async () => {
    const found = await messages('main/audit/journal.ts', "import { openJournal } from './index';\nexport const o = openJournal;\n", CYCLE);
    expect(texts(found)).toEqual([expect.stringMatching(/Dependency cycle/)]);
  });

  it('finds a cycle across folders (directory/failure.ts → tap/issuer.ts → directory/failure.ts)', async () => {
    const found = await messages('main/directory/failure.ts', "import * as issuer from '../tap/issuer';\nexport { issuer };\n", CYCLE);
    expect(texts(found)).toEqual([expect.stringMatching(/Dependency cycle/)]);
  });

  it('passes on the tree (every source file of the four folders linted)', () => {
    expect(linted).toBeGreaterThan(100);
    expect(tree.filter((line) => line.includes(CYCLE))).toEqual([]);
  });
});
