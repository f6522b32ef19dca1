import { useEffect, useRef, useState } from 'react';
import { CallDetails } from './CallDetails';
import { CaptureControls } from './CaptureControls';
import { useSession } from './context';
import { SecurityStatus } from './SecurityStatus';
import { formatDuration } from './text';
import { useApp, type CallView } from '../store/appStore';

function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return (
    <span role="timer" aria-label="Call duration">
      {formatDuration(now - since)}
    </span>
  );
}

function RemoteMedia({ call }: { call: CallView }) {
  const audio = useRef<HTMLAudioElement>(null);
  const video = useRef<HTMLVideoElement>(null);
  const outputId = useApp((s) => s.settings?.audioOutputId ?? null);
  useEffect(() => {
    if (audio.current) audio.current.srcObject = call.remoteStream;
    if (video.current) video.current.srcObject = call.remoteStream;
  }, [call.remoteStream]);
  useEffect(() => {
    if (outputId && audio.current && 'setSinkId' in audio.current) void audio.current.setSinkId(outputId).catch(() => undefined);
  }, [outputId]);
  return (
    <>
      <audio ref={audio} autoPlay aria-label={`Audio from ${call.peer}`} />
      {call.video && <video ref={video} autoPlay playsInline muted aria-label={`Video from ${call.peer}`} className="remote-video" />}
    </>
  );
}

/** The current call: confirming a key change, ringing (either way), connecting or in the call. */
export function CallScreen({ call }: { call: CallView }) {
  const { calls } = useSession();
  const [showDetails, setShowDetails] = useState(false);

  if (call.phase === 'confirm-key-change') {
    return (
      <section className="panel call" aria-labelledby="call-title">
        <h2 id="call-title">Security key changed</h2>
        <p role="alert" className="warning">
          {call.peer}’s security key is not the one you had for them. They may have a new device — or someone may be
          impersonating them. Compare the security code once the call is up.
        </p>
        <div className="actions">
          <button type="button" onClick={() => void calls.confirmKeyChange()}>
            Call anyway
          </button>
          <button type="button" onClick={() => calls.hangUp()}>
            Cancel
          </button>
        </div>
      </section>
    );
  }

  if (call.phase === 'incoming') {
    return (
      <section className="panel call incoming" aria-labelledby="call-title">
        <h2 id="call-title">Incoming {call.video ? 'video ' : ''}call from {call.peer}</h2>
        <SecurityStatus call={call} />
        <div className="actions">
          <button type="button" className="accept" onClick={() => void calls.accept()} autoFocus>
            Accept
          </button>
          <button type="button" className="decline" onClick={() => calls.decline()}>
            Decline
          </button>
        </div>
      </section>
    );
  }

  const status =
    call.phase === 'dialing' ? 'Calling…' : call.phase === 'ringing' ? 'Ringing…' : call.phase === 'connecting' ? 'Connecting…' : null;
  return (
    <section className="panel call" aria-labelledby="call-title">
      <h2 id="call-title">{call.direction === 'outgoing' && call.phase !== 'active' ? `Calling ${call.peer}` : `In call with ${call.peer}`}</h2>
      <p role="status" aria-label="Call status">
        {status ?? (call.activeSince ? <Elapsed since={call.activeSince} /> : null)}
      </p>
      <SecurityStatus call={call} />
      <CaptureControls call={call} />
      <RemoteMedia call={call} />
      <div className="actions">
        <button type="button" aria-pressed={call.muted} onClick={() => calls.toggleMute()} disabled={call.phase !== 'connecting' && call.phase !== 'active'}>
          Mute
        </button>
        <button type="button" className="hangup" onClick={() => calls.hangUp()}>
          Hang up
        </button>
        <button type="button" aria-expanded={showDetails} onClick={() => setShowDetails(!showDetails)}>
          Call details
        </button>
      </div>
      {showDetails && <CallDetails call={call} />}
    </section>
  );
}
