import { describe, expect, it } from 'vitest';
import { deviceChoices, levelOf } from './devicePreview';

const devices = [
  { deviceId: 'default', kind: 'audioinput', label: 'Default - Built-in Microphone' },
  { deviceId: 'communications', kind: 'audioinput', label: 'Communications - Headset' },
  { deviceId: 'mic-1', kind: 'audioinput', label: 'Built-in Microphone' },
  { deviceId: 'mic-2', kind: 'audioinput', label: '' },
  { deviceId: 'spk-1', kind: 'audiooutput', label: 'Headphones' },
  { deviceId: 'cam-1', kind: 'videoinput', label: 'FaceTime HD Camera' },
] as const;

describe('deviceChoices', () => {
  it('offers the system default first, then each device of the kind once, numbered when unlabelled', () => {
    expect(deviceChoices(devices, 'audioinput', null)).toEqual([
      { id: null, label: 'System default' },
      { id: 'mic-1', label: 'Built-in Microphone' },
      { id: 'mic-2', label: 'Microphone 2' },
    ]);
    expect(deviceChoices(devices, 'audiooutput', 'spk-1')).toEqual([
      { id: null, label: 'System default' },
      { id: 'spk-1', label: 'Headphones' },
    ]);
    expect(deviceChoices(devices, 'videoinput', null).map((choice) => choice.label)).toEqual(['System default', 'FaceTime HD Camera']);
  });

  it('keeps a saved device that is not plugged in, and says so', () => {
    expect(deviceChoices(devices, 'videoinput', 'cam-gone').at(-1)).toEqual({ id: 'cam-gone', label: 'Camera chosen earlier (not connected)' });
  });

  it('offers only the default while the browser hides the devices (no permission yet)', () => {
    expect(deviceChoices([{ deviceId: '', kind: 'audioinput', label: '' }], 'audioinput', null)).toEqual([{ id: null, label: 'System default' }]);
  });
});

describe('levelOf', () => {
  it('is 0 for silence and nothing, 1 for full scale', () => {
    expect(levelOf(new Float32Array(0))).toBe(0);
    expect(levelOf(new Float32Array(128))).toBe(0);
    expect(levelOf(new Float32Array(128).fill(1))).toBe(1);
  });

  it('reads on a 60 dB scale', () => {
    expect(levelOf(new Float32Array(128).fill(0.1))).toBeCloseTo(40 / 60);
    expect(levelOf(new Float32Array(128).fill(0.001))).toBeCloseTo(0);
    expect(levelOf(new Float32Array(128).fill(-0.5))).toBeCloseTo((60 - 6.0206) / 60);
  });
});
