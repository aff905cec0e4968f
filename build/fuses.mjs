// The Electron fuses TAP Kiosk ships with: one object, applied by build/after-pack.mjs, read back by
// scripts/read-fuses.mjs and checked by test/kiosk/fuses.test.ts. Fuses are bits in the Electron binary itself,
// set at packaging time; the packaged app cannot turn them back on. Decisions:
//
// - RunAsNode OFF: ELECTRON_RUN_AS_NODE would turn the signed kiosk binary into a plain Node interpreter.
// - EnableNodeOptionsEnvironmentVariable OFF: NODE_OPTIONS (e.g. --require) would inject code into main.
// - EnableNodeCliInspectArguments OFF: --inspect / --inspect-brk would open a debugger into main (tokens, the TAP).
// - EnableEmbeddedAsarIntegrityValidation ON: app.asar is checked against the hash embedded at packaging
//   (electron-builder writes it into the Windows executable's resources and the macOS Info.plist). Electron does
//   not validate asar integrity on Linux; there the installed files' permissions (root-owned) protect app.asar.
// - OnlyLoadAppFromAsar ON: Electron loads the app only from app.asar (no app/ folder beside it to swap in).
// - EnableCookieEncryption ON: cookies written to disk are encrypted with the OS key store (DPAPI on Windows,
//   the keyring on Linux). The kiosk's web sessions are in-memory partitions, so no user cookie should reach the
//   disk at all; this covers the default session as defence in depth. On a Linux station without a keyring
//   Chromium falls back to its basic store, which still works.
// - LoadBrowserProcessSpecificV8Snapshot OFF: we ship no custom snapshot.
// - GrantFileProtocolExtraPrivileges OFF: the app's pages come from app://kiosk/, never file://, so file: keeps
//   no extra privileges (Electron security checklist: prefer a custom protocol).
import { FuseV1Options, FuseVersion } from '@electron/fuses';

/** @type {import('@electron/fuses').FuseV1Config} */
export const FUSE_CONFIG = Object.freeze({
  version: FuseVersion.V1,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
});

/** Every fuse this configuration sets, by name, with the state it must read back as. */
export function expectedFuses() {
  return Object.entries(FUSE_CONFIG)
    .filter(([key]) => key !== 'version')
    .map(([index, enabled]) => ({ index: Number(index), name: FuseV1Options[Number(index)], enabled }));
}

/**
 * Where electron-builder put the Electron binary for an afterPack context (the same rule as its own
 * `addElectronFuses`: Linux uses the executable name, Windows and macOS the product file name).
 */
export function electronBinaryPath(context) {
  const ext = { darwin: '.app', mas: '.app', win32: '.exe', linux: '' }[context.electronPlatformName];
  if (ext === undefined) throw new Error(`fuses: unknown platform ${context.electronPlatformName}`);
  const name = context.electronPlatformName === 'linux' ? context.packager.executableName : context.packager.appInfo.productFilename;
  return `${context.appOutDir}/${name}${ext}`;
}

/**
 * Compares a fuse wire read from a binary (`getCurrentFuseWire`) with FUSE_CONFIG.
 * Returns the mismatches, empty when every configured fuse is as intended. Fuses the binary has beyond the ones
 * configured here (a newer Electron) are listed in `unknown`, so an upgrade is noticed rather than ignored.
 */
export function compareWire(wire) {
  const ENABLE = 49; // '1' (FuseState.ENABLE)
  const DISABLE = 48; // '0' (FuseState.DISABLE)
  const mismatches = [];
  for (const { index, name, enabled } of expectedFuses()) {
    const actual = wire[index];
    const want = enabled ? ENABLE : DISABLE;
    if (actual !== want)
      mismatches.push({ name, expected: enabled ? 'on' : 'off', actual: actual === ENABLE ? 'on' : actual === DISABLE ? 'off' : `state ${actual}` });
  }
  const configured = new Set(expectedFuses().map((f) => String(f.index)));
  const unknown = Object.keys(wire).filter((k) => k !== 'version' && !configured.has(k));
  return { mismatches, unknown };
}
