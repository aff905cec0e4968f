import { useT } from '../i18n';
import { announcement, formatRemaining, remaining } from '../lib/time';
import { useNow } from './hooks';

/**
 * A countdown: the visible clock ticks every second but is hidden from screen readers; a polite live region
 * says the time left once a minute (every 30 s, then 10 s near the end), so a reader is not flooded.
 */
export function Countdown({ endsAt, label, size = 'normal', urgent = true }: { endsAt: number; label: string; size?: 'normal' | 'large'; urgent?: boolean }) {
  const { t } = useT();
  const now = useNow();
  const left = remaining(endsAt, now);
  const a = announcement(left);
  const spoken =
    a.unit === 'ended'
      ? t('countdown.ended', { label })
      : a.unit === 'minutes'
        ? t('countdown.minutes', { label, count: a.value })
        : t('countdown.seconds', { label, count: a.value });
  const low = urgent && left > 0 && left < 60_000;
  return (
    <div className={`countdown countdown-${size}${low ? ' countdown-low' : ''}`}>
      <span className="countdown-label">{label}</span>
      <span className="countdown-clock" aria-hidden="true">
        {formatRemaining(left)}
      </span>
      <span className="visually-hidden" aria-live="polite" aria-atomic="true">
        {spoken}
      </span>
    </div>
  );
}
