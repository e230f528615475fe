import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { ApiError, TokenPromptCancelled } from '../api/errors';
import { TokenDialog, type TokenPromptReason } from '../components/TokenDialog';
import { tokenStore } from './tokenStore';

interface Auth {
  signedIn: boolean;
  signOut: () => void;
  /**
   * Runs a write with the session's token (or none). When the gateway answers 401 it asks the person for a token,
   * keeps it for the session and runs the write again; a cancelled prompt rejects with TokenPromptCancelled.
   */
  authorizedWrite: <T>(write: (token: string | null) => Promise<T>) => Promise<T>;
}

const AuthContext = createContext<Auth | null>(null);

interface Prompt {
  reason: TokenPromptReason;
  settle: (token: string | null) => void;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [token, setToken] = useState<string | null>(() => tokenStore.get());
  const tokenRef = useRef(token);
  const [prompt, setPrompt] = useState<Prompt | null>(null);

  const remember = useCallback((next: string | null) => {
    tokenRef.current = next;
    setToken(next);
    if (next === null) tokenStore.clear();
    else tokenStore.set(next);
  }, []);

  // Writes that hit 401 while the dialog is already open wait for the same answer instead of replacing the dialog.
  const pendingPrompt = useRef<Promise<string | null> | null>(null);
  const askForToken = useCallback((reason: TokenPromptReason) => {
    pendingPrompt.current ??= new Promise<string | null>((resolve) => {
      setPrompt({
        reason,
        settle: (value) => {
          pendingPrompt.current = null;
          setPrompt(null);
          resolve(value);
        },
      });
    });
    return pendingPrompt.current;
  }, []);

  const authorizedWrite = useCallback(
    async <T,>(write: (token: string | null) => Promise<T>): Promise<T> => {
      for (;;) {
        const used = tokenRef.current;
        try {
          return await write(used);
        } catch (error) {
          if (!(error instanceof ApiError) || error.status !== 401) throw error;
          if (used !== null) remember(null);
          const entered = await askForToken(used === null ? 'required' : 'rejected');
          if (entered === null) throw new TokenPromptCancelled();
          remember(entered);
        }
      }
    },
    [askForToken, remember],
  );

  const signOut = useCallback(() => remember(null), [remember]);

  const auth = useMemo<Auth>(
    () => ({ signedIn: token !== null, signOut, authorizedWrite }),
    [token, signOut, authorizedWrite],
  );

  return (
    <AuthContext.Provider value={auth}>
      {children}
      {prompt && (
        <TokenDialog
          reason={prompt.reason}
          onSubmit={(value) => prompt.settle(value)}
          onCancel={() => prompt.settle(null)}
        />
      )}
    </AuthContext.Provider>
  );
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}
