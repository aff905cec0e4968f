import { Button, Field, Input, MessageBar, MessageBarBody, MessageBarTitle, Spinner } from '@fluentui/react-components';
import { PersonPhoto } from '../components/Person';
import { useRef, useState, type KeyboardEvent } from 'react';
import type { SessionSnapshot } from '../../../common/contract';
import { useCommands } from '../bridge';
import { ErrorBar } from '../components/ErrorBar';
import { useT } from '../i18n';
import { BurstRecorder } from '../lib/badge';

type FindSnapshot = Extract<SessionSnapshot, { screen: 'ready' | 'searching' | 'search-results' }>;

/** One search box (UPN, name, employee id or a badge scan: the scanner types and presses Enter). */
export function FindScreen({ s }: { s: FindSnapshot }) {
  const { t } = useT();
  const { send } = useCommands();
  const [text, setText] = useState(s.query);
  const [entry, setEntry] = useState<'badge' | 'typed' | null>(null);
  const burst = useRef(new BurstRecorder());
  const list = useRef<HTMLUListElement>(null);
  const results = s.screen === 'search-results' ? s.results : [];

  const submit = () => {
    const query = text.trim();
    setEntry(burst.current.finish());
    if (query !== '') void send({ type: 'search', query });
  };
  const focusResult = (index: number) => {
    const buttons = list.current?.querySelectorAll<HTMLButtonElement>('button.result');
    if (!buttons || buttons.length === 0) return;
    buttons[Math.max(0, Math.min(buttons.length - 1, index))]?.focus();
  };
  const onInputKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      submit();
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      focusResult(0);
    } else if (e.key.length === 1) {
      burst.current.key(e.timeStamp);
    }
  };
  const onListKey = (e: KeyboardEvent<HTMLUListElement>) => {
    const buttons = [...(list.current?.querySelectorAll<HTMLButtonElement>('button.result') ?? [])];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      focusResult(i + 1);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      if (i === 0) document.getElementById('find-input')?.focus();
      else focusResult(i - 1);
    } else if (e.key === 'Home') {
      e.preventDefault();
      focusResult(0);
    } else if (e.key === 'End') {
      e.preventDefault();
      focusResult(buttons.length - 1);
    }
  };

  return (
    <section className="screen" aria-labelledby="find-title">
      <h1 id="find-title" tabIndex={-1}>
        {t('find.title')}
      </h1>
      {s.operator?.capability === 'none' && (
        // Before any search: this operator's roles may not issue a pass to anyone, and which role they need.
        <MessageBar intent="warning" layout="multiline" className="role-none">
          <MessageBarBody>
            <MessageBarTitle>{t('find.roleNone.title')}</MessageBarTitle>
            {t('find.roleNone.body', { roles: s.operator.roleNames.join(', ') || t('common.none') })}
          </MessageBarBody>
        </MessageBar>
      )}
      <form
        className="find-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Field label={t('find.label')} hint={t('find.hint')} className="find-field">
          <Input
            id="find-input"
            data-autofocus
            size="large"
            type="search"
            autoComplete="off"
            spellCheck={false}
            value={text}
            onChange={(_, d) => {
              setText(d.value);
              setEntry(null);
              if (d.value === '') burst.current.reset();
            }}
            onKeyDown={onInputKey}
          />
        </Field>
        <Button appearance="primary" size="large" type="submit" disabled={text.trim() === ''}>
          {t('find.search')}
        </Button>
      </form>
      {entry === 'badge' && (
        <p className="entry-kind">
          <span className="tag tag-brand">{t('find.badge')}</span>
        </p>
      )}
      {s.screen === 'ready' && s.error && <ErrorBar error={s.error} />}
      <div aria-live="polite" className="find-status">
        {s.screen === 'searching' && <Spinner size="small" labelPosition="after" label={t('find.searching', { query: s.query })} />}
        {s.screen === 'search-results' && (
          <p>{results.length === 0 ? t('find.none', { query: s.query }) : t('find.count', { count: results.length, query: s.query })}</p>
        )}
      </div>
      {results.length > 0 && (
        <ul className="results" ref={list} onKeyDown={onListKey} aria-label={t('find.resultsLabel')}>
          {results.map((u) => (
            <li key={u.id}>
              <button type="button" className="result" onClick={() => void send({ type: 'selectUser', id: u.id })}>
                <PersonPhoto name={u.displayName} photo={'photo' in u && typeof u.photo === 'string' ? u.photo : null} size={48} />
                <span className="result-text">
                  <span className="result-name">{u.displayName}</span>
                  <span className="result-upn">{u.userPrincipalName}</span>
                  <span className="result-meta">
                    {[u.department, u.jobTitle, u.employeeId ? t('find.employeeId', { id: u.employeeId }) : null].filter(Boolean).join(' · ')}
                  </span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {results.length > 0 && <p className="hint">{t('find.keyboardHint')}</p>}
      {s.screen === 'ready' && s.canRecycle && (
        <div className="actions recycle-entry">
          <Button size="large" onClick={() => void send({ type: 'recycleKey' })}>
            {t('find.recycle')}
          </Button>
        </div>
      )}
    </section>
  );
}
