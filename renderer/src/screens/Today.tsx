import { Button, Spinner } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { isEnrollmentOutcome, type TodayColumn, type TodayRow } from '../../../common/contract';
import { useCommands } from '../bridge';
import { useT } from '../i18n';
import { outcomeMsg } from '../lib/messages';
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

/** The columns of the audit CSV (common/contract.ts TODAY_COLUMNS) this table shows, in this order; headings `today.col.<column>`. */
const SHOWN = ['started', 'user', 'operator', 'id_document', 'key_model', 'outcome', 'finished'] as const satisfies readonly TodayColumn[];

export function TodayScreen({ onBack }: { onBack: () => void }) {
  const { t, m, lang } = useT();
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

  const cell = (r: TodayRow, c: (typeof SHOWN)[number]): string => {
    if (c === 'started' || c === 'finished') return formatTime(r[c], lang);
    if (c === 'id_document') return r.id_document ? t(`document.${r.id_document}`, { defaultValue: r.id_document }) : '';
    if (c === 'outcome') return isEnrollmentOutcome(r.outcome) ? m(outcomeMsg(r.outcome)) : r.outcome;
    return r[c];
  };

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
                  {SHOWN.map((c) => (
                    <th key={c} scope="col">
                      {t(`today.col.${c}`)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.rows.map((r) => (
                  <tr key={r.enrollment}>
                    {SHOWN.map((c) => (
                      <td key={c}>{cell(r, c)}</td>
                    ))}
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
