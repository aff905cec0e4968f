import { Button, Spinner } from '@fluentui/react-components';
import type { SessionSnapshot } from '../../../common/contract';
import { useCommands } from '../bridge';
import { ErrorBar } from '../components/ErrorBar';
import { useT } from '../i18n';

type Of<S extends SessionSnapshot['screen']> = Extract<SessionSnapshot, { screen: S }>;

export function SignedOutScreen({ s }: { s: Of<'signed-out'> }) {
  const { t } = useT();
  const { send } = useCommands();
  return (
    <section className="screen narrow" aria-labelledby="signed-out-title">
      <h1 id="signed-out-title" tabIndex={-1}>
        {t('operator.signedOut.title')}
      </h1>
      <p className="lead">{t('operator.signedOut.lead')}</p>
      {s.error && <ErrorBar error={s.error} title={t('operator.signInFailed')} />}
      <div className="actions">
        <Button appearance="primary" size="large" onClick={() => void send({ type: 'signIn' })}>
          {t('operator.signIn')}
        </Button>
      </div>
    </section>
  );
}

export function SigningInScreen({ s }: { s: Of<'signing-in'> }) {
  const { t } = useT();
  const { send } = useCommands();
  // reason 'token-revoked' with an error: the sign-in ended mid-flow (main's `reauth`); the operator signs in again.
  const reauth = s.reason === 'token-revoked' && s.error !== null;
  return (
    <section className="screen narrow" aria-labelledby="signing-in-title">
      <h1 id="signing-in-title" tabIndex={-1}>
        {reauth ? t('operator.reauth.title') : t(`operator.signingIn.title-${s.reason}`)}
      </h1>
      {s.error && <ErrorBar error={s.error} />}
      {reauth ? (
        <>
          <p className="lead">{t('operator.reauth.lead')}</p>
          <div className="actions">
            <Button appearance="primary" size="large" onClick={() => void send({ type: 'signIn' })}>
              {t('operator.signInAgain')}
            </Button>
            <Button size="large" onClick={() => void send({ type: 'signOut' })}>
              {t('header.signOut')}
            </Button>
          </div>
        </>
      ) : (
        <>
          <Spinner labelPosition="after" label={t('operator.signingIn.window')} />
          <p>{t('operator.signingIn.lead')}</p>
          <div className="actions">
            <Button size="large" onClick={() => void send({ type: 'cancel' })}>
              {t('common.cancel')}
            </Button>
          </div>
        </>
      )}
    </section>
  );
}

export function LockedScreen({ s }: { s: Of<'locked'> }) {
  const { t } = useT();
  const { send } = useCommands();
  return (
    <section className="screen narrow" aria-labelledby="locked-title">
      <h1 id="locked-title" tabIndex={-1}>
        {t('operator.locked.title')}
      </h1>
      <p className="lead">{t('operator.locked.lead')}</p>
      {s.lockedBy && <p>{t('operator.locked.by', { name: s.lockedBy.displayName, upn: s.lockedBy.upn })}</p>}
      <div className="actions">
        <Button appearance="primary" size="large" onClick={() => void send({ type: 'unlock' })}>
          {s.lockedBy ? t('operator.locked.unlockAs', { name: s.lockedBy.displayName }) : t('operator.unlock')}
        </Button>
      </div>
    </section>
  );
}

export function StoppedScreen() {
  const { t } = useT();
  return (
    <section className="screen narrow" aria-labelledby="stopped-title">
      <h1 id="stopped-title" tabIndex={-1}>
        {t('operator.stopped.title')}
      </h1>
      <p className="lead">{t('operator.stopped.lead')}</p>
    </section>
  );
}
