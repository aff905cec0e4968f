// The emulator for one test file: started once (beforeAll), reset before each test (the seed again, the clock,
// no faults), closed after the file. With `leakScan`, after the file: every pass the emulator issued (not only
// those shown) is in no file written since the file started, in any encoded form (test/leaks/scan.ts).
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator';
import type { TapRecord } from '../emulator/model';
import { describeHits, leakRoots, scanForPasses } from '../leaks/scan';

export interface EmulatorSuite {
  /** The running emulator (from beforeAll on). */
  readonly emu: Emulator;
  /** TAPs at the emulator now, other than those in the seed (Johanna holds one). */
  newTaps(): TapRecord[];
}

export function useEmulator(options: EmulatorOptions & { leakScan?: boolean } = {}): EmulatorSuite {
  const { leakScan, ...emulatorOptions } = options;
  const started = Date.now();
  let emu: Emulator | undefined;
  let seeded = new Set<string>();
  const running = (): Emulator => {
    if (!emu) throw new Error('the emulator is not running (useEmulator starts it in beforeAll)');
    return emu;
  };
  beforeAll(async () => {
    emu = await startEmulator(emulatorOptions);
  });
  afterAll(async () => {
    if (!emu) return;
    try {
      if (leakScan) {
        const leaks = scanForPasses(emu.issuedPasses(), leakRoots(), started);
        expect(leaks.hits, describeHits(leaks.hits)).toEqual([]);
      }
    } finally {
      await emu.close();
    }
  });
  beforeEach(() => {
    running().reset();
    seeded = new Set([...running().ctx.state.taps.values()].map((t) => t.id));
  });
  return {
    get emu() {
      return running();
    },
    newTaps: () => [...running().ctx.state.taps.values()].filter((t) => !seeded.has(t.id)),
  };
}
