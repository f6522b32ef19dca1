import { describe, expect, it, vi } from 'vitest';
import { SCREEN_CHOICE_TTL_MS, ScreenSharePicker } from './screenShare';

const PNG = 'data:image/png;base64,iVBORw0KGgo=';
const APP_FRAME = { frame: { url: 'app://softphone/index.html', parent: null }, videoRequested: true };

function setup() {
  const sources = [
    { id: 'screen:0:0', name: 'Entire screen', image: PNG },
    { id: 'window:4242:0', name: 'Editor — notes.txt', image: PNG },
  ];
  const clock = { now: 1_000 };
  const call = { active: true };
  const picker = new ScreenSharePicker({
    list: vi.fn(async () => sources),
    thumbnail: (source) => source.image,
    callActive: () => call.active,
    now: () => clock.now,
  });
  return { picker, sources, clock, call };
}

describe('ScreenSharePicker', () => {
  it('lists screens and windows with their names and thumbnails', async () => {
    const { picker } = setup();
    expect(await picker.sources()).toEqual([
      { id: 'screen:0:0', name: 'Entire screen', kind: 'screen', thumbnail: PNG },
      { id: 'window:4242:0', name: 'Editor — notes.txt', kind: 'window', thumbnail: PNG },
    ]);
  });

  it('gives the picked source to the next getDisplayMedia of the app window, once', async () => {
    const { picker, sources } = setup();
    await picker.sources();
    expect(picker.chosen()).toBe(false);
    expect(picker.take(APP_FRAME)).toBeNull();
    await picker.sources();
    picker.choose('window:4242:0');
    expect(picker.chosen()).toBe(true);
    expect(picker.take(APP_FRAME)).toBe(sources[1]);
    // Once: a second request without a new pick is denied.
    expect(picker.chosen()).toBe(false);
    expect(picker.take(APP_FRAME)).toBeNull();
  });

  it('refuses a pick that was not listed, and a second pick from the same list', async () => {
    const { picker } = setup();
    expect(() => picker.choose('screen:0:0')).toThrow('was not offered');
    await picker.sources();
    expect(() => picker.choose('screen:9:0')).toThrow('was not offered');
    picker.choose('screen:0:0');
    expect(() => picker.choose('window:4242:0')).toThrow('was not offered');
  });

  it('denies a capture asked for too long after the pick', async () => {
    const { picker, clock } = setup();
    await picker.sources();
    picker.choose('screen:0:0');
    clock.now += SCREEN_CHOICE_TTL_MS + 1;
    expect(picker.chosen()).toBe(false);
    expect(picker.take(APP_FRAME)).toBeNull();
  });

  it('denies a capture to any frame but the app main frame, or without video, and uses up the pick doing so', async () => {
    const { picker } = setup();
    for (const request of [
      { ...APP_FRAME, frame: { url: 'app://softphone/index.html', parent: {} } },
      { ...APP_FRAME, frame: { url: 'https://evil.example/', parent: null } },
      { ...APP_FRAME, frame: null },
      { ...APP_FRAME, videoRequested: false },
    ]) {
      await picker.sources();
      picker.choose('screen:0:0');
      expect(picker.take(request)).toBeNull();
      expect(picker.chosen()).toBe(false);
    }
  });

  it('lists and grants nothing outside a call, and forgets a pick when the call ends', async () => {
    const { picker, call } = setup();
    call.active = false;
    await expect(picker.sources()).rejects.toThrow('only during a call');
    call.active = true;
    await picker.sources();
    picker.choose('screen:0:0');
    picker.forget();
    expect(picker.take(APP_FRAME)).toBeNull();
    await picker.sources();
    picker.choose('screen:0:0');
    call.active = false;
    expect(picker.chosen()).toBe(false);
    expect(picker.take(APP_FRAME)).toBeNull();
  });

  it('shows a source whose thumbnail is not a PNG data URL with none, and cuts very long names', async () => {
    const picker = new ScreenSharePicker({
      list: async () => [{ id: 'window:1:0', name: 'x'.repeat(1000), image: 'javascript:alert(1)' }],
      thumbnail: (source) => source.image,
      callActive: () => true,
      now: () => 0,
    });
    const [source] = await picker.sources();
    expect(source?.thumbnail).toBe('');
    expect(source?.name).toHaveLength(300);
  });
});
