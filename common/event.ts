/**
 * Event mode: the roster, each person's state, a claim held at another station, and the board. Types and zod
 * schemas only (main/event/ fills them; the roster and board screens will render them).
 */
import { z } from 'zod';
import type { EventNotice } from './event-codes';

/** How a person can be enrolled at this event. */
export const EVENT_MODES = ['tap-my-security-info', 'provision-at-desk'] as const;
export type EventMode = (typeof EVENT_MODES)[number];

/**
 * done: a passkey created since the event started; in-progress: in the claim group (a station works on them);
 * not-yet: neither; needs-attention: an enrollment failed, or the claim is older than the configured limit.
 */
export const ROSTER_STATES = ['done', 'in-progress', 'not-yet', 'needs-attention'] as const;
export type RosterState = (typeof ROSTER_STATES)[number];

const iso = z.iso.datetime({ offset: true });

/** What Graph tells about a claim held elsewhere: the person's pass (if one was issued) and how old the claim is. */
export const claimInfoSchema = z.strictObject({
  /** The person's current pass's createdDateTime, when they have one. */
  passIssuedAt: iso.nullable(),
  /** When this station first saw the claim (Graph's membership carries no time). */
  seenSince: iso,
  /** Minutes since the older of the two: what "stale" is judged by. */
  ageMinutes: z.int().min(0),
  stale: z.boolean(),
  /** Held by this station (journalled here). */
  ours: z.boolean(),
});
export type ClaimInfo = z.output<typeof claimInfoSchema>;

export const rosterEntrySchema = z.strictObject({
  id: z.guid(),
  userPrincipalName: z.string(),
  displayName: z.string(),
  state: z.enum(ROSTER_STATES),
  /** When the passkey that made them done was created. */
  doneAt: iso.nullable(),
  claim: claimInfoSchema.nullable(),
  /** Why they need attention: `failed` (an enrollment at this station failed) or `stale-claim`. */
  attention: z.enum(['failed', 'stale-claim']).nullable(),
});
export type RosterEntry = z.output<typeof rosterEntrySchema>;

export const rosterCountsSchema = z.strictObject({
  total: z.int().min(0),
  done: z.int().min(0),
  'in-progress': z.int().min(0),
  'not-yet': z.int().min(0),
  'needs-attention': z.int().min(0),
});
export type RosterCounts = z.output<typeof rosterCountsSchema>;

export const rosterViewSchema = z.strictObject({
  eventName: z.string(),
  startDateTime: iso,
  /** When the roster was last read from Graph. */
  readAt: iso,
  counts: rosterCountsSchema,
  entries: z.array(rosterEntrySchema),
  /** Ids of the next people this station should call (not yet; spread from other stations', main/event/spread.ts). */
  next: z.array(z.guid()).max(10),
});
export type RosterView = z.output<typeof rosterViewSchema>;

export const boardSchema = z.strictObject({
  eventName: z.string(),
  readAt: iso,
  counts: rosterCountsSchema,
  /** People done per hour since the event started, the last full hours first. */
  throughputPerHour: z.array(z.strictObject({ hourStart: iso, done: z.int().min(0) })),
  /** Display names of the people waiting on "needs attention". */
  attention: z.array(z.strictObject({ displayName: z.string(), reason: z.enum(['failed', 'stale-claim']) })),
});
export type Board = z.output<typeof boardSchema>;

/** Event mode on the station page: `on` null until an operator signs in; off says why (`notice`). */
export type EventModeStatus = { name: string; on: boolean | null; notice: EventNotice | null };

/**
 * What the operator may ask of event mode over IPC (common/contract.ts, `kind: 'event'`). Claims are the session's
 * (made when a person is opened); the roster is read by the `roster` and `board` queries.
 */
export const eventCommandSchema = z.discriminatedUnion('type', [
  /** Release a claim older than the limit, after the operator confirmed (`confirmed` must be true). */
  z.strictObject({ type: z.literal('event.release-stale'), userId: z.guid(), confirmed: z.literal(true) }),
]);
export type EventCommand = z.output<typeof eventCommandSchema>;
