import { formatShortDate, type ZonedTime } from './go-time';

/** An instant in the user's time zone, with the zone's abbreviation at that instant. */
export interface LocalTime {
  time: ZonedTime;
  /** `UTC`, `CET`, `EST`; the offset (`+03`, `+0530`) where the zone has no abbreviation in letters. */
  zone: string;
}

/** Locales whose time zone names give the letters abbreviations of most zones (CET, BST, IST, AEST, EST). */
const ABBREVIATION_LOCALES = ['en-US', 'en-GB', 'en-IN', 'en-AU'];

/**
 * The instant in the user's time zone, as Go's time.Local gives it: $TZ (empty is UTC, a leading `:` ignored), else
 * the system's zone. A $TZ that names no zone falls back to the system's.
 */
export function inLocalZone(t: ZonedTime, env: NodeJS.ProcessEnv): LocalTime {
  const requested = env.TZ === undefined ? undefined : env.TZ === '' ? 'UTC' : env.TZ.replace(/^:/, '');
  let timeZone: string | undefined;
  try {
    timeZone = new Intl.DateTimeFormat('en-US', { timeZone: requested }).resolvedOptions().timeZone;
  } catch {
    timeZone = undefined;
  }
  const instant = new Date(t.epochMs);
  const zoneName = (locale: string, style: 'short' | 'longOffset') =>
    new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: style })
      .formatToParts(instant)
      .find((part) => part.type === 'timeZoneName')?.value ?? '';
  const match = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(zoneName('en-US', 'longOffset'));
  const offsetMinutes = match?.[1] ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
  const letters = ABBREVIATION_LOCALES.map((locale) => zoneName(locale, 'short')).find((name) =>
    /^[A-Z]{2,5}$/.test(name),
  );
  return { time: { ...t, offsetMinutes }, zone: letters ?? numericZone(offsetMinutes) };
}

/** The layout `2006/01/02 15:04 MST` in the user's time zone (lxc's `.Local().Format(layout)`). */
export function formatLocalShortDate(t: ZonedTime, env: NodeJS.ProcessEnv): string {
  const local = inLocalZone(t, env);
  return formatShortDate(local.time).replace(/ \S+$/, ` ${local.zone}`);
}

/** A zone without letters as tzdata names it: `+03`, `-0330`. */
function numericZone(offsetMinutes: number): string {
  const abs = Math.abs(offsetMinutes);
  const minutes = abs % 60;
  const hours = String(Math.floor(abs / 60)).padStart(2, '0');
  return `${offsetMinutes < 0 ? '-' : '+'}${hours}${minutes === 0 ? '' : String(minutes).padStart(2, '0')}`;
}
