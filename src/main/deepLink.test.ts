import { describe, expect, it } from 'vitest';
import { deepLinkInArguments, parseDeepLink } from './deepLink';

describe('parseDeepLink', () => {
  it.each(['softphone://call/bob', 'softphone://call/bob/', 'softphone://call/b%6Fb'])('asks to dial bob for %s', (link) => {
    expect(parseDeepLink(link)).toEqual({ type: 'dial', handle: 'bob' });
  });

  it.each([
    'softphone://call/',
    'softphone://call/Bob Smith',
    'softphone://call/bob/extra',
    'softphone://hangup/bob',
    'softphone://call/%E0%A4%A',
    'https://call/bob',
    'softphone:bob',
    'not a link',
  ])('ignores %s', (link) => {
    expect(parseDeepLink(link)).toBeNull();
  });
});

describe('deepLinkInArguments', () => {
  it('finds the link among the arguments', () => {
    expect(deepLinkInArguments(['/opt/Softphone/softphone', '--no-sandbox', 'softphone://call/bob'])).toBe('softphone://call/bob');
    expect(deepLinkInArguments(['/opt/Softphone/softphone'])).toBeNull();
  });
});
