import { Button, MessageBar, MessageBarBody, MessageBarTitle, Spinner } from '@fluentui/react-components';
import type { SessionSnapshot } from '../../../common/contract';
import { useEffect, useState } from 'react';
import { useCommands } from '../bridge';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { KeyPanel } from '../components/KeyPanel';
import { StepGuide } from '../components/StepGuide';
import { useT } from '../i18n';
import { recycleMsg } from '../lib/messages';

type RecycleSnapshot = Extract<SessionSnapshot, { screen: 'recycle' }>;

const STEPS = ['unplug', 'plug-in', 'touch'] as const;

/**
 * "Reset a returned key": a confirmation first (it erases every passkey and the PIN on the key; "Keep the key" is
 * the default and Enter never confirms), then unplug, plug back in and touch within the key's window, then the
 * outcome with what to do next.
 */
export function RecycleScreen({ s }: { s: RecycleSnapshot }) {
  const { t, m } = useT();
  const { send } = useCommands();
  const at = STEPS.indexOf(s.step as (typeof STEPS)[number]);
  const done = s.outcome?.code === 'recycle.done';
  // The dialog opens a tick after the screen: the page's focus management (App.tsx) focuses the new page's heading
  // after it mounts, and the dialog must come after it, so that its safe button ("Keep the key") has the focus.
  const [mounted, setMounted] = useState(false);
  useEffect(() => {
    const id = setTimeout(() => setMounted(true), 0);
    return () => clearTimeout(id);
  }, []);
  return (
    <section className="screen" aria-labelledby="recycle-title">
      <h1 id="recycle-title" tabIndex={-1}>
        {t('recycle.title')}
      </h1>
      <div className="two-col">
        <section className="card" aria-labelledby="recycle-steps-title" data-step={s.step}>
          <h2 id="recycle-steps-title">{t('recycle.stepsTitle', { seconds: s.windowSeconds })}</h2>
          <StepGuide
            steps={STEPS}
            stateOf={(i) => (s.step === 'outcome' ? (done ? 'done' : 'todo') : i < at ? 'done' : i === at ? 'current' : 'todo')}
            label={(step) => t(`recycle.step.${step}`, { seconds: s.windowSeconds })}
          />
          {at >= 0 && (
            <div className="touch-key" role="status">
              <Spinner size="small" label={t(`recycle.now.${s.step}`, { seconds: s.windowSeconds })} />
            </div>
          )}
          {s.outcome && (
            <MessageBar intent={done ? 'success' : 'error'} layout="multiline" data-outcome={s.outcome.code}>
              <MessageBarBody>
                <MessageBarTitle>{t(done ? 'recycle.doneTitle' : 'recycle.failedTitle')}</MessageBarTitle>
                {m(recycleMsg(s.outcome))}
              </MessageBarBody>
            </MessageBar>
          )}
        </section>
        <section className="card" aria-labelledby="recycle-key-title">
          <h2 id="recycle-key-title">{t('recycle.keyTitle')}</h2>
          <KeyPanel k={s.key} reasons={false} />
          <div className="actions">
            {s.step === 'outcome' && !done && (
              <Button appearance="primary" size="large" onClick={() => void send({ type: 'recheck' })}>
                {t('recycle.again')}
              </Button>
            )}
            {s.step === 'outcome' ? (
              <Button appearance={done ? 'primary' : 'secondary'} size="large" onClick={() => void send({ type: 'dismiss' })}>
                {t('recycle.close')}
              </Button>
            ) : (
              <Button size="large" onClick={() => void send({ type: 'cancel' })}>
                {t('common.cancel')}
              </Button>
            )}
          </div>
        </section>
      </div>
      <ConfirmDialog
        open={mounted && s.step === 'confirming'}
        title={t('recycle.confirm.title')}
        confirm={t('recycle.confirm.yes')}
        keep={t('recycle.confirm.keep')}
        onConfirm={() => void send({ type: 'confirmRecycle' })}
        onKeep={() => void send({ type: 'cancel' })}
      >
        <p>{t('recycle.confirm.body')}</p>
      </ConfirmDialog>
    </section>
  );
}
