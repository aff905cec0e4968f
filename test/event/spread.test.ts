// Stations spread over the roster: each suggests different people from the same queue, within the first few.
import { describe, expect, it } from 'vitest';
import { OVERDUE_READS, PER_STATION, spreadNext, spreadWidth } from '../../main/event/spread';

const people = Array.from({ length: 200 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
const desks = Array.from({ length: 10 }, (_, i) => `desk-${String(i + 1).padStart(2, '0')}`);

describe('the next person a station suggests', () => {
  it('differs between two stations with different ids, from the same roster', () => {
    const a = spreadNext({ waiting: people, stationId: 'desk-01', stations: 10 });
    const b = spreadNext({ waiting: people, stationId: 'desk-02', stations: 10 });
    expect(a[0]).not.toBe(b[0]);
  });

  it('ten stations reach for mostly different people (in roster order they would all reach for the first)', () => {
    const firsts = new Set(desks.map((stationId) => spreadNext({ waiting: people, stationId, stations: 10 })[0]));
    expect(firsts.size).toBeGreaterThanOrEqual(6);
  });

  it(`stays among the first ${PER_STATION}×N waiting, N the stations at work; then everyone else in roster order`, () => {
    for (const stations of [1, 2, 4, 10]) {
      const width = spreadWidth(stations, people.length);
      expect(width).toBe(PER_STATION * Math.max(2, stations));
      for (const stationId of desks) {
        const next = spreadNext({ waiting: people, stationId, stations });
        expect(people.slice(0, width)).toContain(next[0]);
        expect(new Set(next.slice(0, width))).toEqual(new Set(people.slice(0, width)));
        expect(next.slice(width)).toEqual(people.slice(width));
      }
    }
  });

  it('is stable when someone ahead is called: the others keep their order', () => {
    const before = spreadNext({ waiting: people, stationId: 'desk-03', stations: 10 });
    const after = spreadNext({ waiting: people.filter((p) => p !== before[0]), stationId: 'desk-03', stations: 10 });
    // The window moved up by one (people[30] came in); the 29 still in it keep their order.
    expect(after.filter((p) => p !== people[30]).slice(0, 29)).toEqual(before.slice(1, 30));
  });

  it(`whoever waited ${OVERDUE_READS} reads in the window comes first, the longest waiting first at every station`, () => {
    const readsInWindow = new Map([
      [people[20]!, 2 * OVERDUE_READS],
      [people[4]!, OVERDUE_READS],
      [people[1]!, OVERDUE_READS],
      [people[2]!, OVERDUE_READS - 1],
    ]);
    const firsts = new Set<string>();
    for (const stationId of desks) {
      const next = spreadNext({ waiting: people, stationId, stations: 10, readsInWindow });
      expect(next[0]).toBe(people[20]);
      expect(new Set(next.slice(1, 3))).toEqual(new Set([people[1], people[4]]));
      firsts.add(next[1]!);
    }
    // Those who waited as long are still spread: not every station's second is the same person.
    expect(firsts.size).toBe(2);
  });

  it('with fewer people waiting than stations, everyone waiting is suggested', () => {
    const few = people.slice(0, 3);
    expect(new Set(spreadNext({ waiting: few, stationId: 'desk-01', stations: 10 }))).toEqual(new Set(few));
    expect(spreadNext({ waiting: [], stationId: 'desk-01', stations: 10 })).toEqual([]);
  });
});
