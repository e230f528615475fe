import { useLayoutEffect } from 'react';

export const PAGE_HEADING_ID = 'page-heading';
const APP_NAME = 'Books';

/** `document.title` for a page: its heading, then the app's name (only once when the heading is the name). */
export function documentTitle(heading: string): string {
  return heading === APP_NAME ? APP_NAME : `${heading} – ${APP_NAME}`;
}

/**
 * The page's h1: focusable (tabindex -1, never in the Tab order) so the app can move focus to it after navigation,
 * and it names the document. styles.css draws no focus frame on it: only the app ever focuses it.
 */
export function PageHeading({ children }: { children: string }) {
  // A layout effect: the title changes in the same commit as the heading (a passive effect runs later, so anything
  // that sees the new page — a screen reader, a history entry, a test — could still read the old title).
  useLayoutEffect(() => {
    document.title = documentTitle(children);
  }, [children]);
  return (
    <h1 id={PAGE_HEADING_ID} tabIndex={-1}>
      {children}
    </h1>
  );
}
