import { Button, Spinner } from '@fluentui/react-components';
import type { SessionSnapshot } from '../../../common/contract';
import { useCommands } from '../bridge';
import { IdentityCard } from '../components/IdentityCard';
import { useT } from '../i18n';

type VerifySnapshot = Extract<SessionSnapshot, { screen: 'loading-user' | 'identity' | 'checking' }>;

/**
 * The identity card beside the ID check. Choosing the document that was seen *is* the confirmation (one action,
 * not a tick and then a button): each choice is a large button naming the document, and nothing else on the
 * screen issues anything. All choices look alike, so none is picked by habit.
 */
export function VerifyScreen({ s }: { s: VerifySnapshot }) {
  const { t } = useT();
  const { send } = useCommands();
  return (
    <section className="screen" aria-labelledby="verify-title">
      <h1 id="verify-title" tabIndex={-1}>
        {t('verify.title')}
      </h1>
      {s.screen === 'loading-user' ? (
        <Spinner labelPosition="after" label={t('verify.loading')} />
      ) : (
        <div className="two-col">
          <IdentityCard user={s.user} />
          <div className="card">
            {s.screen === 'identity' ? (
              <div role="group" aria-labelledby="doc-legend" aria-describedby="doc-hint">
                <h2 id="doc-legend">{t('verify.document')}</h2>
                <p id="doc-hint" className="hint">
                  {t('verify.documentHint')}
                </p>
                <div className="documents">
                  {s.documents.map((d) => (
                    <Button key={d} size="large" className="document" onClick={() => void send({ type: 'confirmIdentity', document: d })}>
                      {t(`document.${d}`)}
                    </Button>
                  ))}
                </div>
              </div>
            ) : (
              <Spinner labelPosition="after" label={t('verify.checking')} />
            )}
            <p className="hint">{t('verify.lostKeyHint')}</p>
            <div className="actions secondary">
              <Button onClick={() => void send({ type: 'backToSearch' })} disabled={s.screen !== 'identity'}>
                {t('verify.back')}
              </Button>
              <Button onClick={() => void send({ type: 'cancel' })}>{t('common.cancel')}</Button>
            </div>
          </div>
        </div>
      )}
    </section>
  );
}
