import { PersonPhoto } from './Person';
import type { IdentityCard as Card } from '../../../common/directory';
import { useT } from '../i18n';
import { formatDate } from '../lib/format';

/** The person's card: photo, name, ids, account state, existing security keys and pass. */
export function IdentityCard({ user, compact = false }: { user: Card; compact?: boolean }) {
  const { t, lang } = useT();
  return (
    <section className={`card identity${compact ? ' identity-compact' : ''}`} aria-labelledby="identity-name">
      <div className="identity-head">
        <PersonPhoto name={user.displayName} photo={user.photo} size={compact ? 56 : 96} />
        <div>
          <h2 id="identity-name">{user.displayName}</h2>
          <p className="identity-upn">{user.userPrincipalName}</p>
          <p className="identity-badges">
            <span className={`tag ${user.accountEnabled ? 'tag-good' : 'tag-bad'}`}>
              {user.accountEnabled ? t('identity.enabled') : t('identity.disabled')}
            </span>{' '}
            <span className={`tag ${user.isExternalGuest ? 'tag-bad' : 'tag-neutral'}`}>
              {user.isExternalGuest ? t('identity.externalGuest') : user.userType === 'Guest' ? t('identity.guest') : t('identity.member')}
            </span>
          </p>
        </div>
      </div>
      {!compact && (
        <>
          <dl className="facts">
            <dt>{t('identity.employeeId')}</dt>
            <dd>{user.employeeId ?? t('common.none')}</dd>
            <dt>{t('identity.department')}</dt>
            <dd>{user.department ?? t('common.none')}</dd>
            <dt>{t('identity.jobTitle')}</dt>
            <dd>{user.jobTitle ?? t('common.none')}</dd>
            <dt>{t('identity.mail')}</dt>
            <dd>{user.mail ?? t('common.none')}</dd>
          </dl>
          <h3>{t('identity.keys')}</h3>
          {user.securityKeys.length === 0 ? (
            <p>{t('identity.noKeys')}</p>
          ) : (
            <ul className="plain">
              {user.securityKeys.map((k) => (
                <li key={k.id}>
                  <strong>{k.model ?? k.displayName ?? t('identity.unknownModel')}</strong>
                  {k.displayName && k.model && k.displayName !== k.model ? ` (${k.displayName})` : ''}
                  {k.createdDateTime ? ` · ${t('identity.added', { date: formatDate(k.createdDateTime, lang) })}` : ''}
                </li>
              ))}
            </ul>
          )}
          <h3>{t('identity.tap')}</h3>
          <p>
            {user.tap
              ? t(user.tap.isUsable ? 'identity.tapUsable' : 'identity.tapUnusable', {
                  date: formatDate(user.tap.createdDateTime, lang),
                  minutes: user.tap.lifetimeInMinutes,
                })
              : t('identity.noTap')}
          </p>
        </>
      )}
    </section>
  );
}
