import { Button, Spinner } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { TodayRow } from '../../../common/contract';
import { useCommands } from '../bridge';
import { useT } from '../i18n';
import { formatDay, formatTime, todayRows } from '../lib/format';

/** Downloads are denied in Electron (main/kiosk/navigation-policy.ts); there the CSV is shown for copying. */
const IN_ELECTRON = typeof navigator !== 'undefined' && /Electron\//.test(navigator.userAgent);

function saveCsv(fileName: string, csv: string): void {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    a.click();
  } finally {
    URL.revokeObjectURL(url);
  }
}

export function TodayScreen({ onBack }: { onBack: () => void }) {
  const { t, lang } = useT();
  const { query } = useCommands();
  const [data, setData] = useState<{ day: string; rows: TodayRow[] } | 'loading' | 'failed'>('loading');
  const [csv, setCsv] = useState<{ fileName: string; csv: string } | null>(null);
  useEffect(() => {
    let live = true;
    void query({ type: 'today' }).then((reply) => {
      if (!live) return;
      setData(reply.ok && reply.kind === 'today' ? { day: reply.day, rows: todayRows(reply.rows) } : 'failed');
    });
    return () => {
      live = false;
    };
  }, [query]);

  const exportCsv = async (show: boolean) => {
    const reply = await query({ type: 'exportCsv' });
    if (!reply.ok || reply.kind !== 'exportCsv') return;
    if (show) setCsv({ fileName: reply.fileName, csv: reply.csv });
    else saveCsv(reply.fileName, reply.csv);
  };

  return (
    <section className="screen" aria-labelledby="today-title">
      <h1 id="today-title" tabIndex={-1}>
        {typeof data === 'object' ? t('today.titleDay', { day: formatDay(data.day, lang) }) : t('today.title')}
      </h1>
      {data === 'loading' && <Spinner labelPosition="after" label={t('today.loading')} />}
      {data === 'failed' && <p role="alert">{t('today.failed')}</p>}
      {typeof data === 'object' &&
        (data.rows.length === 0 ? (
          <p>{t('today.none')}</p>
        ) : (
          <div className="table-wrap">
            <table className="today-table" aria-labelledby="today-title">
              <thead>
                <tr>
                  <th scope="col">{t('today.col.started')}</th>
                  <th scope="col">{t('today.col.user')}</th>
                  <th scope="col">{t('today.col.operator')}</th>
                  <th scope="col">{t('today.col.document')}</th>
                  <th scope="col">{t('today.col.model')}</th>
                  <th scope="col">{t('today.col.outcome')}</th>
                  <th scope="col">{t('today.col.finished')}</th>
                </tr>
              </thead>
              <tbody>
                {data.rows.map((r) => (
                  <tr key={r.enrollment}>
                    <td>{formatTime(r.started, lang)}</td>
                    <td>{r.user}</td>
                    <td>{r.operator}</td>
                    <td>{r.id_document ? t(`document.${r.id_document}`, { defaultValue: r.id_document }) : ''}</td>
                    <td>{r.key_model}</td>
                    <td>{r.outcome ? t(`today.outcome.${r.outcome.replace(/\s+/g, '-')}`, { defaultValue: r.outcome }) : ''}</td>
                    <td>{formatTime(r.finished, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      <div className="actions">
        {!IN_ELECTRON && (
          <Button appearance="primary" onClick={() => void exportCsv(false)}>
            {t('today.download')}
          </Button>
        )}
        <Button onClick={() => void exportCsv(true)}>{t('today.show')}</Button>
        <Button onClick={onBack}>{t('today.back')}</Button>
      </div>
      {csv && (
        <div className="csv">
          <label htmlFor="csv-text">{t('today.csvLabel', { file: csv.fileName })}</label>
          <textarea id="csv-text" readOnly value={csv.csv} rows={8} className="csv-text" />
        </div>
      )}
    </section>
  );
}
