import { useEffect } from 'react';

export const PAGE_HEADING_ID = 'page-heading';

/** The page's h1: focusable so the app can move focus to it after navigation, and it names the document. */
export function PageHeading({ children }: { children: string }) {
  useEffect(() => {
    document.title = `${children} – Books`;
  }, [children]);
  return (
    <h1 id={PAGE_HEADING_ID} tabIndex={-1}>
      {children}
    </h1>
  );
}
