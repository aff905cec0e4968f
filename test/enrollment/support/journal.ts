// A real journal in a temp folder, and what the lifecycle tests read back from it.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournal, type AuditEvent, type Journal } from '../../../main/audit';

export const STATION = 'KIOSK-TEST-01';

export interface TempJournal {
  folder: string;
  journal: Journal;
  /** Every event on disk, in order (parsed from the files, not from memory). */
  events(): AuditEvent[];
  /** Every file under the folder, concatenated, for "the pass is nowhere on disk". */
  everything(): string;
  close(): Promise<void>;
}

export async function tempJournal(): Promise<TempJournal> {
  const folder = mkdtempSync(join(tmpdir(), 'tap-kiosk-enrollment-'));
  const journal = await openJournal({ folder, stationId: STATION });
  return {
    folder,
    journal,
    events: () => eventsIn(folder),
    everything: () => everythingUnder(folder),
    close: async () => {
      await journal.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

export function eventsIn(folder: string): AuditEvent[] {
  return readdirSync(folder)
    .filter((n) => n.endsWith('.jsonl'))
    .sort()
    .flatMap((n) =>
      readFileSync(join(folder, n), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { event: AuditEvent }).event),
    );
}

export function everythingUnder(folder: string): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(name, readFileSync(path).toString('latin1'));
    }
  };
  walk(folder);
  return out.join('\n');
}

/** Everything written to the console while `run` runs (and still shown). */
export function captureConsole(): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const originals = methods.map((m) => [m, console[m]] as const);
  for (const [name, original] of originals) {
    console[name] = (...args: unknown[]) => {
      chunks.push(args.map((a) => (typeof a === 'string' ? a : (JSON.stringify(a) ?? String(a)))).join(' '));
      original.apply(console, args as []);
    };
  }
  const writes = [process.stdout, process.stderr].map((stream) => {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    return () => (stream.write = original as typeof stream.write);
  });
  return {
    text: () => chunks.join('\n'),
    restore: () => {
      for (const [name, original] of originals) console[name] = original;
      for (const undo of writes) undo();
    },
  };
}
