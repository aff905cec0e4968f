import { Button, Radio, RadioGroup, Spinner } from '@fluentui/react-components';
import { useState } from 'react';
import type { IdDocument } from '../../../main/enrollment/snapshot';
import type { SessionSnapshot } from '../../../preload/contract';
import { useCommands } from '../bridge';
import { IdentityCard } from '../components/IdentityCard';
import { useT } from '../i18n';

type VerifySnapshot = Extract<SessionSnapshot, { screen: 'loading-user' | 'identity' | 'checking' }>;

export function VerifyScreen({ s }: { s: VerifySnapshot }) {
  const { t } = useT();
  const { send } = useCommands();
  // Ephemeral: the document picked before the command is sent.
  const [doc, setDoc] = useState<IdDocument | ''>('');
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
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  if (doc !== '') void send({ type: 'confirmIdentity', document: doc });
                }}
              >
                <RadioGroup
                  aria-labelledby="doc-legend"
                  aria-describedby="doc-hint"
                  value={doc}
                  onChange={(_, d) => setDoc(d.value as IdDocument)}
                  required
                >
                  <h2 id="doc-legend">{t('verify.document')}</h2>
                  <p id="doc-hint" className="hint">
                    {t('verify.documentHint')}
                  </p>
                  {s.documents.map((d) => (
                    <Radio key={d} value={d} label={t(`document.${d}`)} className="big-radio" />
                  ))}
                </RadioGroup>
                <div className="actions">
                  <Button appearance="primary" size="large" type="submit" disabled={doc === ''}>
                    {t('verify.confirm')}
                  </Button>
                </div>
              </form>
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
