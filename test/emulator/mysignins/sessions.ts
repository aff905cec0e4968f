// My Security Info sessions: who signed in, when, with what kind of pass, and what is still allowed.
// Held in memory by the route module (never in a cookie's value beyond an opaque id) and cleared on reset.
import { randomBytes } from 'node:crypto';
import type { TenantState } from '../store';

/** "the user must complete the registration within 10 minutes of sign-in with the one-time TAP" (entra-docs TAP how-to). */
export const ONE_TIME_REGISTRATION_WINDOW_MS = 10 * 60_000;
/** A WebAuthn challenge lives as long as Graph's creationOptions challenge: 5 minutes (entra-graph.md 4.2). [INF] */
export const CHALLENGE_LIFETIME_MS = 5 * 60_000;

/**
 * "Users must complete multifactor authentication (MFA) within the past five minutes before they can register a
 * passkey (FIDO2)." Microsoft Learn, "How to enable passkeys (FIDO2) in Microsoft Entra ID", Passkey profile
 * prerequisites: https://learn.microsoft.com/en-us/entra/identity/authentication/how-to-authentication-passkeys-fido2
 * (the same sentence in how-to-authentication-passkey-profiles, MicrosoftDocs/entra-docs). A sign-in with a
 * Temporary Access Pass is that multifactor authentication; the emulator counts from it (issue 10, 3f).
 */
export const FRESH_SIGN_IN_MS = 5 * 60_000;

export const SESSION_COOKIE = 'msi_session';

export interface PendingKey {
  aaGuid: string;
  credentialId: string;
  attestationLevel: 'attested' | 'notAttested';
  model: string;
  attestationCertificates: string[];
}

export interface Session {
  id: string;
  userId: string;
  tapId: string;
  /** On the emulator clock. */
  signedInAt: Date;
  /** Signed in with a one-time pass: registration must finish within 10 minutes of `signedInAt`. */
  oneTime: boolean;
  /** "The token lifetime … obtained by using a TAP sign-in is limited to the TAP lifetime." */
  expiresAt: Date;
  challenge: { value: string; issuedAt: Date } | null;
  /** A verified credential waiting for the name the user gives it. */
  pending: PendingKey | null;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  create(init: Omit<Session, 'id' | 'challenge' | 'pending'>): Session {
    const session: Session = { ...init, id: randomBytes(32).toString('base64url'), challenge: null, pending: null };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session for this id, or null when there is none, it has run out, or the tenant ended it. */
  get(id: string | undefined, state: TenantState, now: Date): Session | null {
    if (!id) return null;
    const session = this.sessions.get(id);
    if (!session) return null;
    const user = state.users.get(session.userId);
    const revoked = !user || !user.accountEnabled || session.signedInAt.getTime() < user.signInSessionsValidFromDateTime.getTime();
    if (revoked || now.getTime() >= session.expiresAt.getTime()) {
      this.sessions.delete(id);
      return null;
    }
    return session;
  }

  end(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  clear(): void {
    this.sessions.clear();
  }
}

/** The end of the one-time registration window, or null for a multi-use pass (no window applies). */
export function registrationDeadline(session: Session): Date | null {
  return session.oneTime ? new Date(session.signedInAt.getTime() + ONE_TIME_REGISTRATION_WINDOW_MS) : null;
}

/** The end of the sign-in's freshness for registering a passkey: five minutes after the sign-in (`FRESH_SIGN_IN_MS`). */
export function freshSignInUntil(session: Session): Date {
  return new Date(session.signedInAt.getTime() + FRESH_SIGN_IN_MS);
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name && !(name in out)) out[name] = value;
  }
  return out;
}

export function sessionCookie(id: string, sameSite: 'Strict' | 'Lax' = 'Strict'): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=${sameSite}${sameSite === 'Lax' ? '; Secure' : ''}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}
