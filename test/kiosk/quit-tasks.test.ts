import { describe, expect, it } from 'vitest';
import { QuitTasks } from '../../main/kiosk/quit-tasks';

describe('on quit', () => {
  it('drains pending TAP deletions before wiping browser sessions and releasing devices, whatever the registration order', async () => {
    const order: string[] = [];
    const tasks = new QuitTasks();
    const task = (name: string) => async () => void order.push(name);
    tasks.add({ name: 'key watcher', phase: 'release', run: task('key watcher'), timeoutMs: 1000 });
    tasks.add({ name: 'My Security Info wipe', phase: 'wipe', run: task('My Security Info wipe'), timeoutMs: 1000 });
    tasks.add({ name: 'drain pending TAP deletions', phase: 'drain', run: task('drain pending TAP deletions'), timeoutMs: 1000 });
    const report = await tasks.run();
    expect(order).toEqual(['drain pending TAP deletions', 'My Security Info wipe', 'key watcher']);
    expect(report.completed).toEqual(order);
  });

  it('a failing or hanging task does not stop the others, and the report names it', async () => {
    const tasks = new QuitTasks();
    let wiped = false;
    tasks.add({ name: 'drain', phase: 'drain', run: () => new Promise<void>(() => undefined), timeoutMs: 20 });
    tasks.add({ name: 'broken', phase: 'wipe', run: () => Promise.reject(new Error('no')), timeoutMs: 1000 });
    tasks.add({ name: 'wipe', phase: 'wipe', run: async () => void (wiped = true), timeoutMs: 1000 });
    const report = await tasks.run();
    expect(wiped).toBe(true);
    expect(report).toEqual({ completed: ['wipe'], failed: [{ name: 'broken', message: 'no' }], timedOut: ['drain'] });
  });

  it('runs once however often quit is asked for', async () => {
    const tasks = new QuitTasks();
    let runs = 0;
    tasks.add({ name: 'drain', phase: 'drain', run: async () => void (runs += 1), timeoutMs: 1000 });
    await Promise.all([tasks.run(), tasks.run()]);
    await tasks.run();
    expect(runs).toBe(1);
  });
});
