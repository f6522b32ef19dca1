// The renderer's entry: picks the host (Electron's preload, or the web host in a browser),
// boots the session and renders the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AppSession } from './app/appSession';
import { createElectronHost } from './host/electronHost';
import { createWebHost } from './host/webHost';
import { App } from './ui/App';
import { SessionContext } from './ui/context';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

// A web host that cannot open the identity (its key store unreadable, no WebCrypto for a key kept
// as one) says why on the page rather than leaving it blank.
const host = window.softphone
  ? createElectronHost(window.softphone)
  : await createWebHost().catch((error: unknown) => {
      const message = document.createElement('p');
      message.setAttribute('role', 'alert');
      message.textContent = `Softphone could not start: ${error instanceof Error ? error.message : String(error)}`;
      root.replaceChildren(message);
      throw error;
    });
const session = new AppSession(host);
void session.boot();

createRoot(root).render(
  <StrictMode>
    <SessionContext.Provider value={session}>
      <App />
    </SessionContext.Provider>
  </StrictMode>,
);
