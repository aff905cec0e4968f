/**
 * When the KeyWatcher (watcher.ts) scans for keys.
 *
 * One scan at a time; triggers that arrive during a scan coalesce into one more scan. Hot-plug events are
 * debounced and followed up (a USB attach event precedes the HID interface by a few milliseconds to a second).
 * Without hot-plug the watcher polls; the poll interval stretches when enumeration turns out to be expensive so
 * idle polling stays under `maxPollCpuShare` of one core, up to `maxPollIntervalMs`. While the key reader does
 * not work, it is tried again every `readerRetryMs`.
 */
import type { HotplugEvent } from './key-source';

export type ScanMode = 'hotplug' | 'polling';

/** The intervals of KeyWatcherOptions (watcher.ts), with their defaults filled in. */
export interface ScanTimings {
  pollIntervalMs: number;
  hotplugPollIntervalMs: number;
  hotplugDebounceMs: number;
  hotplugFollowUpsMs: readonly number[];
  maxPollCpuShare: number;
  maxPollIntervalMs: number;
  readerRetryMs: number;
}

/** What the schedule asks of the watcher. */
export interface ScanHooks {
  /** One scan: enumerate, then report what changed. */
  scan(): Promise<void>;
  /** Whether the watcher is running (no scan, no timer otherwise). */
  running(): boolean;
  /** The key reader does not work: the next scan waits the retry interval. */
  readerUnavailable(): boolean;
  /** The mode changed (the watcher reports its new state). */
  modeChanged(): void;
}

export class ScanSchedule {
  private current: ScanMode = 'polling';
  private inFlight: Promise<void> | undefined;
  private rescanRequested = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private readonly followUpTimers = new Set<NodeJS.Timeout>();
  /** Exponentially weighted mean wall time of one `list()` call (ms). */
  private listCostMs = 0;
  private scans = 0;

  constructor(
    private readonly timings: ScanTimings,
    private readonly hooks: ScanHooks,
  ) {}

  get mode(): ScanMode {
    return this.current;
  }

  /** The scan under way, if any. */
  get scanning(): Promise<void> | undefined {
    return this.inFlight;
  }

  /** Scan now (coalesces with a scan already running). Resolves when the picture is up to date. */
  scanNow(): Promise<void> {
    if (!this.hooks.running()) return Promise.resolve();
    if (this.inFlight) {
      this.rescanRequested = true;
      return this.inFlight;
    }
    clearTimeout(this.pollTimer);
    this.inFlight = this.scanLoop().finally(() => {
      this.inFlight = undefined;
      this.schedulePoll();
    });
    return this.inFlight;
  }

  /** A scan's `list()` took `costMs`. */
  recordListCost(costMs: number): void {
    // The first enumeration loads the native module (tens of ms): not what polling will cost.
    if (this.scans === 1) this.listCostMs = costMs;
    else if (this.scans > 1) this.listCostMs = this.listCostMs * 0.7 + costMs * 0.3;
    this.scans++;
  }

  onHotplug(event: HotplugEvent): void {
    if (!this.hooks.running()) return;
    switch (event.type) {
      case 'ready':
        this.setMode('hotplug');
        return;
      case 'unavailable':
        this.setMode('polling');
        return;
      case 'attach':
      case 'detach':
        // Events from a source that never said `ready` still count as proof that hot-plug works.
        this.setMode('hotplug');
        clearTimeout(this.debounceTimer);
        this.debounceTimer = unref(setTimeout(() => void this.scanNow(), this.timings.hotplugDebounceMs));
        if (event.type === 'attach') {
          for (const ms of this.timings.hotplugFollowUpsMs) {
            const timer = unref(
              setTimeout(() => {
                this.followUpTimers.delete(timer);
                void this.scanNow();
              }, ms),
            );
            this.followUpTimers.add(timer);
          }
        }
        return;
    }
  }

  /** Diagnostics for the bench and the support screen. */
  stats(): { scans: number; listCostMs: number; pollIntervalMs: number; mode: ScanMode } {
    return { scans: this.scans, listCostMs: this.listCostMs, pollIntervalMs: this.nextPollDelay(), mode: this.current };
  }

  /** Stopping: no timer fires any more. */
  cancelTimers(): void {
    clearTimeout(this.pollTimer);
    clearTimeout(this.debounceTimer);
    for (const t of this.followUpTimers) clearTimeout(t);
    this.followUpTimers.clear();
  }

  /** Stopped: a later start begins polling until hot-plug proves itself. */
  reset(): void {
    this.current = 'polling';
  }

  private async scanLoop(): Promise<void> {
    do {
      this.rescanRequested = false;
      await this.hooks.scan();
    } while (this.rescanRequested && this.hooks.running());
  }

  private setMode(mode: ScanMode): void {
    if (this.current === mode) return;
    this.current = mode;
    if (!this.inFlight) this.schedulePoll();
    this.hooks.modeChanged();
  }

  private nextPollDelay(): number {
    if (this.hooks.readerUnavailable()) return Math.max(this.timings.readerRetryMs, this.timings.pollIntervalMs);
    const base = this.current === 'hotplug' ? this.timings.hotplugPollIntervalMs : this.timings.pollIntervalMs;
    // Wall time of list() bounds its CPU time from above, so this keeps idle polling under budget,
    // up to a ceiling past which a late key would cost more than the CPU saved.
    const budgeted = Math.min(Math.ceil(this.listCostMs / this.timings.maxPollCpuShare), Math.max(base, this.timings.maxPollIntervalMs));
    return Math.max(base, budgeted);
  }

  private schedulePoll(): void {
    clearTimeout(this.pollTimer);
    if (!this.hooks.running()) return;
    this.pollTimer = unref(setTimeout(() => void this.scanNow(), this.nextPollDelay()));
  }
}

function unref(timer: NodeJS.Timeout): NodeJS.Timeout {
  timer.unref?.();
  return timer;
}
