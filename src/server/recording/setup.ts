// Assembles recording and transcription for the server: the recordings index and folder in the
// data folder, the download links, the audio tools, the pocketsphinx transcriber and the call
// capture service. Without Janus's recordings folder, recordings made earlier can still be listed
// and downloaded, and every new recording or transcription is refused with the reason.
import type { CallId, ServerMessageBody } from '../../shared/protocol';
import type { ParticipantCall } from '../calls';
import type { Logger } from '../log';
import { CallCapture, type RecordableRoomFactory } from './callCapture';
import { DownloadLinks } from './downloadLinks';
import { RecordingAudio } from './recordingAudio';
import { RecordingPipeline } from './recordingPipeline';
import { RecordingStore } from './recordingStore';
import { PocketsphinxTranscriber } from './transcriber';

export interface CallCaptureSetup {
  readonly dataDir: string;
  readonly janusRecordingsDir: string | undefined;
  readonly media: RecordableRoomFactory;
  readonly calls: () => { participantCall(handle: string, callId: CallId): ParticipantCall | null };
  readonly send: (handle: string, message: ServerMessageBody) => void;
  readonly log: Logger;
}

export interface RunningCallCapture {
  readonly service: CallCapture;
  readonly downloads: DownloadLinks;
  /** Waits briefly for recordings being processed, then closes the index. */
  close(): Promise<void>;
}

export function createCallCapture(setup: CallCaptureSetup): RunningCallCapture {
  const store = new RecordingStore(setup.dataDir);
  const downloads = new DownloadLinks(store);
  const pipeline =
    setup.janusRecordingsDir === undefined
      ? null
      : new RecordingPipeline({
          janusRecordingsDir: setup.janusRecordingsDir,
          store,
          audio: new RecordingAudio(),
          transcriber: new PocketsphinxTranscriber(),
          log: setup.log,
        });
  if (!pipeline) setup.log.info('recording and transcription are off: no Janus recordings folder is configured (--recordings-dir)');
  const service = new CallCapture({ media: setup.media, calls: setup.calls, send: setup.send, store, links: downloads, pipeline, log: setup.log });
  return {
    service,
    downloads,
    async close() {
      await service.close();
      store.close();
    },
  };
}
