import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import type { SessionError } from '../../../common/session';
import { useT } from '../i18n';
import { errorMsg } from '../lib/messages';

/** A session error: what went wrong (translated from its code where known) and Graph's request id. */
export function ErrorBar({ error, title }: { error: SessionError; title?: string }) {
  const { t, m } = useT();
  return (
    <MessageBar intent="error" layout="multiline" className="error-bar">
      <MessageBarBody>
        <MessageBarTitle>{title ?? t('error.title')}</MessageBarTitle>
        <span>{m(errorMsg(error))}</span>
        {error.requestId && (
          <span className="detail request-id">
            {' '}
            {t('error.requestId')} <code>{error.requestId}</code>
          </span>
        )}
      </MessageBarBody>
    </MessageBar>
  );
}
