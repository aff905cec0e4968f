// The emulator's clock: real time plus an offset that tests (and the admin API) can move forward.
export class EmulatorClock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the emulator clock only moves forward');
    this.offsetMs += ms;
  }

  reset(): void {
    this.offsetMs = 0;
  }

  get offset(): number {
    return this.offsetMs;
  }
}

/** Graph's DateTimeOffset: ISO 8601 in UTC with a Z, as the service returns it. */
export function graphDate(d: Date): string {
  return d.toISOString();
}

/** innerError.date: `YYYY-MM-DDTHH:mm:ss`, no fraction, no zone (reference 6.1). */
export function innerErrorDate(d: Date): string {
  return d.toISOString().slice(0, 19);
}
