/**
 * Event mode's codes (main/event/): why event mode is off, and what a claim or a roster read ran into. Written like
 * every set of codes (coded.ts); the renderer's locale files word each.
 */
import { z } from 'zod';
import { codesOf, heldElsewhere, none, type CodeSchemas, type Coded } from './coded';

export const EVENT_CODES = {
  /** The station's configuration names no event. */
  'event.off-not-configured': none,
  /** The operator's token lacks GroupMember.ReadWrite.All (not consented, or not granted): event mode is off. */
  'event.off-no-permission': none,
  /** Graph refused to change the claim group's members for this operator (not an owner, no group role). */
  'event.off-not-group-owner': none,
  /** The person is claimed at another station ("in progress at another station"). */
  'event.held-elsewhere': heldElsewhere,
  /** The person already has a passkey from this event. */
  'event.already-done': none,
  /** The person is not on the event's roster. */
  'event.not-on-roster': none,
  /** The claim could not be made (Graph did not answer, or refused for another reason): nothing was issued. */
  'event.claim-failed': none,
  /** The claim could not be released yet; it is journalled and retried. */
  'event.release-pending': none,
  /** An operator asked to release a claim that is not older than the limit. */
  'event.not-stale': z.strictObject({ ageMinutes: z.int().min(0), limitMinutes: z.int().min(1) }),
  /** The roster could not be read (Graph unavailable, throttled beyond the budget). */
  'event.roster-unreadable': none,
} as const satisfies CodeSchemas;
export type EventCode = keyof typeof EVENT_CODES;
export const EVENT_CODE_LIST = codesOf(EVENT_CODES);
export type EventNotice = Coded<typeof EVENT_CODES>;
