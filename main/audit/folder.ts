/**
 * Reading a journal folder: which stations and days are there, and the lines of one file split into
 * complete lines and a possible unfinished tail (bytes after the last newline).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { headFileName, parseJournalFileName } from './record';

export interface JournalFile {
  station: string;
  day: string;
  name: string;
  path: string;
}

/** Journal files by station, each list in day order (oldest first). */
export async function listJournal(folder: string): Promise<Map<string, JournalFile[]>> {
  const names = await readdir(folder);
  const byStation = new Map<string, JournalFile[]>();
  for (const name of names.sort()) {
    const parsed = parseJournalFileName(name);
    if (!parsed) continue;
    const list = byStation.get(parsed.station) ?? [];
    list.push({ ...parsed, name, path: join(folder, name) });
    byStation.set(parsed.station, list);
  }
  return byStation;
}

/** Stations that have a head file, whether or not any journal file is left. */
export async function listHeads(folder: string): Promise<string[]> {
  const names = await readdir(folder);
  return names.flatMap((name) => {
    const match = /^(.+)\.head\.json$/.exec(name);
    return match?.[1] ? [match[1]] : [];
  });
}

export interface FileLines {
  /** Lines that ended with "\n", without it. */
  lines: string[];
  /** Bytes after the last "\n" (a line being written when the process died), if any. */
  tail?: string;
}

export async function readLines(path: string): Promise<FileLines> {
  const text = await readFile(path, 'utf8');
  const parts = text.split('\n');
  const last = parts.pop() ?? '';
  return last === '' ? { lines: parts } : { lines: parts, tail: last };
}

/**
 * The head file: the last record the writer acknowledged (seq and hash). It is written after the journal
 * line is on disk, so it may lag the journal after a crash, but never lead it. A journal that
 * ends before the head's seq has lost acknowledged records: truncated.
 */
export const headSchema = z.strictObject({
  station: z.string(),
  seq: z.int().min(0),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  file: z.string(),
});
export type Head = z.output<typeof headSchema>;

export type HeadRead = { kind: 'missing' } | { kind: 'damaged' } | { kind: 'ok'; head: Head };

export async function readHead(folder: string, station: string): Promise<HeadRead> {
  let text: string;
  try {
    text = await readFile(join(folder, headFileName(station)), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  if (text.trim() === '') return { kind: 'missing' };
  try {
    const result = headSchema.safeParse(JSON.parse(text));
    return result.success && result.data.station === station ? { kind: 'ok', head: result.data } : { kind: 'damaged' };
  } catch {
    return { kind: 'damaged' };
  }
}

/** Fixed size, so rewriting it in place never leaves a longer old tail behind. */
export const HEAD_BYTES = 512;

export function encodeHead(head: Head): Buffer {
  const json = JSON.stringify(head);
  if (json.length >= HEAD_BYTES) throw new Error('audit head record too long');
  return Buffer.from(json.padEnd(HEAD_BYTES - 1, ' ') + '\n', 'utf8');
}
