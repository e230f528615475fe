import { useSyncExternalStore } from 'react';

/**
 * Hash routing: the gateway sends every `/books…` path to the API, so the app's own locations live in the fragment
 * (`#/books/<id>`) and can never collide with an API route, whatever the gateway's route table says.
 */
export type Route =
  | { kind: 'list'; q: string; offset: number }
  | { kind: 'new' }
  | { kind: 'view'; id: string }
  | { kind: 'edit'; id: string }
  | { kind: 'notFound' };

export const href = {
  list(q = '', offset = 0): string {
    const params = new URLSearchParams();
    if (q !== '') params.set('q', q);
    if (offset > 0) params.set('offset', String(offset));
    const query = params.toString();
    return query === '' ? '#/' : `#/?${query}`;
  },
  new: (): string => '#/new',
  view: (id: string): string => `#/books/${encodeURIComponent(id)}`,
  edit: (id: string): string => `#/books/${encodeURIComponent(id)}/edit`,
};

function nonNegativeInteger(text: string | null): number {
  const value = Number(text);
  return text !== null && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

export function parseRoute(hash: string): Route {
  const [rawPath = '', rawQuery = ''] = hash.replace(/^#/, '').split('?', 2);
  const path = rawPath === '' ? '/' : rawPath;
  if (path === '/') {
    const params = new URLSearchParams(rawQuery);
    return { kind: 'list', q: params.get('q') ?? '', offset: nonNegativeInteger(params.get('offset')) };
  }
  if (path === '/new') return { kind: 'new' };
  const match = /^\/books\/([^/]+)(\/edit)?$/.exec(path);
  if (match?.[1] !== undefined) {
    let id: string;
    try {
      id = decodeURIComponent(match[1]);
    } catch {
      return { kind: 'notFound' };
    }
    return match[2] ? { kind: 'edit', id } : { kind: 'view', id };
  }
  return { kind: 'notFound' };
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const currentHash = (): string => window.location.hash;

/** The current location's hash; components re-render when it changes. */
export function useHash(): string {
  return useSyncExternalStore(subscribe, currentHash);
}

export function navigate(to: string): void {
  window.location.hash = to;
}
