/**
 * Demo mode: the Entra emulator, started in-process, so `npm run demo` needs no tenant.
 *
 * The emulator lives in `test/emulator/` (TypeScript, dev and test only). It is NEVER packaged
 * (electron-builder.yml packages `out/**` and `package.json` only) and never bundled: electron-vite would pull
 * a literal `import('../test/emulator')` into out/main/index.js, so the module and the TypeScript loader are
 * named by strings computed at run time, which the bundler leaves alone. A packaged build refuses demo mode
 * here, before anything is loaded, with a message an administrator can act on.
 *
 * No `electron` import: main/index.ts passes `app.isPackaged` and `app.getAppPath()`; tests call it in Node.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DemoDefaults } from '../config';

export interface DemoEmulator {
  /** What the configuration loader fills the tenant fields from (`loadConfig({ demoDefaults })`). */
  defaults: DemoDefaults;
  /** The emulator's CA: the only certificate the demo's sign-in window and clients trust beyond the system. */
  caPem: string;
  /** Seeded operators with their demo passwords, for the console banner. */
  operators: { upn: string; password: string; displayName: string }[];
  close(): Promise<void>;
}

export class DemoUnavailableError extends Error {
  override readonly name = 'DemoUnavailableError';
}

/** The structural slice of `test/emulator` this file uses (no type import from test/: main must not depend on it). */
interface EmulatorModule {
  startEmulator(options?: { tapPolicy?: 'kiosk' | 'microsoft-defaults' }): Promise<{
    tenantId: string;
    clientId: string;
    caPem: string;
    urls: { authority: string; graph: string; mySecurityInfo: string };
    operators: { upn: string; password: string; displayName: string }[];
    close(): Promise<void>;
  }>;
}

interface TsxApi {
  tsImport(specifier: string, parentURL: string): Promise<unknown>;
}

export const EMULATOR_ENTRY = join('test', 'emulator', 'index.ts');

/** Starts the emulator from the source tree at `appRoot`. Refuses in a packaged build. */
export async function startDemoEmulator(options: { packaged: boolean; appRoot: string }): Promise<DemoEmulator> {
  if (options.packaged) {
    throw new DemoUnavailableError(
      'demo mode is not available in an installed build (the Entra emulator is dev and test only); remove "demo" from the configuration or --demo from the command line',
    );
  }
  const entry = join(options.appRoot, EMULATOR_ENTRY);
  if (!existsSync(entry)) throw new DemoUnavailableError(`demo mode needs the source tree: ${entry} not found`);
  // Strings, not literals: the bundler must not follow these (see the header).
  const loader = ['tsx', 'esm', 'api'].join('/');
  const tsx = (await import(/* @vite-ignore */ loader)) as TsxApi;
  const mod = (await tsx.tsImport(pathToFileURL(entry).href, import.meta.url)) as EmulatorModule;
  const emu = await mod.startEmulator({ tapPolicy: 'kiosk' });
  const authorityOrigin = new URL(emu.urls.authority).origin;
  return {
    defaults: {
      tenantId: emu.tenantId,
      clientId: emu.clientId,
      // The loader insists on `<origin>/<tenantId>` and nothing else.
      authority: `${authorityOrigin}/${emu.tenantId}`,
      graphBaseUrl: emu.urls.graph,
      mySecurityInfoUrl: emu.urls.mySecurityInfo,
    },
    caPem: emu.caPem,
    operators: emu.operators.map(({ upn, password, displayName }) => ({ upn, password, displayName })),
    close: () => emu.close(),
  };
}
