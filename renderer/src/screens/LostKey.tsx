import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Spinner,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { SessionSnapshot } from '../../../preload/contract';
import { useCommands } from '../bridge';
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
          <h2 id="lost-keys-title">{t('lost.keys')}</h2>
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
            <Button disabled={busy || s.sessionsRevoked} onClick={() => void send({ type: 'revokeSessions' })}>
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
      {s.step === 'confirming' && (
        <Dialog open modalType="alert">
          <DialogSurface>
            <DialogBody>
              <DialogTitle>{t('lost.confirmTitle', { count: s.selected.length })}</DialogTitle>
              <DialogContent>
                <ul>
                  {s.selected.map((id) => (
                    <li key={id}>{name(id)}</li>
                  ))}
                </ul>
                <p>{t('lost.confirmBody')}</p>
              </DialogContent>
              <DialogActions>
                <Button appearance="primary" onClick={() => void send({ type: 'confirmDeleteKeys' })}>
                  {t('lost.confirmDelete')}
                </Button>
                <Button onClick={() => void send({ type: 'dismiss' })}>{t('lost.keep')}</Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      )}
    </section>
  );
}
