import type { TimePercentiles } from '../media/transformTimes';
import type { CallView } from '../store/appStore';

const number = (value: number | null, digits = 0, unit = '') => (value === null ? '—' : `${value.toFixed(digits)}${unit}`);

const micros = (value: number) => (value < 100 ? `${value.toFixed(1)} µs` : `${(value / 1000).toFixed(2)} ms`);
const percentiles = (times: TimePercentiles | null) => (times === null ? '—' : `p50 ${micros(times.p50Micros)} · p99 ${micros(times.p99Micros)}`);
const OPERATIONS = [
  ['encrypt', 'Encrypt time per frame'],
  ['decrypt', 'Decrypt time per frame'],
] as const;

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
            {OPERATIONS.flatMap(([operation, name]) =>
              (['audio', 'video'] as const).map((kind) => (
                <div key={`${operation}-${kind}`} className="row">
                  <dt>
                    {name} ({kind})
                  </dt>
                  <dd aria-label={`${name}, ${kind}`}>{percentiles(counters.times[operation][kind])}</dd>
                </div>
              )),
            )}
          </dl>
          {counters.coarseTimer && <p className="hint">Times are rounded to the browser’s 0.1 ms clock: this page is not cross-origin isolated.</p>}
        </>
      )}
    </section>
  );
}
