import type { CallView } from '../store/appStore';

const number = (value: number | null, digits = 0, unit = '') => (value === null ? '—' : `${value.toFixed(digits)}${unit}`);

/** Call details: media quality from WebRTC stats and the E2EE frame counters. */
export function CallDetails({ call }: { call: CallView }) {
  const { stats, counters } = call;
  return (
    <section className="details" aria-label="Call details">
      <h3>Connection</h3>
      <dl>
        <dt>Round-trip time</dt>
        <dd>{number(stats?.roundTripMs ?? null, 0, ' ms')}</dd>
        <dt>Jitter</dt>
        <dd>{number(stats?.jitterMs ?? null, 1, ' ms')}</dd>
        <dt>Packet loss</dt>
        <dd>{number(stats?.packetsLostPercent ?? null, 1, ' %')}</dd>
        <dt>Receiving</dt>
        <dd>{number(stats?.inboundKbps ?? null, 0, ' kbit/s')}</dd>
        <dt>Sending</dt>
        <dd>{number(stats?.outboundKbps ?? null, 0, ' kbit/s')}</dd>
        <dt>Audio samples received</dt>
        <dd data-testid="samples-received">{stats?.totalSamplesReceived ?? 0}</dd>
      </dl>
      {counters && (
        <>
          <h3>End-to-end encryption</h3>
          <dl>
            <dt>Frames encrypted</dt>
            <dd aria-label="Frames encrypted">{counters.encrypted}</dd>
            <dt>Frames decrypted</dt>
            <dd aria-label="Frames decrypted">{counters.decrypted}</dd>
            <dt>Key epoch</dt>
            <dd aria-label="Key epoch">{counters.epoch}</dd>
            {Object.entries(counters.dropped).map(([reason, count]) => (
              <div key={reason} className="row">
                <dt>Dropped ({reason})</dt>
                <dd aria-label={`Frames dropped: ${reason}`}>{count}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
    </section>
  );
}
