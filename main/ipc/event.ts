/**
 * Event mode's requests (common/contract.ts): the `roster` and `board` queries and the `event` commands (release a
 * stale claim after the operator confirmed). Names and claims are the operator's only: like the journal's queries,
 * they answer only while an operator is at work. Event mode off (not configured, no permission, nobody signed in
 * yet): `not-now`; Graph could not be read: `failed`.
 */
import { operatorAtWork, type KioskErrorCode, type KioskReply } from '../../common/contract';
import type { Board, EventCommand, RosterView } from '../../common/event';
import type { EventNotice } from '../../common/event-codes';
import type { SessionSnapshot } from '../../common/session';

/** What the handler table needs of event mode (main/event/mode.ts `EventMode` has it). */
export interface EventIpcPort {
  roster(): Promise<RosterView>;
  board(): Promise<Board>;
  releaseStale(operator: { id: string; upn: string }, userId: string): Promise<{ ok: true } | { ok: false; notice: EventNotice }>;
  active(): boolean;
}

const refuse = (code: KioskErrorCode, message: string): KioskReply => ({ ok: false, error: { code, message } });

export async function eventReply(
  event: EventIpcPort | null | undefined,
  session: SessionSnapshot | null,
  request: { type: 'roster' } | { type: 'board' } | EventCommand,
): Promise<KioskReply> {
  if (!event) return refuse('not-now', 'This station has no event configured.');
  const operator = session?.operator;
  if (!operatorAtWork(session) || !operator)
    return refuse('operator-required', 'The roster is shown only while an operator is signed in and the station is unlocked.');
  if (!event.active()) return refuse('not-now', 'Event mode is off (see the station page).');
  try {
    if (request.type === 'roster') return { ok: true, kind: 'roster', roster: await event.roster() };
    if (request.type === 'board') return { ok: true, kind: 'board', board: await event.board() };
    const released = await event.releaseStale({ id: operator.id, upn: operator.upn }, request.userId);
    return { ok: true, kind: 'event', notice: released.ok ? null : released.notice };
  } catch {
    return refuse('failed', 'The roster could not be read from Microsoft Graph.');
  }
}
