import { Button, MessageBar, MessageBarBody } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import type { SessionSnapshot } from '../../../common/contract';
import { useCommands } from '../bridge';
import { Countdown } from '../components/Countdown';
import { KeyPanel } from '../components/KeyPanel';
import { PassPanel } from '../components/PassPanel';
import { useT } from '../i18n';
import { GUIDE_STEPS, guideStates } from '../lib/guide';
import { useNow } from '../components/hooks';
import { freshMsg, interruptMsgs, keyWarningMsg } from '../lib/messages';
import { findCountdown, registrationClock } from '../lib/time';

type UserSideSnapshot = Extract<SessionSnapshot, { screen: 'waiting-for-sign-in' | 'registering' }>;

/**
 * The guide panel for the person at the desk. In Electron My Security Info is a separate view beside this
 * panel (main/kiosk/security-info-view.ts), placed by common/window-layout.ts; this panel is the left column. Large type, 44 px targets.
 */
export function UserSideScreen({ s }: { s: UserSideSnapshot }) {
  const { t, m } = useT();
  const { send } = useCommands();
  const states = guideStates(s.guide);
  const now = useNow();
  // Whichever binds first: the registration window or the five minutes of a fresh sign-in (lib/time.ts).
  const clock = s.screen === 'registering' ? registrationClock(s.countdowns, now) : { countdown: null, freshEnded: false };
  const lifetime = findCountdown(s.countdowns, 'tap-lifetime');
  const facts =
    s.screen === 'waiting-for-sign-in' && s.pass ? (
      // What My Security Info asks for, in this panel until the page moves past the pass prompt (never covered:
      // common/window-layout.ts). The operator can hide it sooner.
      <section className="sign-in-facts" aria-labelledby="sign-in-facts-title">
        <h2 id="sign-in-facts-title" className="visually-hidden">
          {t('userSide.typeThese')}
        </h2>
        <p className="sign-in-label">{t('userSide.userName')}</p>
        <p className="sign-in-upn">{s.user.userPrincipalName}</p>
        <p className="sign-in-label">{t('userSide.pass')}</p>
        <PassPanel pass={s.pass} size="medium" />
        <div className="actions sign-in-actions">
          {s.signInPage && (
            // Only the user name goes into the page (main types it); the person types the pass.
            <Button appearance="primary" onClick={() => void send({ type: 'fillUserName' })}>
              {t('userSide.fillUserName')}
            </Button>
          )}
          <Button appearance="subtle" onClick={() => void send({ type: 'hidePass' })}>
            {t('userSide.hidePass')}
          </Button>
        </div>
      </section>
    ) : null;
  // Microsoft's registration interrupt is the current step's page ("add-key", lib/guide.ts): what to choose there is
  // that step's text, and the operator's part folds away. Once the five minutes of a fresh sign-in are over, no step
  // can be done: what to do instead is the current step's text. So the step stays above the fold at 1024×768.
  const freshOver = s.screen === 'registering' && clock.freshEnded ? freshMsg(s.whenFreshEnds) : null;
  const interrupt = s.screen === 'registering' && s.interrupt && !freshOver ? interruptMsgs(s.interrupt) : null;
  const stepNote = (step: string) => freshOver ?? (interrupt && step === 'add-key' ? interrupt[0] : null);
  const clocks = (
    <>
      {clock.countdown && <Countdown endsAt={clock.countdown.endsAt} label={t(`countdown.label.${clock.countdown.kind}`)} size="large" />}
      {clock.countdown?.kind === 'fresh-sign-in' && <p className="fresh-hint">{t('userSide.fresh.hint')}</p>}
      {!clock.countdown && lifetime && <Countdown endsAt={lifetime.endsAt} label={t('countdown.label.tap-lifetime')} size="large" />}
    </>
  );
  return (
    <section className="screen user-side" aria-labelledby="user-title">
      <h1 id="user-title" tabIndex={-1}>
        {s.screen === 'registering' ? t('userSide.titleRegistering') : t('userSide.titleWaiting')}
      </h1>
      {/* "Stop" at the top of the panel: always in view, never over what the person reads. */}
      <StopButton onStop={() => void send({ type: 'cancel' })} />
      {/* A message above the guide takes the lead's place: the current step stays above the fold. */}
      {!(clock.freshEnded || s.keyWarning) && <p className="lead">{t('userSide.lead', { name: s.user.displayName })}</p>}
      {/* Registering: the clock that binds, above the guide. Signing in: below it (the pass's own lifetime). */}
      {s.screen === 'registering' && clocks}
      {s.keyWarning && (
        <MessageBar className="user-message" intent="warning" layout="multiline">
          <MessageBarBody>{m(keyWarningMsg(s.keyWarning))}</MessageBarBody>
        </MessageBar>
      )}
      {/* One step current at a time, in full; finished and coming steps are one line each, so the current step
          stays above the fold at 1024×768 (test/e2e/support/sizes.ts). What signing in needs is in its step. */}
      <ol className="guide">
        {GUIDE_STEPS.map((step, i) => {
          const note = states[step] === 'current' ? stepNote(step) : null;
          return (
            <li key={step} className={`guide-step guide-${states[step]}`} aria-current={states[step] === 'current' ? 'step' : undefined}>
              <span className="guide-number" aria-hidden="true">
                {states[step] === 'done' ? '✓' : i + 1}
              </span>
              <span className="guide-body">
                <span className="guide-name">{t(`guide.${step}.name`)}</span>
                {note && <span className={`guide-text user-message${freshOver ? ' guide-warning' : ''}`}>{m(note)}</span>}
                {states[step] === 'current' && !note && <span className="guide-text">{t(`guide.${step}.text`)}</span>}
                <span className="visually-hidden">{t(`guide.state.${states[step]}`)}</span>
              </span>
              {step === 'sign-in' && facts}
              {interrupt && step === 'add-key' && states[step] === 'current' && (
                <details className="operator-note">
                  <summary>{t('userSide.forOperator')}</summary>
                  <p>{m(interrupt[1])}</p>
                </details>
              )}
            </li>
          );
        })}
      </ol>
      {s.screen === 'waiting-for-sign-in' && clocks}
      <KeyPanel k={s.key} reasons={false} large />
    </section>
  );
}

