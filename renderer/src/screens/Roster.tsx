import { Button, Field, Input, MessageBar, MessageBarBody, Spinner } from '@fluentui/react-components';
import { useCallback, useState } from 'react';
import { useEvery } from '../components/hooks';
import type { EventNotice } from '../../../common/event-codes';
import type { RosterEntry, RosterView } from '../../../common/event';
import { useCommands } from '../bridge';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { useT } from '../i18n';
import { formatTime } from '../lib/format';
import { eventMsg } from '../lib/messages';
import { EVENT_REFRESH_MS, filterRoster, nextPeople, releasable, STATE_TAG } from '../lib/roster';

/** The roster, read again every EVENT_REFRESH_MS; "serve" opens the person at the desk (which claims them). */
export function RosterScreen({ onBack, onServe }: { onBack: () => void; onServe: (upn: string) => void }) {
  const { t, m } = useT();
  const { query, event } = useCommands();
  const [view, setView] = useState<RosterView | 'loading' | 'failed'>('loading');
  const [text, setText] = useState('');
  const [confirming, setConfirming] = useState<RosterEntry | null>(null);
  const [outcome, setOutcome] = useState<EventNotice | 'released' | null>(null);

  const load = useCallback(async () => {
    const reply = await query({ type: 'roster' });
    setView((prev) => (reply.ok && reply.kind === 'roster' ? reply.roster : prev === 'loading' ? 'failed' : prev));
  }, [query]);
  useEvery(load, EVENT_REFRESH_MS);

  const release = async (entry: RosterEntry) => {
    setConfirming(null);
    const reply = await event({ type: 'event.release-stale', userId: entry.id, confirmed: true });
    if (reply.ok && reply.kind === 'event') setOutcome(reply.notice ?? 'released');
    await load();
  };

  return (
    <section className="screen" aria-labelledby="roster-title">
      {view === 'loading' && <Spinner labelPosition="after" label={t('roster.loading')} />}
      {view === 'failed' && <p role="alert">{t('event.roster-unreadable')}</p>}
      {typeof view === 'object' && (
        <RosterBody view={view} text={text} onText={setText} onServe={(e) => onServe(e.userPrincipalName)} onRelease={setConfirming} />
      )}
      {outcome && (
        <MessageBar intent={outcome === 'released' ? 'success' : 'warning'} className="banner">
          <MessageBarBody>{outcome === 'released' ? t('roster.released') : m(eventMsg(outcome))}</MessageBarBody>
        </MessageBar>
      )}
      <div className="actions">
        <Button onClick={onBack}>{t('roster.back')}</Button>
      </div>
      <ConfirmDialog
        open={confirming !== null}
        title={t('roster.confirmTitle', { name: confirming?.displayName ?? '' })}
        confirm={t('roster.confirmYes')}
        keep={t('roster.confirmKeep')}
        onConfirm={() => confirming && void release(confirming)}
        onKeep={() => setConfirming(null)}
      >
        {t('roster.confirmBody', { ageMinutes: confirming?.claim?.ageMinutes ?? 0 })}
      </ConfirmDialog>
    </section>
  );
}

/** What the roster shows, from one RosterView (the screen above fetches it; tests render this alone). */
export function RosterBody(props: {
  view: RosterView;
  text: string;
  onText: (text: string) => void;
  onServe: (entry: RosterEntry) => void;
  onRelease: (entry: RosterEntry) => void;
}) {
  const { t, lang } = useT();
  const { view } = props;
  const shown = filterRoster(view.entries, props.text);
  const next = nextPeople(view);
  const detail = (e: RosterEntry): string => {
    if (e.doneAt) return t('roster.doneAt', { time: formatTime(e.doneAt, lang) });
    if (e.attention) return t(`roster.attention.${e.attention}`, { ageMinutes: e.claim?.ageMinutes ?? 0 });
    if (e.claim?.ours) return t('roster.claimedOurs');
    if (e.claim?.passIssuedAt) return t('event.held-elsewhere-pass', { time: formatTime(e.claim.passIssuedAt, lang), ageMinutes: e.claim.ageMinutes });
    if (e.claim) return t('event.held-elsewhere', { ageMinutes: e.claim.ageMinutes });
    return '';
  };
  return (
    <>
      <h1 id="roster-title" tabIndex={-1}>
        {t('roster.title', { name: view.eventName })}
      </h1>
      <dl className="roster-counts" aria-label={t('roster.counts')}>
        <div>
          <dt>{t('roster.total')}</dt>
          <dd>{view.counts.total}</dd>
        </div>
        {(['done', 'in-progress', 'not-yet', 'needs-attention'] as const).map((s) => (
          <div key={s}>
            <dt>{t(`roster.state.${s}`)}</dt>
            <dd>{view.counts[s]}</dd>
          </div>
        ))}
      </dl>
      <form className="find-form" role="search" onSubmit={(e) => e.preventDefault()}>
        <Field label={t('roster.search')} hint={t('roster.searchHint')}>
          <Input id="roster-input" data-autofocus size="large" value={props.text} onChange={(_, d) => props.onText(d.value)} />
        </Field>
      </form>
      {next.length > 0 && (
        <section aria-labelledby="roster-next">
          <h2 id="roster-next">{t('roster.next')}</h2>
          <ul className="roster-next">
            {next.map((e) => (
              <li key={e.id}>
                <Button appearance="primary" onClick={() => props.onServe(e)}>
                  {t('roster.serve', { name: e.displayName })}
                </Button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {shown.length === 0 ? (
        <p>{t('roster.none')}</p>
      ) : (
        <div className="table-wrap">
          <table className="today-table" aria-labelledby="roster-title">
            <thead>
              <tr>
                <th scope="col">{t('roster.col.name')}</th>
                <th scope="col">{t('roster.col.upn')}</th>
                <th scope="col">{t('roster.col.state')}</th>
                <th scope="col">{t('roster.col.detail')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((e) => (
                <tr key={e.id}>
                  <td>{e.displayName}</td>
                  <td>{e.userPrincipalName}</td>
                  <td>
                    <span className={`tag ${STATE_TAG[e.state]}`}>{t(`roster.state.${e.state}`)}</span>
                  </td>
                  <td>
                    {detail(e)}
                    {releasable(e) && (
                      <Button className="roster-release" onClick={() => props.onRelease(e)}>
                        {t('roster.release')}
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="detail">{t('roster.readAt', { time: formatTime(view.readAt, lang) })}</p>
    </>
  );
}
