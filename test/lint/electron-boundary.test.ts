// The process boundary is enforced by lint, not by discipline (docs/architecture.md, Layout): only main/index.ts,
// main/kiosk/ and preload/ may import electron. This runs the project's own ESLint config on sample sources.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });
const IMPORT = "import { app } from 'electron';\nexport const name = app.getName();\n";

async function electronImportErrors(filePath: string, code = IMPORT): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the electron import boundary', () => {
  it.each([
    'main/directory/sample.ts',
    'main/enrollment/sample.ts',
    'main/keys/hid/sample.ts',
    'main/ipc/sample.ts',
    'renderer/src/sample.ts',
    'test/sample.ts',
  ])('refuses an electron import in %s', async (file) => {
    expect(await electronImportErrors(file)).toEqual([expect.stringMatching(/Only main\/index\.ts, main\/kiosk\/ and preload\/ may import electron/)]);
  });

  it('refuses electron sub-paths and re-exports too', async () => {
    expect(await electronImportErrors('main/audit/sample.ts', "import { ipcMain } from 'electron/main';\nexport { ipcMain };\n")).toHaveLength(1);
    expect(await electronImportErrors('main/audit/sample.ts', "export { app } from 'electron';\n")).toHaveLength(1);
  });

  it.each(['main/index.ts', 'main/kiosk/windows.ts', 'preload/index.ts'])('allows it in %s', async (file) => {
    expect(await electronImportErrors(file)).toEqual([]);
  });

  it('refuses `any` in main/ and preload/', async () => {
    const [result] = await eslint.lintText('export const x: any = 1;\n', { filePath: 'main/directory/sample.ts' });
    expect(result?.messages.map((m) => m.ruleId)).toContain('@typescript-eslint/no-explicit-any');
  });
});
