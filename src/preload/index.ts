// The sandboxed preload: exposes `window.softphone` (see api.ts) and passes frame-key ports into
// the page. Bundled into one CommonJS file with Electron left external.
import { contextBridge, ipcRenderer } from 'electron';
import { createSoftphoneApi, forwardKeyPorts } from './api';

contextBridge.exposeInMainWorld('softphone', createSoftphoneApi(ipcRenderer));
forwardKeyPorts(ipcRenderer, window);
