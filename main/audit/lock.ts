/**
 * The journal's single-writer lock, held by the operating system for as long as the process lives.
 *
 * The writer listens on a local socket whose name is derived from the journal folder and the station:
 * - Windows: a named pipe `\\.\pipe\tap-kiosk-journal-<id>`. Node creates the first instance with
 *   FILE_FLAG_FIRST_PIPE_INSTANCE, so a second listener gets EADDRINUSE; the pipe disappears with its process.
 * - Linux: an abstract socket (`\0tap-kiosk-journal-<id>`): no file, the kernel drops the name when the process
 *   ends (https://man7.org/linux/man-pages/man7/unix.7.html, "Abstract sockets").
 * - elsewhere (macOS): a socket file in the temp folder. A file left by a dead process refuses connections, so
 *   it is removed and the name taken; two processes doing that at the same instant is the one race left there.
 * Binding is atomic in the kernel, so of two processes starting at once exactly one holds the lock; nothing
 * depends on a PID (a reused PID after a power loss blocks nobody). The server is unref'd: it never keeps the
 * process alive, and it accepts and drops any connection.
 */
import { createHash } from 'node:crypto';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { unlink } from 'node:fs/promises';

export class JournalLockedError extends Error {
  override readonly name = 'JournalLockedError';
  constructor(
    readonly lockFile: string,
    readonly holder: string,
  ) {
    super(`audit journal is in use by ${holder} (lock ${lockFile})`);
  }
}

export interface WriterLock {
  readonly address: string;
  /** Whether the OS still holds the lock for this process (false once released, or if the socket closed). */
  held(): boolean;
  release(): Promise<void>;
}

/** The lock's socket name for a folder and station on a platform. */
export function lockAddress(folder: string, station: string, platform: NodeJS.Platform = process.platform): string {
  const path = platform === 'win32' ? resolve(folder).toLowerCase() : resolve(folder);
  const id = createHash('sha256').update(`${path}\n${station}`, 'utf8').digest('hex').slice(0, 32);
  if (platform === 'win32') return `\\\\.\\pipe\\tap-kiosk-journal-${id}`;
  if (platform === 'linux') return `\0tap-kiosk-journal-${id}`;
  return join(tmpdir(), `tap-kiosk-journal-${id}.sock`);
}

function listen(address: string): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(address, () => {
      server.removeListener('error', reject);
      server.unref();
      resolvePromise(server);
    });
  });
}

/** Whether something answers on a socket file (a file left by a dead process refuses). */
function answers(address: string): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect(address);
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
  });
}

/**
 * Take the lock or throw `JournalLockedError`. `holder` reads who has it (the informational lock file) for the
 * message; it is never used to decide.
 */
export async function takeWriterLock(
  folder: string,
  station: string,
  holder: () => Promise<{ pid: number; host: string } | undefined>,
  platform: NodeJS.Platform = process.platform,
): Promise<WriterLock> {
  const address = lockAddress(folder, station, platform);
  const fileSocket = platform !== 'win32' && platform !== 'linux';
  for (let attempt = 0; ; attempt += 1) {
    try {
      const server = await listen(address);
      return {
        address,
        held: () => server.listening,
        release: () =>
          new Promise<void>((done) => {
            server.close(() => done());
          }),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      if (fileSocket && attempt === 0 && !(await answers(address))) {
        await unlink(address).catch(() => undefined); // left by a process that is gone
        continue;
      }
      const who = await holder();
      throw new JournalLockedError(join(folder, `${station}.lock`), who ? `process ${who.pid} on ${who.host}` : 'another process');
    }
  }
}
