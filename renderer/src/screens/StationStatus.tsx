import { Button } from '@fluentui/react-components';
import { useState } from 'react';
import { useCommands } from '../bridge';
import { operatorAtWork, type StationStatus } from '../../../common/contract';
import type { SessionSnapshot } from '../../../common/session';
import { StatusIcon, type Status } from '../components/StatusIcon';
import { useT } from '../i18n';
import { eventMsg, journalHealthMsg, journalTodoMsg, stationNoteMsg } from '../lib/messages';
import { formatTime } from '../lib/format';

export type StationProblem = 'config' | 'tenant' | 'keyReader' | 'journal';

/** What is wrong with the station itself (each has its own page section with what to do). */
export function stationProblems(station: StationStatus): StationProblem[] {
  const out: StationProblem[] = [];
  if (!station.config.ok) out.push('config');
  if (station.tenant.status === 'unreachable') out.push('tenant');
  if (station.keyReader.status === 'unavailable') out.push('keyReader');
  if (station.journal !== null && station.journal !== 'ok') out.push('journal');
  return out;
}

/**
 * "Reset a returned key" from this page (as on the search screen): offered where the station can reset keys (the
 * search screen's snapshot says so; elsewhere it is not known, so offered), enabled only for a signed-in operator at
 * the search screen (where main accepts it) with a journal that can record the reset; otherwise disabled, saying why.
 */
export function recycleEntry(station: StationStatus, session: SessionSnapshot | null): { offered: boolean; blocked: 'operator' | 'journal' | 'busy' | null } {
  const offered = session !== null && !(session.screen === 'ready' && session.canRecycle !== true);
  const blocked = !operatorAtWork(session) ? 'operator' : station.journal !== 'ok' ? 'journal' : session?.screen !== 'ready' ? 'busy' : null;
  return { offered, blocked };
}

export function StationStatusScreen({
  station,
  session,
  hasSession,
  onBack,
}: {
  station: StationStatus;
  session: SessionSnapshot | null;
  hasSession: boolean;
  onBack: () => void;
}) {
  const { t, m, lang } = useT();
  const { query, send } = useCommands();
  const recycle = recycleEntry(station, session);
  const startRecycle = async () => {
    if ((await send({ type: 'recycleKey' })).ok) onBack();
  };
  // "Check again": main probes the journal; a success clears the line through the status stream.
  const [checking, setChecking] = useState(false);
  const checkJournal = async () => {
    setChecking(true);
    try {
      await query({ type: 'checkJournal' });
    } finally {
      setChecking(false);
    }
  };
  const problems = stationProblems(station);
  const configStatus: Status = station.config.ok ? 'pass' : 'fail';
  const tenantStatus: Status = station.tenant.status === 'reachable' ? 'pass' : station.tenant.status === 'unreachable' ? 'fail' : 'unknown';
  const journalStatus: Status = station.journal === 'ok' ? 'pass' : 'fail';
  const readerStatus: Status = station.keyReader.status === 'ok' ? 'pass' : station.keyReader.status === 'unavailable' ? 'fail' : 'unknown';
  return (
    <section className="screen" aria-labelledby="station-title">
      <h1 id="station-title" tabIndex={-1}>
        {problems.length > 0 ? t('station.titleProblem') : t('station.title')}
      </h1>
      <p className="lead">{problems.length > 0 ? t('station.leadProblem') : hasSession ? t('station.leadOk') : t('station.leadStarting')}</p>
      <ul className="checklist station-list">
        <li>
          <StatusIcon status={configStatus} />
          <div>
            <h2>{t('station.config.name')}</h2>
            <p>
              {station.config.ok
                ? t('station.config.ok', { file: station.config.file })
                : t(station.config.note.code === 'config.protection-loose' ? 'station.config.titleProtection' : 'station.config.title')}
            </p>
            {!station.config.ok && (
              <>
                <p className="detail">
                  <code>{station.config.file}</code>: {m(stationNoteMsg(station.config.note))}
                </p>
                <p className="todo">{t(station.config.note.code === 'config.protection-loose' ? 'station.config.todoProtection' : 'station.config.todo')}</p>
              </>
            )}
          </div>
        </li>
        <li>
          <StatusIcon status={tenantStatus} />
          <div>
            <h2>{t('station.tenant.name')}</h2>
            <p>{t(`station.tenant.${station.tenant.status}`)}</p>
            {station.tenant.note && <p className="detail">{m(stationNoteMsg(station.tenant.note))}</p>}
            {station.tenant.checkedAt !== null && (
              <p className="detail">{t('station.tenant.checkedAt', { time: formatTime(new Date(station.tenant.checkedAt).toISOString(), lang) })}</p>
            )}
            {station.tenant.status === 'unreachable' && <p className="todo">{t('station.tenant.todo')}</p>}
          </div>
        </li>
        <li>
          <StatusIcon status={readerStatus} />
          <div>
            <h2>{t('station.keyReader.name')}</h2>
            <p>{t(`station.keyReader.${station.keyReader.status}`)}</p>
            {station.keyReader.note && <p className="detail">{m(stationNoteMsg(station.keyReader.note))}</p>}
            {station.keyReader.status === 'unavailable' && <p className="todo">{t('station.keyReader.todo')}</p>}
          </div>
        </li>
        {station.journal !== null && (
          <li>
            <StatusIcon status={journalStatus} />
            <div>
              <h2>{t('station.journal.name')}</h2>
              <p>{m(journalHealthMsg(station.journal))}</p>
              {station.journal !== 'ok' && <p className="todo">{m(journalTodoMsg(station.journal))}</p>}
              {station.journal !== 'ok' && (
                <Button disabled={checking} onClick={() => void checkJournal()}>
                  {t('station.journal.check')}
                </Button>
              )}
            </div>
          </li>
        )}
        {station.event && (
          <li>
            <StatusIcon status={station.event.on === true ? 'pass' : station.event.on === false ? 'fail' : 'unknown'} />
            <div>
              <h2>{t('event.station')}</h2>
              <p>
                {station.event.on === true
                  ? t('event.on', { name: station.event.name })
                  : station.event.notice
                    ? m(eventMsg(station.event.notice))
                    : t('event.waiting', { name: station.event.name })}
              </p>
            </div>
          </li>
        )}
      </ul>
      {hasSession && recycle.offered && (
        <section className="card recycle-entry" aria-labelledby="station-recycle-title">
          <h2 id="station-recycle-title">{t('station.recycle.name')}</h2>
          <p>{t('station.recycle.body')}</p>
          {recycle.blocked && <p className="todo">{t(`station.recycle.blocked.${recycle.blocked}`)}</p>}
          <Button size="large" disabled={recycle.blocked !== null} onClick={() => void startRecycle()}>
            {t('find.recycle')}
          </Button>
        </section>
      )}
      {hasSession && (
        <div className="actions">
          <Button appearance="primary" size="large" onClick={onBack}>
            {t('station.back')}
          </Button>
        </div>
      )}
    </section>
  );
}
