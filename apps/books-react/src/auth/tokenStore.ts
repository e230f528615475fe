/** The access token lives in sessionStorage: it survives reloads of this tab and is gone when the tab closes. */
const KEY = 'books.accessToken';

export const tokenStore = {
  get(): string | null {
    try {
      return window.sessionStorage.getItem(KEY);
    } catch {
      return null; // storage disabled: the app still works, it just asks again
    }
  },
  set(token: string): void {
    try {
      window.sessionStorage.setItem(KEY, token);
    } catch {
      // storage disabled or full: keep working with the in-memory copy held by AuthProvider
    }
  },
  clear(): void {
    try {
      window.sessionStorage.removeItem(KEY);
    } catch {
      // nothing stored, nothing to forget
    }
  },
};

/** People paste tokens with or without the scheme, and with stray whitespace. */
export function normaliseToken(input: string): string {
  return input
    .trim()
    .replace(/^Bearer\s+/i, '')
    .trim();
}
