#!/usr/bin/env node
// Reads the fuses back from a packaged Electron binary and compares them with build/fuses.mjs.
// Usage: node scripts/read-fuses.mjs <path to the packaged binary, e.g. "dist/win-unpacked/TAP Kiosk.exe">
// Exit 0 when every configured fuse is as intended, 1 otherwise, 2 on bad usage.
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { compareWire } from '../build/fuses.mjs';

const binary = process.argv[2];
if (!binary) {
  console.error('usage: node scripts/read-fuses.mjs <packaged Electron binary>');
  process.exit(2);
}
const wire = await getCurrentFuseWire(binary);
for (const [index, state] of Object.entries(wire)) {
  if (index === 'version') continue;
  const name = FuseV1Options[Number(index)] ?? `fuse ${index}`;
  console.log(`${name.padEnd(40)} ${state === 49 ? 'on' : state === 48 ? 'off' : state === 114 ? 'removed' : `state ${state}`}`);
}
const { mismatches, unknown } = compareWire(wire);
for (const m of mismatches) console.error(`MISMATCH ${m.name}: ${m.actual}, want ${m.expected}`);
if (unknown.length > 0) console.warn(`not configured by build/fuses.mjs: ${unknown.join(', ')}`);
process.exit(mismatches.length > 0 ? 1 : 0);
