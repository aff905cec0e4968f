/**
 * What must happen before the process exits, in order, each bounded in time: the enrollment session drains
 * pending TAP deletions (a TAP must not outlive the station), the My Security Info view and the sign-in window
 * wipe their partitions, the key watcher releases the HID devices, the demo emulator stops. No `electron`
 * import: main/index.ts calls `run()` from `before-quit`, tests call it directly.
 *
 * Phases fix the order whoever registers first. A task that throws or overruns its budget does not stop the others; the report says which.
 */
/** Tasks run by phase, then in registration order: TAP deletions first, browser wipes next, devices last. */
export const QUIT_PHASES = ['drain', 'wipe', 'release'] as const;
export type QuitPhase = (typeof QUIT_PHASES)[number];

export interface QuitTask {
  name: string;
  phase: QuitPhase;
  run: () => Promise<void>;
  /** Longest this task may take (ms). */
  timeoutMs: number;
}

export interface QuitReport {
  completed: string[];
  failed: { name: string; message: string }[];
  timedOut: string[];
}

export class QuitTasks {
  private readonly tasks: QuitTask[] = [];
  private running: Promise<QuitReport> | undefined;

  /** Registers a task (see QUIT_PHASES for the order). Returns the unregister function. */
  add(task: QuitTask): () => void {
    this.tasks.push(task);
    return () => {
      const i = this.tasks.indexOf(task);
      if (i >= 0) this.tasks.splice(i, 1);
    };
  }

  /** Runs every task once; later calls return the same report. */
  run(): Promise<QuitReport> {
    this.running ??= this.runAll();
    return this.running;
  }

  private async runAll(): Promise<QuitReport> {
    const report: QuitReport = { completed: [], failed: [], timedOut: [] };
    const ordered = [...this.tasks].sort((a, b) => QUIT_PHASES.indexOf(a.phase) - QUIT_PHASES.indexOf(b.phase));
    for (const task of ordered) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), task.timeoutMs);
      });
      try {
        const outcome = await Promise.race([task.run().then(() => 'done' as const), timeout]);
        if (outcome === 'timeout') report.timedOut.push(task.name);
        else report.completed.push(task.name);
      } catch (error) {
        report.failed.push({ name: task.name, message: error instanceof Error ? error.message : String(error) });
      } finally {
        clearTimeout(timer);
      }
    }
    return report;
  }
}
