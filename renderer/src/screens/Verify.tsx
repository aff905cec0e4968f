import { Button, MessageBar, MessageBarBody, MessageBarTitle, Spinner } from '@fluentui/react-components';
import type { SessionSnapshot } from '../../../common/contract';
import { useCommands } from '../bridge';
import { IdentityCard } from '../components/IdentityCard';
import { useT } from '../i18n';
import { identityBlock } from '../lib/desk';

type VerifySnapshot = Extract<SessionSnapshot, { screen: 'loading-user' | 'identity' | 'checking' }>;

/**
 * The identity card beside the ID check. Choosing the document that was seen *is* the confirmation (one action,
 * not a tick and then a button): each choice is a large button naming the document, and nothing else on the
 * screen issues anything. All choices look alike, so none is picked by habit.
 */
export function VerifyScreen({ s }: { s: VerifySnapshot }) {
  const { t } = useT();
  const { send } = useCommands();
  // What the card already tells blocks at once, before any document is chosen (no pass would come of it).
  const block = s.screen === 'loading-user' ? null : identityBlock(s.user, s.operator);
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
            {block ? (
              <MessageBar intent="error" layout="multiline" className="identity-block">
                <MessageBarBody>
                  <MessageBarTitle>{t(`block.${block}.title`)}</MessageBarTitle>
                  <p>{t(`block.${block}.why`)}</p>
                  <p>
                    <strong>{t('block.way')}</strong> {t(`block.${block}.way`)}
                  </p>
                </MessageBarBody>
              </MessageBar>
            ) : s.screen === 'identity' ? (
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
            {!block && <p className="hint">{t('verify.lostKeyHint')}</p>}
            <div className="actions secondary">
              <Button appearance={block ? 'primary' : 'secondary'} onClick={() => void send({ type: 'backToSearch' })} disabled={s.screen !== 'identity'}>
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
