import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditEvents as e, pendingTaps, records, verify } from '../../main/audit';
import { STATION, everythingOnDisk, open, operator, tempFolder } from './helpers';

let folder: string;
let cleanup: () => void;
beforeEach(() => ({ folder, cleanup } = tempFolder()));
afterEach(() => cleanup());

interface Ack {
  seq: number;
  type: string;
  intentId: string;
}

/** Run the writer in its own process and SIGKILL it after `after` acknowledged records. */
function writeUntilKilled(after: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures/crash-writer.ts'), folder, STATION], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acks: Ack[] = [];
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const [word, seq, type, intentId] = line.split(' ');
        if (word !== 'ack') continue;
        acks.push({ seq: Number(seq), type: type ?? '', intentId: intentId ?? '' });
        if (acks.length === after) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acks);
      else reject(new Error(`writer exited with ${code}: ${stderr}`));
    });
  });
}

describe('a crash in the middle of writing', () => {
  it('loses no acknowledged record, verifies, lists the orphaned TAP, and the next start carries on', async () => {
    let acked: Ack[] = [];
    for (const [crash, after] of [17, 31, 8].entries()) {
      const acks = await writeUntilKilled(after);
      expect(acks.length).toBeGreaterThanOrEqual(after);
      acked = [...acked, ...acks];

      const result = await verify(folder);
      // SIGKILL cannot interrupt a write(2) to a regular file, so even a torn line would only come from a power loss.
      if (!result.ok) expect(result.problem).toMatchObject({ kind: 'torn-final-line', repairable: true });

      const days = [...new Set(readdirSync(folder).flatMap((n) => /-(\d{4}-\d{2}-\d{2})\.jsonl$/.exec(n)?.[1] ?? []))].sort();
      const onDisk = (await Promise.all(days.map((day) => records(folder, day, STATION)))).flat();
      const bySeq = new Map(onDisk.map((r) => [r.seq, r]));
      for (const ack of acked) {
        const record = bySeq.get(ack.seq);
        expect(record?.event.type, `acknowledged seq ${ack.seq}`).toBe(ack.type);
      }

      // Exactly the lifecycles whose deletion was not written are pending: at most one per crash so far.
      const deleted = new Set(onDisk.flatMap((r) => (r.event.type === 'tap.deleted' ? [r.event.intentId] : [])));
      const started = onDisk.flatMap((r) => (r.event.type === 'tap.intent' ? [r.event.intentId] : []));
      const pending = await pendingTaps(folder, STATION);
      expect(pending.map((p) => p.intentId)).toEqual(started.filter((id) => !deleted.has(id)));
      expect(pending.length).toBeLessThanOrEqual(crash + 1);
      const last = acked.at(-1);
      // The last acknowledged lifecycle is pending unless its deletion reached disk before the kill (unacknowledged).
      if (last && last.type !== 'tap.deleted' && !deleted.has(last.intentId)) expect(pending.map((p) => p.intentId)).toContain(last.intentId);
    }

    // Recovery: the station opens its journal again (the dead writer's lock is taken over) and cleans up.
    const journal = await open(folder);
    for (const tap of await pendingTaps(folder, STATION)) {
      await journal.append(
        tap.tapMethodId
          ? e.tapDeleted({ intentId: tap.intentId, user: tap.user, tapMethodId: tap.tapMethodId, reason: 'crash-recovery' })
          : e.tapNotCreated({ intentId: tap.intentId, user: tap.user, reason: 'none-found-at-recovery' }),
      );
    }
    await journal.append(e.operatorSignedIn({ operator, roles: [] }));
    await journal.close();
    expect(await pendingTaps(folder, STATION)).toEqual([]);
    expect(await verify(folder)).toMatchObject({ ok: true });
    expect(everythingOnDisk(folder)).not.toContain('Xy7+Qw2!');
  });
});
