// The sandboxed preload: exposes `window.softphone` (see api.ts) and passes frame-key ports into
// the page. Bundled into one CommonJS file with Electron left external.
import { contextBridge, ipcRenderer } from 'electron';
import { createSoftphoneApi, forwardKeyPorts } from './api';

const api = createSoftphoneApi(ipcRenderer);

/** The type of `window.softphone` (the same as PreloadApi in src/shared/bridge.ts). */
export type SoftphonePreloadApi = typeof api;

contextBridge.exposeInMainWorld('softphone', api);
forwardKeyPorts(ipcRenderer, window);
