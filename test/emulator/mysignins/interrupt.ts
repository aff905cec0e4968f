// The registration interrupt (issue 10, 3g): a user in scope of the combined security-info registration policy
// (SSPR "require users to register when signing in", Identity Protection's MFA registration policy, or Conditional
// Access asking for a method the user lacks) is sent, right after the credential is accepted, to a wizard before the
// application they asked for. Sources:
//   - Microsoft Learn, "Combined security information registration", Interrupt mode
//     (https://learn.microsoft.com/en-us/entra/identity/authentication/concept-registration-mfa-sspr-combined#interrupt-mode):
//     "Interrupt mode is a wizard-like experience that is shown to a user when they are prompted to register or
//     refresh their security info while signing in."
//   - The hops, as public sign-in automation observes them: the sign-in host first shows "More information required"
//     (ESTS page id `ConvergedProofUpRedirect`, its button `idSubmit_ProofUp_Redirect` "Next", a skip allowance
//     `iRemainingDaysToSkipMfaRegistration`), then the wizard "Keep your account secure" on
//     `https://mysignins.microsoft.com/register?csrf_token=…` with a "Skip setup" link when skipping is allowed
//     (Selenium tests that `WaitForUrl("https://mysignins.microsoft.com/register?csrf_token=")` then click
//     "Skip setup"); janbakker.tech, "Security Info Registration. Entra ID's rabbit hole." (2025-08-29): "the URL for
//     the interrupt wizard changes from https://mysignins.microsoft.com/register to …/register?authMethods=…".
// [INF] The emulator's wizard offers "Security key" straight away (the real wizard may lead with Microsoft
// Authenticator and "I want to set up a different method"); after it the steps are My Security Info's own.
// A user is interrupted when their record says so (`registrationInterrupt`, seed or PATCH /_admin/users/{id}).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context';
import type { UserRecord } from '../model';
import { html } from './html';
import { page } from './pages';
import type { Hops } from './hops';
import type { Session } from './sessions';

export type RegistrationInterrupt = 'skippable' | 'required';

/** On the sign-in host after the pass was accepted: "Next" goes on to the wizard on My Security Info. */
export function moreInfoRequiredPage(tenant: string, upn: string, next: { action: string; csrfToken: string }, documentTitle: string): string {
  return page({
    step: 'more-info-required',
    title: 'More information required',
    documentTitle,
    tenant,
    body: html`<p class="identity">${upn}</p>
      <h1>More information required</h1>
      <p>Your organization needs more information to keep your account secure.</p>
      <form method="get" action="${next.action}">
        <input type="hidden" name="csrf_token" value="${next.csrfToken}" />
        <div class="actions"><button type="submit" class="primary" id="idSubmit_ProofUp_Redirect">Next</button></div>
      </form>`,
  });
}

/** mysignins.microsoft.com/register: the wizard. A security key can be added here; "Skip setup" only when allowed. */
export function keepAccountSecurePage(tenant: string, user: UserRecord, skippable: boolean): string {
  return page({
    step: 'keep-account-secure',
    title: 'Keep your account secure',
    documentTitle: 'My Sign-Ins',
    tenant,
    body: html`<p class="identity">${user.userPrincipalName}</p>
      <h1>Keep your account secure</h1>
      <p>Your organization requires you to set up the following methods of proving who you are.</p>
      <ul class="choices">
        <li><a href="/security-info/add/security-key">Security key</a></li>
        <li><a href="/security-info/add">I want to set up a different method</a></li>
      </ul>
      ${skippable ? html`<p><a href="/security-info" id="skip-setup">Skip setup</a></p>` : ''}`,
  });
}

export interface InterruptDeps {
  ctx: EmulatorContext;
  hops: Hops | null;
  sendPage: (reply: FastifyReply, body: string) => FastifyReply;
  cookieFor: (id: string) => string;
  signedIn: (req: FastifyRequest, reply: FastifyReply) => { session: Session; user: UserRecord } | null;
}

/** My Security Info's side: `/register` (with the sign-in host's one-time code on Microsoft's names). */
export function registerInterruptRoutes(app: FastifyInstance, d: InterruptDeps): void {
  const tenant = () => d.ctx.state.seed.displayName;
  app.get('/register', async (req, reply) => {
    const token = String((req.query as Record<string, unknown>).csrf_token ?? '');
    if (d.hops && token) {
      const session = d.hops.sessionFromCode(token);
      const user = session ? d.ctx.state.users.get(session.userId) : undefined;
      if (!session || !user) return reply.redirect(d.hops.signInUrl(), 302);
      reply.header('Set-Cookie', d.cookieFor(session.id));
      return d.sendPage(reply, keepAccountSecurePage(tenant(), user, user.registrationInterrupt !== 'required'));
    }
    const s = d.signedIn(req, reply);
    if (!s) return reply;
    return d.sendPage(reply, keepAccountSecurePage(tenant(), s.user, s.user.registrationInterrupt !== 'required'));
  });
}
