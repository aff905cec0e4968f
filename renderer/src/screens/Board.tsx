import { Button } from '@fluentui/react-components';
import { useCallback, useState } from 'react';
import { useEvery } from '../components/hooks';
import type { Board } from '../../../common/event';
import { useCommands } from '../bridge';
import { useT } from '../i18n';
import { formatTime } from '../lib/format';
import { EVENT_REFRESH_MS } from '../lib/roster';

/** The board, full screen and read-only (a second display, the hall's screen); asks again every EVENT_REFRESH_MS. */
export function BoardScreen({ onClose }: { onClose: () => void }) {
  const { t } = useT();
  const { query } = useCommands();
  const [board, setBoard] = useState<Board | 'failed' | null>(null);
  const load = useCallback(async () => {
    const reply = await query({ type: 'board' });
    setBoard((prev) => (reply.ok && reply.kind === 'board' ? reply.board : prev === null ? 'failed' : prev));
  }, [query]);
  useEvery(load, EVENT_REFRESH_MS);
  return (
    <main id="main" className="board" tabIndex={-1}>
      {board === 'failed' && <p role="alert">{t('event.roster-unreadable')}</p>}
      {board && board !== 'failed' && <BoardBody board={board} />}
      <Button className="board-close" onClick={onClose}>
        {t('board.close')}
      </Button>
    </main>
  );
}

export function BoardBody({ board }: { board: Board }) {
  const { t, lang } = useT();
  const { counts } = board;
  return (
    <>
      <h1 tabIndex={-1}>{t('board.title', { name: board.eventName })}</h1>
      <p className="board-progress-text">{t('board.progress', { done: counts.done, total: counts.total })}</p>
      <progress
        className="board-progress"
        value={counts.done}
        max={Math.max(1, counts.total)}
        aria-label={t('board.progress', { done: counts.done, total: counts.total })}
      />
      <dl className="roster-counts">
        {(['done', 'in-progress', 'not-yet', 'needs-attention'] as const).map((s) => (
          <div key={s}>
            <dt>{t(`roster.state.${s}`)}</dt>
            <dd>{counts[s]}</dd>
          </div>
        ))}
      </dl>
      <div className="board-columns">
        <section aria-labelledby="board-throughput">
          <h2 id="board-throughput">{t('board.throughput')}</h2>
          <ul className="board-hours">
            {board.throughputPerHour.map((h) => (
              <li key={h.hourStart}>
                <span>{t('board.hour', { time: formatTime(h.hourStart, lang) })}</span> <strong>{h.done}</strong>
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="board-attention">
          <h2 id="board-attention">{t('board.attention')}</h2>
          {board.attention.length === 0 ? (
            <p>{t('board.nobody')}</p>
          ) : (
            <ul className="board-attention">
              {board.attention.map((a) => (
                <li key={a.displayName}>
                  {a.displayName}: {t(`board.reason.${a.reason}`)}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <p className="detail">{t('board.updated', { time: formatTime(board.readAt, lang) })}</p>
    </>
  );
}
