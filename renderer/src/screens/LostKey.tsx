import { Button, Checkbox, Spinner } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import type { SessionSnapshot } from '../../../common/contract';
import { useCommands } from '../bridge';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorBar } from '../components/ErrorBar';
import { IdentityCard } from '../components/IdentityCard';
import { useT } from '../i18n';
import { formatDate } from '../lib/format';

type LostKeySnapshot = Extract<SessionSnapshot, { screen: 'lost-key' }>;

export function LostKeyScreen({ s }: { s: LostKeySnapshot }) {
  const { t, lang } = useT();
  const { send } = useCommands();
  // Ephemeral: ticked boxes before Delete is pressed.
  const [ticked, setTicked] = useState<string[]>([]);
  const busy = s.step !== 'choosing';
  // After "Remove" is confirmed the Delete button (where the dialog would return focus) is disabled, so focus
  // would fall to <body>. Move it to the keys' heading: the reader continues at the updated list, and focusing
  // inside the page makes tabster drop the dialog's aria-hidden on #root at once.
  const keysTitle = useRef<HTMLHeadingElement>(null);
  const prevStep = useRef(s.step);
  useEffect(() => {
    // Main may skip the 'deleting' snapshot when the removal is quick: any close that leaves Delete disabled counts.
    const canDelete = s.step === 'choosing' && ticked.some((id) => s.keys.some((k) => k.id === id) && !s.deleted.includes(id));
    if (prevStep.current === 'confirming' && s.step !== 'confirming' && !canDelete) keysTitle.current?.focus();
    prevStep.current = s.step;
  }, [s.step, s.keys, s.deleted, ticked]);
  const keys = s.keys.filter((k) => !s.deleted.includes(k.id));
  const name = (id: string) => {
    const k = s.keys.find((x) => x.id === id);
    return k?.model ?? k?.displayName ?? t('identity.unknownModel');
  };
  return (
    <section className="screen" aria-labelledby="lost-title">
      <h1 id="lost-title" tabIndex={-1}>
        {t('lost.title', { name: s.user.displayName })}
      </h1>
      <p className="lead">{t('lost.lead')}</p>
      {s.error && <ErrorBar error={s.error} />}
      <div className="two-col">
        <section className="card" aria-labelledby="lost-keys-title">
          <h2 id="lost-keys-title" ref={keysTitle} tabIndex={-1}>
            {t('lost.keys')}
          </h2>
          {s.step === 'loading' ? (
            <Spinner labelPosition="after" label={t('lost.loading')} />
          ) : keys.length === 0 ? (
            <p>{t('lost.none')}</p>
          ) : (
            <fieldset className="plain-fieldset">
              <legend className="visually-hidden">{t('lost.choose')}</legend>
              {keys.map((k) => (
                <Checkbox
                  key={k.id}
                  className="big-check"
                  disabled={busy}
                  checked={ticked.includes(k.id)}
                  onChange={(_, d) => setTicked((cur) => (d.checked === true ? [...cur, k.id] : cur.filter((x) => x !== k.id)))}
                  label={`${k.model ?? k.displayName ?? t('identity.unknownModel')}${k.createdDateTime ? ` · ${t('identity.added', { date: formatDate(k.createdDateTime, lang) })}` : ''}`}
                />
              ))}
            </fieldset>
          )}
          {s.deleted.length > 0 && <p role="status">{t('lost.deleted', { count: s.deleted.length })}</p>}
          <div className="actions">
            <Button
              appearance="primary"
              disabled={busy || ticked.filter((id) => keys.some((k) => k.id === id)).length === 0}
              onClick={() => void send({ type: 'deleteKeys', ids: ticked.filter((id) => keys.some((k) => k.id === id)) })}
            >
              {t('lost.delete')}
            </Button>
            {s.step === 'deleting' && <Spinner size="small" labelPosition="after" label={t('lost.deleting')} />}
          </div>
        </section>
        <div>
          <IdentityCard user={s.user} compact />
          <section className="card" aria-labelledby="lost-sessions-title">
            <h2 id="lost-sessions-title">{t('lost.sessions')}</h2>
            <p>{s.sessionsRevoked ? t('lost.revoked') : t('lost.revokeHint')}</p>
            {/* Focusable while disabled: the operator just pressed it, and a disabled button would drop focus to <body>. */}
            <Button disabledFocusable={busy || s.sessionsRevoked} onClick={() => void send({ type: 'revokeSessions' })}>
              {t('lost.revoke')}
            </Button>
            {s.step === 'revoking' && <Spinner size="small" labelPosition="after" label={t('lost.revoking')} />}
          </section>
          <div className="actions">
            <Button appearance="primary" size="large" disabled={busy} onClick={() => void send({ type: 'continueEnrollment' })}>
              {t('lost.continue')}
            </Button>
            <Button size="large" onClick={() => void send({ type: 'cancel' })}>
              {t('common.cancel')}
            </Button>
          </div>
        </div>
      </div>
      <ConfirmDialog
        open={s.step === 'confirming'}
        title={t('lost.confirmTitle', { count: s.selected.length })}
        confirm={t('lost.confirmDelete')}
        keep={t('lost.keep')}
        onConfirm={() => void send({ type: 'confirmDeleteKeys' })}
        onKeep={() => void send({ type: 'dismiss' })}
      >
        <ul>
          {s.selected.map((id) => (
            <li key={id}>{name(id)}</li>
          ))}
        </ul>
        <p>{t('lost.confirmBody')}</p>
      </ConfirmDialog>
    </section>
  );
}
