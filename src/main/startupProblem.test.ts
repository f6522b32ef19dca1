import { describe, expect, it } from 'vitest';
import { SecretStoreLockedError, StoreUnreadableError } from './sealedFile';
import { describeStartupProblem } from './startupProblem';

describe('describeStartupProblem', () => {
  it('offers to quit or start afresh when the file was kept aside', () => {
    const error = new StoreUnreadableError('The identity file', 'it could not be decrypted', '/data/identity.json.unreadable-x');
    expect(describeStartupProblem(error, 'Create a New Identity')).toMatchObject({
      kind: 'choice',
      message: expect.stringContaining('/data/identity.json.unreadable-x') as string,
      buttons: ['Quit', 'Create a New Identity'],
    });
  });

  it('stops when the secret store is locked', () => {
    expect(describeStartupProblem(new SecretStoreLockedError('locked'), 'x')).toEqual({ kind: 'fatal', message: 'locked' });
  });

  it('leaves other errors to the caller', () => {
    expect(describeStartupProblem(new Error('bug'), 'x')).toBeNull();
  });
});
