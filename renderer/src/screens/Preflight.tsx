import { Button, Field, SpinButton, Spinner } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { SessionSnapshot } from '../../../common/contract';
import { useCommands } from '../bridge';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Countdown } from '../components/Countdown';
import { IdentityCard } from '../components/IdentityCard';
import { KeyPanel } from '../components/KeyPanel';
import { ModeChoice } from '../components/ModeChoice';
import { StatusIcon } from '../components/StatusIcon';
import { useT } from '../i18n';
import { formatDate } from '../lib/format';
import { recheckHelps, verdictMsg } from '../lib/desk';
import { checkMsg } from '../lib/messages';

/** Problems first (a stable sort keeps main's order within a status). */
const RANK = { fail: 0, unknown: 1, warn: 2, pass: 3 } as const;

type PreflightSnapshot = Extract<SessionSnapshot, { screen: 'preflight' | 'confirm-replace' | 'issuing' }>;

export function PreflightScreen({ s }: { s: PreflightSnapshot }) {
  const { t, m, lang } = useT();
  const { send } = useCommands();
  // The last pre-flight snapshot stays on screen under the dialog and while issuing.
  const [last, setLast] = useState<Extract<SessionSnapshot, { screen: 'preflight' }> | null>(s.screen === 'preflight' ? s : null);
  useEffect(() => {
    if (s.screen === 'preflight') setLast(s);
  }, [s]);
  const p = s.screen === 'preflight' ? s : last;
  const [lifetime, setLifetime] = useState<number | null>(p?.lifetimeMinutes ?? null);
  useEffect(() => setLifetime(p?.lifetimeMinutes ?? null), [p?.lifetimeMinutes]);
  const busy = s.screen !== 'preflight';
  // While the audit journal cannot record, nothing that changes the person's account may start (main refuses too).
  const journalBlocked = p?.checks.some((c) => c.code === 'journal-writable' && c.status === 'fail') ?? false;
  // Bounds read from the tenant's policy, or only Microsoft's own limits (the role cannot read the policy).
  const boundsRead = p?.checks.find((c) => c.code === 'lifetime-in-bounds')?.status !== 'unknown';
  // The dialog's text stays while it fades out after the snapshot has moved on.
  const [existingTap, setExistingTap] = useState(s.screen === 'confirm-replace' ? s.existingTap : null);
  useEffect(() => {
    if (s.screen === 'confirm-replace') setExistingTap(s.existingTap);
  }, [s]);

  const chooseLifetime = (minutes: number | null | undefined) => {
    if (!p || minutes == null || !Number.isInteger(minutes)) return;
    const clamped = Math.min(p.lifetimeBounds.max, Math.max(p.lifetimeBounds.min, minutes));
    setLifetime(clamped);
    if (clamped !== p.lifetimeMinutes) void send({ type: 'chooseLifetime', minutes: clamped });
  };

  return (
    <section className="screen" aria-labelledby="preflight-title">
      <h1 id="preflight-title" tabIndex={-1}>
        {t('preflight.title')}
      </h1>
      <div className="two-col">
        <div>
          <IdentityCard user={s.user} compact />
          {p ? (
            <section className="card" aria-labelledby="checks-title">
              <h2 id="checks-title">{t('preflight.checks')}</h2>
              <p className="lead">
                <span className="verdict">{m(verdictMsg(p.verdict, p.checks))}</span> {t('preflight.document', { document: t(`document.${p.document}`) })}
              </p>
              <ul className="checklist">
                {[...p.checks]
                  .sort((a, b) => RANK[a.status] - RANK[b.status])
                  .map((c) => (
                    <li key={c.code} className={`check check-${c.status}`}>
                      <StatusIcon status={c.status} />
                      <span>{m(checkMsg(c))}</span>
                    </li>
                  ))}
              </ul>
            </section>
          ) : (
            <Spinner label={t('verify.checking')} />
          )}
        </div>
        <div>
          <KeyPanel k={s.key} />
          {p && (
            <section className="card" aria-labelledby="pass-options-title">
              <h2 id="pass-options-title">{t('preflight.pass')}</h2>
              <Field
                label={t('preflight.lifetime')}
                hint={t(boundsRead ? 'preflight.lifetimeHint' : 'preflight.lifetimeHintGraph', { min: p.lifetimeBounds.min, max: p.lifetimeBounds.max })}
              >
                <SpinButton
                  value={lifetime}
                  min={p.lifetimeBounds.min}
                  max={p.lifetimeBounds.max}
                  step={5}
                  disabled={busy}
                  onChange={(_, d) => {
                    const v = d.value ?? (d.displayValue !== undefined ? Number.parseInt(d.displayValue, 10) : null);
                    chooseLifetime(Number.isNaN(v) ? null : v);
                  }}
                />
              </Field>
              <p>{p.oneTime ? t('preflight.oneTime') : t('preflight.multiUse')}</p>
              <div className="actions">
                {p.modes ? (
                  <ModeChoice modes={p.modes} busy={busy} issuing={s.screen === 'issuing'} />
                ) : (
                  <Button appearance="primary" size="large" disabled={busy || p.verdict === 'refused'} onClick={() => void send({ type: 'issue' })}>
                    {s.screen === 'issuing' ? t('preflight.issuing') : t('preflight.issue')}
                  </Button>
                )}
                {recheckHelps(p.verdict, p.checks) && (
                  <Button size="large" disabled={busy} onClick={() => void send({ type: 'recheck' })}>
                    {t('preflight.recheck')}
                  </Button>
                )}
              </div>
              {p.verdict === 'refused' && <p className="hint">{recheckHelps(p.verdict, p.checks) ? t('preflight.refusedHint') : t('preflight.fixedHint')}</p>}
              {s.screen === 'issuing' && <Spinner size="small" labelPosition="after" label={t('preflight.issuing')} />}
              {s.screen === 'issuing' && s.waiting && (
                <div className="notice" role="status" data-waiting={s.waiting.code}>
                  <p>{t(`issuing.${s.waiting.code}`)}</p>
                  <div className="countdowns">
                    {s.waiting.countdowns.map((c) => (
                      <Countdown key={c.kind} endsAt={c.endsAt} label={t(`countdown.label.${c.kind}`)} />
                    ))}
                  </div>
                </div>
              )}
            </section>
          )}
          <div className="actions secondary">
            <Button disabled={busy || journalBlocked} onClick={() => void send({ type: 'lostKey' })}>
              {t('preflight.lostKey')}
            </Button>
            <Button onClick={() => void send({ type: 'cancel' })}>{t('common.cancel')}</Button>
          </div>
        </div>
      </div>
      <ConfirmDialog
        open={s.screen === 'confirm-replace'}
        title={t('replace.title')}
        confirm={t('replace.confirm')}
        keep={t('replace.keep')}
        onConfirm={() => void send({ type: 'confirmReplace' })}
        onKeep={() => void send({ type: 'dismiss' })}
      >
        <p>
          {existingTap &&
            t(existingTap.isUsable ? 'replace.usable' : 'replace.unusable', {
              date: existingTap.createdDateTime ? formatDate(existingTap.createdDateTime, lang) : '—',
              minutes: existingTap.lifetimeInMinutes,
            })}
        </p>
        <p>{t('replace.body')}</p>
      </ConfirmDialog>
    </section>
  );
}
