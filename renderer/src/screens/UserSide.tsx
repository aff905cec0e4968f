import { Button, MessageBar, MessageBarBody } from '@fluentui/react-components';
import type { SessionSnapshot } from '../../../common/contract';
import { useCommands } from '../bridge';
import { Countdown } from '../components/Countdown';
import { KeyPanel } from '../components/KeyPanel';
import { useT } from '../i18n';
import { GUIDE_STEPS, guideStates } from '../lib/guide';
import { keyWarningMsg } from '../lib/messages';
import { findCountdown } from '../lib/time';

type UserSideSnapshot = Extract<SessionSnapshot, { screen: 'waiting-for-sign-in' | 'registering' }>;

/**
 * The guide panel for the person at the desk. In Electron My Security Info is a separate view on the right
 * 60 % of the window (main/kiosk/security-info-view.ts); this panel is the left column. Large type, 44 px targets.
 */
export function UserSideScreen({ s }: { s: UserSideSnapshot }) {
  const { t, m } = useT();
  const { send } = useCommands();
  const states = guideStates(s.guide);
  const regWindow = findCountdown(s.countdowns, 'registration-window');
  const lifetime = findCountdown(s.countdowns, 'tap-lifetime');
  return (
    <section className="screen user-side" aria-labelledby="user-title">
      <h1 id="user-title" tabIndex={-1}>
        {s.screen === 'registering' ? t('userSide.titleRegistering') : t('userSide.titleWaiting')}
      </h1>
      <p className="lead">{t('userSide.lead', { name: s.user.displayName })}</p>
      {regWindow && <Countdown endsAt={regWindow.endsAt} label={t('countdown.label.registration-window')} size="large" />}
      {!regWindow && lifetime && <Countdown endsAt={lifetime.endsAt} label={t('countdown.label.tap-lifetime')} size="large" />}
      {s.keyWarning && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>{m(keyWarningMsg(s.keyWarning))}</MessageBarBody>
        </MessageBar>
      )}
      <ol className="guide">
        {GUIDE_STEPS.map((step, i) => (
          <li key={step} className={`guide-step guide-${states[step]}`} aria-current={states[step] === 'current' ? 'step' : undefined}>
            <span className="guide-number" aria-hidden="true">
              {states[step] === 'done' ? '✓' : i + 1}
            </span>
            <span>
              <span className="guide-name">{t(`guide.${step}.name`)}</span>
              <span className="guide-text">{t(`guide.${step}.text`)}</span>
              <span className="visually-hidden">{t(`guide.state.${states[step]}`)}</span>
            </span>
          </li>
        ))}
      </ol>
      <KeyPanel k={s.key} reasons={false} large />
      <div className="actions">
        <Button size="large" onClick={() => void send({ type: 'cancel' })}>
          {t('userSide.cancel')}
        </Button>
      </div>
    </section>
  );
}
