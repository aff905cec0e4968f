// electron-builder afterPack hook (electron-builder.yml `afterPack`): flips the fuses of build/fuses.mjs in the
// packaged Electron binary, then reads them back and fails the build if any is not as configured. Runs after the
// app is copied and before signing (fuses change the binary, so they must be set before it is signed).
import { flipFuses, getCurrentFuseWire } from '@electron/fuses';
import { compareWire, electronBinaryPath, FUSE_CONFIG } from './fuses.mjs';

export default async function afterPack(context) {
  const binary = electronBinaryPath(context);
  await flipFuses(binary, { ...FUSE_CONFIG, resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' && context.arch === 3 });
  const { mismatches, unknown } = compareWire(await getCurrentFuseWire(binary));
  if (mismatches.length > 0) {
    throw new Error(`fuses not applied to ${binary}: ${mismatches.map((m) => `${m.name} is ${m.actual}, want ${m.expected}`).join('; ')}`);
  }
  if (unknown.length > 0)
    console.warn(`fuses: ${binary} has fuses this build does not set (indices ${unknown.join(', ')}); review build/fuses.mjs for this Electron version`);
  console.log(`fuses set and verified on ${binary}`);
}
