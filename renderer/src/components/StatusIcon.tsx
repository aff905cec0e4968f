import { useT } from '../i18n';

export type Status = 'pass' | 'fail' | 'warn' | 'unknown';

const GLYPH: Record<Status, string> = { pass: '✓', fail: '✕', warn: '!', unknown: '?' };

/** A status as a shape and a word, never colour alone. */
export function StatusIcon({ status }: { status: Status }) {
  const { t } = useT();
  return (
    <span className={`status status-${status}`}>
      <span className="status-glyph" aria-hidden="true">
        {GLYPH[status]}
      </span>
      <span className="status-word">{t(`status.${status}`)}</span>
    </span>
  );
}
