import { useRef, useState, type FormEvent } from 'react';
import { normaliseToken } from '../auth/tokenStore';
import { Modal } from './Modal';

export type TokenPromptReason = 'required' | 'rejected';

const EXPLANATION: Record<TokenPromptReason, string> = {
  required: 'Changing books needs an access token. Paste the token an operator gave you.',
  rejected: 'The token was not accepted (it may have expired or be mistyped). Paste a valid access token.',
};

interface TokenDialogProps {
  reason: TokenPromptReason;
  onSubmit: (token: string) => void;
  onCancel: () => void;
}

export function TokenDialog({ reason, onSubmit, onCancel }: TokenDialogProps) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [value, setValue] = useState('');
  const [showEmptyError, setShowEmptyError] = useState(false);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const token = normaliseToken(value);
    if (token === '') {
      setShowEmptyError(true);
      inputRef.current?.focus();
      return;
    }
    onSubmit(token);
  }

  return (
    <Modal
      labelledBy="token-dialog-title"
      describedBy="token-dialog-explanation"
      onCancel={onCancel}
      initialFocus={inputRef}
    >
      <form onSubmit={submit} noValidate>
        <h2 id="token-dialog-title">Access token needed</h2>
        <p id="token-dialog-explanation">
          {EXPLANATION[reason]} It is kept only in this browser tab until you sign out or close the tab.
        </p>
        <div className="field">
          <label htmlFor="token-input">Access token</label>
          <input
            ref={inputRef}
            id="token-input"
            name="token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            aria-required="true"
            aria-invalid={showEmptyError}
            aria-describedby={showEmptyError ? 'token-input-error' : undefined}
            value={value}
            onChange={(event) => setValue(event.target.value)}
          />
          {showEmptyError && (
            <p id="token-input-error" className="field-error">
              Enter an access token.
            </p>
          )}
        </div>
        <div className="actions">
          <button type="submit" className="primary">
            Continue
          </button>
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
