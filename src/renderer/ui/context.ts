import { createContext, useContext } from 'react';
import type { AppSession } from '../app/appSession';

export const SessionContext = createContext<AppSession | null>(null);

/** The app session (host, server connection, call controller) for event handlers. */
export function useSession(): AppSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionContext');
  return session;
}
