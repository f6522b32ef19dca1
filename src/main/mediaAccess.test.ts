import { describe, expect, it } from 'vitest';
import { MediaAccess } from './mediaAccess';

describe('MediaAccess', () => {
  it('wants the devices during a call', () => {
    let inCall = false;
    const access = new MediaAccess(() => inCall);
    expect(access.wanted()).toBe(false);
    inCall = true;
    expect(access.wanted()).toBe(true);
  });

  it('wants them while the settings panel previews them, until the preview stops', () => {
    const access = new MediaAccess(() => false);
    access.setPreview(true);
    expect(access.wanted()).toBe(true);
    access.setPreview(false);
    expect(access.wanted()).toBe(false);
  });
});
