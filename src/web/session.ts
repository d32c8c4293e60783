import { signal } from '@preact/signals';
import { api, whenSessionEnds, type SignedIn as Session } from './api/client.js';

/** Who is signed in: undefined while asking the server, null when nobody. */
export const session = signal<Session | null | undefined>(undefined);
/** Set when a session ended under the user's feet (the sign-in page says so). */
export const sessionEnded = signal(false);

export async function loadSession(): Promise<void> {
  const { data } = await api.GET('/api/v1/session');
  session.value = data && data.signed_in ? (data as Session) : null;
}

whenSessionEnds(() => {
  if (session.value) sessionEnded.value = true;
  session.value = null;
});

/** True when the signed-in token has the scope (admin has them all). */
export function can(scope: 'read' | 'write' | 'delete' | 'admin'): boolean {
  const scopes = session.value?.scopes ?? [];
  return scopes.includes('admin') || scopes.includes(scope);
}
