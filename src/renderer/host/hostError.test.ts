import { describe, expect, it } from 'vitest';
import { hostErrorText } from './hostError';

describe('hostErrorText', () => {
  it('keeps only the message of an error main threw', () => {
    const wrapped = new Error(
      "Error invoking remote method 'softphone:identity.import': IdentityBackupError: The passphrase is wrong: it does not open this identity file.",
    );
    expect(hostErrorText(wrapped)).toBe('The passphrase is wrong: it does not open this identity file.');
    expect(hostErrorText(new Error("Error invoking remote method 'softphone:identity.import': Error: Finish the call before importing an identity."))).toBe(
      'Finish the call before importing an identity.',
    );
  });

  it('passes the web host’s errors and anything else through', () => {
    expect(hostErrorText(new Error('This is not a Softphone identity file.'))).toBe('This is not a Softphone identity file.');
    expect(hostErrorText('plain')).toBe('plain');
  });
});
