// Logoff/shutdown run the quit tasks (pass deletion, wipe); a crashed or hung renderer is reloaded.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { runQuitTasksOnSessionEnd, watchRenderer } from '../../main/kiosk/exit-paths';
import { QuitTasks } from '../../main/kiosk/quit-tasks';
import { FakeEvent } from './support/fake-electron';

function station() {
  const ran: string[] = [];
  const tasks = new QuitTasks();
  tasks.add({ name: 'drain', phase: 'drain', run: async () => void ran.push('drain pending TAP deletions'), timeoutMs: 1000 });
  tasks.add({ name: 'wipe', phase: 'wipe', run: async () => void ran.push('wipe My Security Info'), timeoutMs: 1000 });
  const window = new EventEmitter();
  const powerMonitor = new EventEmitter();
  let quits = 0;
  runQuitTasksOnSessionEnd({ window, powerMonitor, runQuitTasks: () => tasks.run(), quit: () => void (quits += 1) });
  return { ran, window, powerMonitor, quits: () => quits };
}

describe('logoff, shutdown, restart', () => {
  it.each(['query-session-end', 'session-end'])('Windows %s runs the quit tasks (drain, then wipe) once', async (event) => {
    const s = station();
    s.window.emit(event, new FakeEvent());
    s.window.emit('session-end', new FakeEvent());
    await new Promise((r) => setTimeout(r, 10));
    expect(s.ran).toEqual(['drain pending TAP deletions', 'wipe My Security Info']);
  });
  it('powerMonitor shutdown is delayed until the quit tasks are done, then the app quits', async () => {
    const s = station();
    const event = new FakeEvent();
    s.powerMonitor.emit('shutdown', event);
    expect(event.defaultPrevented).toBe(true);
    await new Promise((r) => setTimeout(r, 10));
    expect(s.ran).toEqual(['drain pending TAP deletions', 'wipe My Security Info']);
    expect(s.quits()).toBe(1);
  });
});

class Contents extends EventEmitter {
  reloads = 0;
  crashed = 0;
  destroyed = false;
  reload() {
    this.reloads += 1;
  }
  isDestroyed() {
    return this.destroyed;
  }
  forcefullyCrashRenderer() {
    this.crashed += 1;
    this.emit('render-process-gone', new FakeEvent(), { reason: 'crashed' });
  }
}

describe('the main window renderer', () => {
  const timers = () => {
    const pending = new Map<number, () => void>();
    let n = 0;
    return {
      setTimeout: (fn: () => void) => (pending.set(++n, fn), n),
      clearTimeout: (h: unknown) => void pending.delete(h as number),
      fire: () => [...pending.entries()].forEach(([k, fn]) => (pending.delete(k), fn())),
      size: () => pending.size,
    };
  };
  it.each(['crashed', 'oom', 'killed', 'abnormal-exit', 'launch-failed'])('gone (%s): reloaded, so it shows the current state again', (reason) => {
    const c = new Contents();
    watchRenderer(c);
    c.emit('render-process-gone', new FakeEvent(), { reason });
    expect(c.reloads).toBe(1);
  });
  it('a clean exit (the window closing) is not reloaded; a destroyed window is not touched', () => {
    const c = new Contents();
    watchRenderer(c);
    c.emit('render-process-gone', new FakeEvent(), { reason: 'clean-exit' });
    c.destroyed = true;
    c.emit('render-process-gone', new FakeEvent(), { reason: 'crashed' });
    expect(c.reloads).toBe(0);
  });
  it('unresponsive past the grace time: restarted and reloaded; responsive again in time: left alone', () => {
    const t = timers();
    const c = new Contents();
    watchRenderer(c, t);
    c.emit('unresponsive');
    c.emit('responsive');
    expect(t.size()).toBe(0);
    c.emit('unresponsive');
    c.emit('unresponsive');
    expect(t.size()).toBe(1);
    t.fire();
    expect(c.crashed).toBe(1);
    expect(c.reloads).toBe(1);
  });
});
