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

const host = window.softphone ? createElectronHost(window.softphone) : await createWebHost();
const session = new AppSession(host);
void session.boot();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <SessionContext.Provider value={session}>
      <App />
    </SessionContext.Provider>
  </StrictMode>,
);
