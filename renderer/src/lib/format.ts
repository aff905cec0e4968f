/**
 * Dates and times for the screen, in the kiosk's language (`Intl` with its locale everywhere: German times on the
 * 24-hour clock). Pure apart from the runtime's Intl data.
 */
import type { TodayRow } from '../../../common/contract';

/** The locale a language is formatted in. */
export function localeOf(lang: string): string {
  return lang === 'de' ? 'de-DE' : 'en-GB';
}

export function formatDate(iso: string, lang: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(localeOf(lang), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** "14:05" (hours and minutes; '' for no time). */
export function formatTime(iso: string, lang: string): string {
  if (iso === '') return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : new Intl.DateTimeFormat(localeOf(lang), { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
}

/** A calendar day (YYYY-MM-DD) in full: "Saturday 5 December 2026". */
export function formatDay(day: string, lang: string): string {
  const d = new Date(`${day}T12:00:00`);
  return Number.isNaN(d.getTime()) ? day : new Intl.DateTimeFormat(localeOf(lang), { dateStyle: 'full' }).format(d);
}

/** Today's rows worth showing: an enrollment that never opened a person (a search, then nothing) is no row. */
export function todayRows(rows: readonly TodayRow[]): TodayRow[] {
  return rows.filter((r) => r.user !== '' || r.tap_issued !== '' || (r.outcome !== '' && r.outcome !== 'incomplete'));
}
