// The dashboard session: the endpoint's answer to sign-in and to GET /v1/dashboard/session. The
// cookie itself is httpOnly; the page only ever holds the CSRF token, in memory.
import type { DashboardSession } from '../../server/src/protocol/seller.ts';
import { api } from './api.ts';

export type Session = DashboardSession;

/** The current session, or null when nobody is signed in (401). */
export async function readSession(): Promise<Session | null> {
  try {
    return adopt(await api.get<Session>('/dashboard/session'));
  } catch (err) {
    if ((err as { status?: number }).status === 401) return null;
    throw err;
  }
}

export function adopt(session: Session): Session {
  api.csrfToken = session.csrfToken;
  return session;
}

export async function signOut(): Promise<void> {
  await api.send('DELETE', '/dashboard/session');
  api.csrfToken = '';
}