/**
 * "Stop and delete the pass" asks first: it is a touch target the person can hit by accident. The question is
 * inline, in this panel, not a modal dialog: in Electron a dialog centred on the window would sit partly under My
 * Security Info's view. The safe answer takes the focus when it opens; Enter never stops (see ConfirmDialog).
 */
function StopButton({ onStop }: { onStop: () => void }) {
  const { t } = useT();
  const [asking, setAsking] = useState(false);
  const keep = useRef<HTMLButtonElement>(null);
  const stop = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) keep.current?.focus();
    else if (wasAsking.current) stop.current?.focus();
    wasAsking.current = asking;
  }, [asking]);
  if (!asking) {
    return (
      <div className="actions stop">
        <Button ref={stop} size="large" onClick={() => setAsking(true)}>
          {t('userSide.cancel')}
        </Button>
      </div>
    );
  }
  return (
    <div
      className="stop-ask"
      role="group"
      aria-labelledby="stop-ask-title"
      onKeyDown={(e) => {
        if (e.key === 'Escape') setAsking(false);
      }}
    >
      <p id="stop-ask-title" className="stop-ask-title">
        {t('userSide.stopAsk')}
      </p>
      <p>{t('userSide.stopBody')}</p>
      <div className="actions">
        <Button ref={keep} appearance="primary" size="large" onClick={() => setAsking(false)}>
          {t('userSide.stopKeep')}
        </Button>
        <Button
          size="large"
          onClick={onStop}
          onKeyDown={(e) => {
            if (e.key === 'Enter') e.preventDefault();
          }}
        >
          {t('userSide.stopConfirm')}
        </Button>
      </div>
    </div>
  );
}
