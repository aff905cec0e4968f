import { Button, Spinner } from '@fluentui/react-components';
import type { CleanupReport } from '../../../common/session';
import type { SessionSnapshot } from '../../../common/contract';
import { useCommands } from '../bridge';
import { Countdown } from '../components/Countdown';
import { ErrorBar } from '../components/ErrorBar';
import { StatusIcon } from '../components/StatusIcon';
import { useT } from '../i18n';
import { doneKeyMsg, fixMsg } from '../lib/desk';
import { nextMsg } from '../lib/messages';

type OutcomeSnapshot = Extract<SessionSnapshot, { screen: 'done' | 'failed' | 'timed-out' | 'cancelled' | 'cleaning-up' }>;

function Cleanup({ cleanup }: { cleanup: CleanupReport }) {
  const { t } = useT();
  return (
    <section className="card" aria-labelledby="cleanup-title">
      <h2 id="cleanup-title">{t('outcome.cleanup')}</h2>
      <ul className="checklist">
        <li>
          <StatusIcon status={cleanup.tap === 'pending' ? 'warn' : 'pass'} />
          <span>{t(`outcome.tap.${cleanup.tap}`)}</span>
        </li>
        <li>
          <StatusIcon status={cleanup.viewWiped ? 'pass' : 'warn'} />
          <span>{cleanup.viewWiped ? t('outcome.wiped') : t('outcome.notWiped')}</span>
        </li>
      </ul>
    </section>
  );
}

export function OutcomeScreen({ s }: { s: OutcomeSnapshot }) {
  const { t, m } = useT();
  const { send } = useCommands();
  if (s.screen === 'cleaning-up') {
    return (
      <section className="screen narrow" aria-labelledby="cleaning-title">
        <h1 id="cleaning-title" tabIndex={-1}>
          {t('outcome.cleaningUp.title')}
        </h1>
        <Spinner labelPosition="after" label={t(`outcome.cleaningUp.${s.why}`)} />
      </section>
    );
  }
  const next = (
    <div className="actions">
      <Button appearance="primary" size="large" onClick={() => void send({ type: 'dismiss' })}>
        {t('outcome.nextPerson')}
      </Button>
    </div>
  );
  if (s.screen === 'done') {
    return (
      <section className="screen narrow" aria-labelledby="done-title">
        <h1 id="done-title" tabIndex={-1}>
          {t('outcome.done.title', { name: s.userDisplayName })}
        </h1>
        <section className="card" aria-labelledby="registered-title">
          <h2 id="registered-title">{t('outcome.done.registered')}</h2>
          <ul className="checklist">
            <li>
              <StatusIcon status="pass" />
              <span>{m(doneKeyMsg(s.registered))}</span>
            </li>
            <li>
              <StatusIcon status={s.registered.stationKey ? 'pass' : 'warn'} />
              <span>{s.registered.stationKey ? t('outcome.done.stationKey') : t('outcome.done.otherKey')}</span>
            </li>
            {s.proven && (
              <li>
                <StatusIcon status="pass" />
                <span>{t('outcome.done.proven')}</span>
              </li>
            )}
          </ul>
        </section>
        <Cleanup cleanup={s.cleanup} />
        {s.nextAt > 0 && <Countdown endsAt={s.nextAt} label={t('countdown.label.next')} urgent={false} />}
        {next}
      </section>
    );
  }
  if (s.screen === 'cancelled') {
    return (
      <section className="screen narrow" aria-labelledby="cancelled-title">
        <h1 id="cancelled-title" tabIndex={-1}>
          {t('outcome.cancelled.title')}
        </h1>
        <Cleanup cleanup={s.cleanup} />
        <p>{t('outcome.cancelled.next')}</p>
        {next}
      </section>
    );
  }
  const fix = s.screen === 'failed' ? fixMsg(s.error) : null;
  return (
    <section className="screen narrow" aria-labelledby="outcome-title">
      <h1 id="outcome-title" tabIndex={-1}>
        {s.screen === 'failed' ? t('outcome.failed.title') : t(`outcome.timedOut.title-${s.which}`)}
      </h1>
      {s.screen === 'failed' ? <ErrorBar error={s.error} /> : <p className="lead">{t(`outcome.timedOut.lead-${s.which}`)}</p>}
      <Cleanup cleanup={s.cleanup} />
      <section className="card" aria-labelledby="next-title">
        <h2 id="next-title">{t('outcome.next')}</h2>
        {/* Where Microsoft refused: who must change which setting, before the general next step. */}
        {fix && <p className="fix">{m(fix)}</p>}
        <p>{m(nextMsg(s.next))}</p>
      </section>
      {next}
    </section>
  );
}
