// Keeps track of what electron-updater has done (checked, found, downloaded) and does what
// updateDecision answers, through a small port index.ts fills with electron-updater's autoUpdater.
// Called on a timer and whenever the setting changes; every step is guarded so that a slow check
// or download is never started twice.
import { updateDecision, type UpdateConditions } from './updatePolicy';

/** What main does with electron-updater's autoUpdater. */
export interface UpdaterPort {
  /** Resolves when the check is done (found: `found` was called first). */
  check(): Promise<void>;
  /** Resolves when the update is downloaded and verified. */
  download(): Promise<void>;
  setInstallAtQuit(on: boolean): void;
  /** Quits and restarts into the downloaded update. */
  installNow(): void;
}

export type AppConditions = Pick<UpdateConditions, 'packaged' | 'automaticUpdates' | 'inCall' | 'windowVisible'>;

export class AutomaticUpdates {
  private readonly startedAt: number;
  private lastCheckAt: number | null = null;
  private available: string | null = null;
  private downloadedAt: number | null = null;
  private busy = false;
  private off: string | null = null;

  constructor(
    private readonly port: UpdaterPort,
    private readonly conditions: () => AppConditions,
    private readonly log: (message: string) => void,
    private readonly clock: () => number = Date.now,
  ) {
    this.startedAt = clock();
  }

  /** electron-updater found a newer release. */
  found(version: string): void {
    this.available = version;
  }

  /** Looks at the app's state now and takes the next step, if any. */
  review(): void {
    const now = this.clock();
    const decision = updateDecision({
      ...this.conditions(),
      now,
      startedAt: this.startedAt,
      lastCheckAt: this.lastCheckAt,
      available: this.available,
      downloadedAt: this.downloadedAt,
    });
    if (decision.off !== this.off) {
      this.off = decision.off;
      if (decision.off) this.log(`automatic updates off: ${decision.off}`);
    }
    this.port.setInstallAtQuit(decision.installAtQuit);
    if (decision.installNow) return this.port.installNow();
    if (this.busy) return;
    if (decision.check) {
      this.lastCheckAt = now;
      this.run(this.port.check(), 'the update check failed');
    } else if (decision.download) {
      const version = this.available;
      this.run(
        this.port.download().then(
          () => {
            this.downloadedAt = this.clock();
            this.available = null;
            this.log(`update ${version ?? ''} downloaded and verified; it is installed when Softphone quits`);
          },
          (error: unknown) => {
            // Not retried every minute: the next check finds the release again.
            this.available = null;
            throw error;
          },
        ),
        'the update download failed',
      );
    }
  }

  private run(step: Promise<void>, failure: string): void {
    this.busy = true;
    step.then(
      () => {
        this.busy = false;
      },
      (error: unknown) => {
        this.busy = false;
        this.log(`${failure}: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  }
}
