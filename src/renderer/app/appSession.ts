// Boots the app for one host: reads identity and settings, runs first-run registration, keeps the
// signaling connection, and owns the call controller. The UI reaches everything through this.
import { CallController } from '../call/callController';
import { CaptureController } from '../capture/captureController';
import { ContactsController } from '../contacts/contactsController';
import type { HostBridge } from '../host/bridge';
import { hostErrorText } from '../host/hostError';
import { reportStatusToHost } from './hostStatus';
import { ServerConnection } from '../signaling/serverConnection';
import { getState, setState } from '../store/appStore';
import { createSounds, type Sounds } from '../ui/sounds';
import { audioProcessingOf, type SettingsPatch } from '../../shared/settings';
import { SignalingError } from '../../shared/signalingClient';

export class AppSession {
  readonly server: ServerConnection;
  readonly calls: CallController;
  readonly capture: CaptureController;
  readonly contacts: ContactsController;
  readonly sounds: Sounds;

  constructor(readonly host: HostBridge) {
    this.server = new ServerConnection(host);
    this.sounds = createSounds();
    this.contacts = new ContactsController(host, this.server);
    this.calls = new CallController(host, this.server, this.sounds, this.contacts);
    this.capture = new CaptureController(host, this.server);
    this.server.onStatus((connection) => setState({ connection }));
    reportStatusToHost(host);
  }

  async boot(): Promise<void> {
    try {
      const [identity, settingsState, identityAtRest] = await Promise.all([
        this.host.calls['identity.get'](),
        this.host.calls['settings.get'](),
        // Shown, not needed to run: the panels say so when the host cannot tell.
        this.host.calls['identity.atRest']().catch(() => null),
      ]);
      setState({ identity, identityAtRest, settings: settingsState.settings, storageProblem: settingsState.problem });
      await this.contacts.load();
      if (!identity.handle) return setState({ boot: { state: 'first-run' } });
      setState({ boot: { state: 'ready' } });
      await this.server.start().catch((error: unknown) => this.loginFailed(error));
    } catch (error) {
      setState({ boot: { state: 'failed', message: hostErrorText(error) } });
    }
  }

  /** First run: registers the handle on the server; rejects with the server's reason. */
  async register(handle: string): Promise<void> {
    await this.server.start({ handle });
    const identity = await this.host.calls['identity.setHandle'](handle);
    setState({ identity, boot: { state: 'ready' }, notice: null });
  }

  /** Clears the last notice: the user moved on (a new attempt, another tab). */
  dismissNotice(): void {
    if (getState().notice) setState({ notice: null });
  }

  async updateSettings(patch: SettingsPatch): Promise<void> {
    const settings = await this.host.calls['settings.update'](patch);
    setState({ settings, storageProblem: null });
    // A call in progress takes a processing change at once, not only the next call.
    if ('echoCancellation' in patch || 'noiseSuppression' in patch || 'autoGainControl' in patch)
      await this.calls.setAudioProcessing(audioProcessingOf(settings));
  }

  private loginFailed(error: unknown): void {
    if (error instanceof SignalingError && error.code === 'unknown-account') {
      // The server no longer knows this device (e.g. its accounts were reset): register again.
      setState({
        boot: { state: 'first-run' },
        notice: `The server does not know this device any more. Choose your handle again${getState().identity?.handle ? ` (it was “${getState().identity?.handle}”)` : ''}.`,
      });
    }
  }
}
