import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/errors';
import { AuthProvider, useAuth } from '../../src/auth/AuthProvider';
import { normaliseToken } from '../../src/auth/tokenStore';

const GOOD = 'good-token';

/** Two writes started together; each fails with 401 unless it carries the good token. */
function TwoWrites({ calls }: { calls: (string | null)[] }) {
  const auth = useAuth();
  const [outcome, setOutcome] = useState('');
  const write = (token: string | null) => {
    calls.push(token);
    return token === GOOD ? Promise.resolve('saved') : Promise.reject(new ApiError(401, 'unauthenticated', 'no', null));
  };
  return (
    <>
      <button
        type="button"
        onClick={() => {
          void Promise.all([auth.authorizedWrite(write), auth.authorizedWrite(write)]).then((results) =>
            setOutcome(results.join(' and ')),
          );
        }}
      >
        Save both
      </button>
      <p>{outcome}</p>
    </>
  );
}

describe('AuthProvider', () => {
  it('asks once when several writes hit 401 together, then retries all of them with the token', async () => {
    const calls: (string | null)[] = [];
    const user = userEvent.setup();
    render(
      <AuthProvider>
        <TwoWrites calls={calls} />
      </AuthProvider>,
    );
    await user.click(screen.getByRole('button', { name: 'Save both' }));
    const dialog = await screen.findByRole('dialog', { name: 'Access token needed' });
    expect(screen.getAllByRole('dialog')).toHaveLength(1);
    await user.type(within(dialog).getByLabelText('Access token'), GOOD);
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }));

    expect(await screen.findByText('saved and saved')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls).toEqual([null, null, GOOD, GOOD]);
  });

  it('normalises pasted tokens', () => {
    expect(normaliseToken('  Bearer abc.def.ghi \n')).toBe('abc.def.ghi');
    expect(normaliseToken('bearer   abc')).toBe('abc');
    expect(normaliseToken('abc')).toBe('abc');
    expect(normaliseToken('   ')).toBe('');
  });
});
