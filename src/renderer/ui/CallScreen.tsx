import { useEffect, useRef, useState } from 'react';
import { CallDetails } from './CallDetails';
import { CaptureControls } from './CaptureControls';
import { callQuality } from './callQuality';
import { useSession } from './context';
import { ScreenShareControl } from './ScreenShare';
import { SecurityStatus } from './SecurityStatus';
import { SHORTCUTS } from './shortcuts';
import { formatDuration } from './text';
import { DeviceSelect } from './DeviceSettings';
import { useMediaDevices } from './useMediaDevices';
import { useApp, type CallView } from '../store/appStore';
import type { SettingsPatch } from '../../shared/settings';

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
      <audio ref={audio} autoPlay muted={call.onHold} aria-label={`Audio from ${call.peer}`} />
      {call.video && <video ref={video} autoPlay playsInline muted aria-label={`Video from ${call.peer}`} className="remote-video" />}
    </>
  );
}

function QualityIndicator({ call }: { call: CallView }) {
  const quality = callQuality(call.stats);
  if (!quality || call.phase !== 'active') return null;
  const text = quality.level === 'good' ? 'Good connection' : `${quality.level === 'poor' ? 'Poor' : 'Fair'} connection: ${quality.reasons.join(', ')}`;
  return (
    <p role="status" aria-label="Connection quality" className={`quality ${quality.level}`}>
      {text}
    </p>
  );
}

/** Microphone and speaker, switchable during the call (and kept as the settings for later calls). */
function DevicePicker() {
  const session = useSession();
  const settings = useApp((s) => s.settings);
  const devices = useMediaDevices();
  if (!settings) return null;
  const change = (patch: SettingsPatch) => {
    void session.updateSettings(patch);
    if (patch.audioInputId !== undefined) void session.calls.switchMicrophone(patch.audioInputId);
  };
  return (
    <div className="devices">
      <DeviceSelect label="Microphone" kind="audioinput" field="audioInputId" devices={devices} settings={settings} change={change} />
      <DeviceSelect label="Speaker" kind="audiooutput" field="audioOutputId" devices={devices} settings={settings} change={change} />
    </div>
  );
}

/** The current call: confirming a key change, ringing (either way), connecting or in the call. */
export function CallScreen() {
  const { calls } = useSession();
  const call = useApp((s) => s.call);
  const identityAtRest = useApp((s) => s.identityAtRest);
  const [showDetails, setShowDetails] = useState(false);
  const [showDevices, setShowDevices] = useState(false);
  const serverOnline = useApp((s) => s.connection.state === 'online');
  if (!call) return null;

  if (call.phase === 'confirm-key-change') {
    return (
      <section className="panel call" aria-labelledby="call-title">
        <h2 id="call-title">Security key changed</h2>
        <p role="alert" className="warning">
          {call.peer}’s security key is not the one you had for them. They may have a new device — or someone may be impersonating them. Compare the security
          code once the call is up.
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
        <h2 id="call-title">
          Incoming {call.video ? 'video ' : ''}call from {call.peer}
        </h2>
        <SecurityStatus call={call} identityAtRest={identityAtRest} />
        <div className="actions">
          <button type="button" className="accept" onClick={() => void calls.accept()} autoFocus aria-keyshortcuts={SHORTCUTS.accept} title={SHORTCUTS.accept}>
            Accept
          </button>
          <button type="button" className="decline" onClick={() => calls.decline()} aria-keyshortcuts={SHORTCUTS.decline} title={SHORTCUTS.decline}>
            Decline
          </button>
        </div>
      </section>
    );
  }

  const inCall = call.phase === 'connecting' || call.phase === 'active';
  const status = call.phase === 'dialing' ? 'Calling…' : call.phase === 'ringing' ? 'Ringing…' : call.phase === 'connecting' ? 'Connecting…' : null;
  return (
    <section className="panel call" aria-labelledby="call-title">
      <h2 id="call-title">{call.direction === 'outgoing' && call.phase !== 'active' ? `Calling ${call.peer}` : `In call with ${call.peer}`}</h2>
      <p role="status" aria-label="Call status">
        {status ?? (call.activeSince ? <Elapsed since={call.activeSince} /> : null)}
      </p>
      {!serverOnline && (
        <p role="status" className="warning">
          Reconnecting to the server… the call goes on meanwhile.
        </p>
      )}
      {call.peerOnHold && (
        <p role="status" aria-label="Hold" className="warning">
          {call.peer} put the call on hold.
        </p>
      )}
      {call.onHold && (
        <p role="status" aria-label="Hold" className="warning">
          You put the call on hold.
        </p>
      )}
      {call.sharingScreen && (
        <p role="status" aria-label="Screen sharing">
          {call.peer} sees your shared screen{call.onHold || call.peerOnHold ? ' once the call is resumed' : ''}.
        </p>
      )}
      <QualityIndicator call={call} />
      <SecurityStatus call={call} identityAtRest={identityAtRest} />
      <CaptureControls call={call} />
      <RemoteMedia call={call} />
      <div className="actions">
        <button
          type="button"
          aria-pressed={call.muted}
          onClick={() => calls.toggleMute()}
          disabled={!inCall}
          aria-keyshortcuts={SHORTCUTS.mute}
          title={SHORTCUTS.mute}
        >
          {call.muted ? 'Unmute' : 'Mute'}
        </button>
        <button
          type="button"
          aria-pressed={call.onHold}
          onClick={() => calls.toggleHold()}
          disabled={!inCall}
          aria-keyshortcuts={SHORTCUTS.hold}
          title={SHORTCUTS.hold}
        >
          {call.onHold ? 'Resume' : 'Hold'}
        </button>
        {call.video && (
          <button type="button" aria-pressed={call.cameraOff} onClick={() => calls.toggleCamera()} disabled={!inCall}>
            Camera off
          </button>
        )}
        <ScreenShareControl call={call} disabled={!inCall} />
        <button type="button" className="hangup" onClick={() => calls.hangUp()} aria-keyshortcuts={SHORTCUTS.hangUp} title={SHORTCUTS.hangUp}>
          Hang up
        </button>
        <button type="button" aria-expanded={showDevices} onClick={() => setShowDevices(!showDevices)}>
          Devices
        </button>
        <button type="button" aria-expanded={showDetails} onClick={() => setShowDetails(!showDetails)}>
          Call details
        </button>
      </div>
      {showDevices && <DevicePicker />}
      {showDetails && <CallDetails call={call} />}
    </section>
  );
}
