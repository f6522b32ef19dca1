import { describe, expect, it } from 'vitest';
import { APP_ENTRY_URL, APP_ORIGIN, isAppUrl } from './appOrigin';

describe('isAppUrl', () => {
  it.each([
    ['app://softphone/index.html', true],
    ['app://softphone', true],
    ['app://softphone/assets/x.js?v=1#y', true],
    ['app://other/index.html', false],
    ['app://user:pw@softphone/index.html', false],
    ['app://softphone:8080/index.html', false],
    ['https://softphone/index.html', false],
    ['file:///index.html', false],
    ['not a url', false],
  ])('%s → %s', (url, expected) => {
    expect(isAppUrl(url)).toBe(expected);
  });
});

describe('the app origin', () => {
  it('is app://softphone, with index.html as the entry page', () => {
    expect(APP_ORIGIN).toBe('app://softphone');
    expect(APP_ENTRY_URL).toBe('app://softphone/index.html');
  });
});
