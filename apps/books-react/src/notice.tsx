import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { useHash } from './routing';

/**
 * One polite live region for outcomes ("Saved", "Deleted", "Signed out"). A notice belongs to the location it was
 * raised for, so it survives the navigation that follows a save and disappears on the next one.
 */
interface Notices {
  notify: (text: string, forHash?: string) => void;
  visibleText: string;
}

const NoticeContext = createContext<Notices | null>(null);

export function NoticeProvider({ children }: { children: ReactNode }) {
  const hash = useHash();
  const [notice, setNotice] = useState<{ text: string; hash: string } | null>(null);
  const notify = useCallback((text: string, forHash?: string) => {
    setNotice({ text, hash: forHash ?? window.location.hash });
  }, []);
  const visibleText = notice !== null && notice.hash === hash ? notice.text : '';
  const value = useMemo(() => ({ notify, visibleText }), [notify, visibleText]);
  return <NoticeContext.Provider value={value}>{children}</NoticeContext.Provider>;
}

/** Rendered once, always present, so assistive technology is already watching it when text appears. */
export function NoticeRegion() {
  const { visibleText } = useNotice();
  return (
    <div className={visibleText ? 'notice' : 'notice empty'} role="status" aria-live="polite" aria-atomic="true">
      {visibleText}
    </div>
  );
}

export function useNotice(): Notices {
  const notices = useContext(NoticeContext);
  if (!notices) throw new Error('useNotice outside NoticeProvider');
  return notices;
}
