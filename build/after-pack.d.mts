// Types for build/after-pack.mjs (electron-builder's AfterPackContext, the fields the hook reads).
export default function afterPack(context: {
  electronPlatformName: string;
  appOutDir: string;
  arch: number;
  packager: { executableName?: string; appInfo: { productFilename: string } };
}): Promise<void>;
