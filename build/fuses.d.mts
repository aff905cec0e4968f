// Types for build/fuses.mjs (a plain ES module so electron-builder can load it without a TypeScript loader).
import type { FuseConfig, FuseV1Config } from '@electron/fuses';

export declare const FUSE_CONFIG: Readonly<FuseV1Config>;
export declare function expectedFuses(): { index: number; name: string; enabled: boolean }[];
export declare function electronBinaryPath(context: {
  electronPlatformName: string;
  appOutDir: string;
  packager: { executableName?: string; appInfo: { productFilename: string } };
}): string;
export declare function compareWire(wire: FuseConfig<number>): {
  mismatches: { name: string; expected: 'on' | 'off'; actual: string }[];
  unknown: string[];
};
