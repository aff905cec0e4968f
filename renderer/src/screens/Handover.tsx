import { Button } from '@fluentui/react-components';
import type { SessionSnapshot } from '../../../common/contract';
import { useCommands } from '../bridge';
import { Countdown } from '../components/Countdown';
import { PassPanel } from '../components/PassPanel';
import { useT } from '../i18n';
import { noticeMsg } from '../lib/messages';
import { findCountdown } from '../lib/time';

type HandoverSnapshot = Extract<SessionSnapshot, { screen: 'handover' }>;

/** The pass, shown to the operator and the person at hand-over (how it stays uncopyable: components/PassPanel.tsx). */
export function HandoverScreen({ s }: { s: HandoverSnapshot }) {
  const { t, m } = useT();
  const { send } = useCommands();
  const lifetime = findCountdown(s.countdowns, 'tap-lifetime');
  const shown = findCountdown(s.countdowns, 'handover');
  return (
    <section className="screen" aria-labelledby="handover-title">
      <h1 id="handover-title" tabIndex={-1}>
        {t('handover.title', { name: s.user.displayName })}
      </h1>
      <p className="lead">{t('handover.lead')}</p>
      <PassPanel pass={s.pass} />
      <p className="pass-facts">
        {s.oneTime ? t('handover.oneTime') : t('handover.multiUse')} · {t('handover.lifetime', { count: s.lifetimeMinutes })}
      </p>
      {s.notices.map((n) => (
        <p key={n.code} className="notice" role="status" data-notice={n.code}>
          {m(noticeMsg(n))}
        </p>
      ))}
      <div className="countdowns">
        {lifetime && <Countdown endsAt={lifetime.endsAt} label={t('countdown.label.tap-lifetime')} />}
        {shown && <Countdown endsAt={shown.endsAt} label={t('countdown.label.handover')} />}
      </div>
      <div className="actions">
        <Button appearance="primary" size="large" onClick={() => void send({ type: 'handedOver' })}>
          {t('handover.done')}
        </Button>
        <Button size="large" onClick={() => void send({ type: 'cancel' })}>
          {t('handover.cancel')}
        </Button>
      </div>
    </section>
  );
}
