import { useEffect, useRef } from 'react';
import { AuthProvider, useAuth } from './auth/AuthProvider';
import { PAGE_HEADING_ID, PageHeading } from './components/PageHeading';
import { NoticeProvider, NoticeRegion, useNotice } from './notice';
import { BookPage } from './pages/BookPage';
import { EditBookPage } from './pages/EditBookPage';
import { ListPage } from './pages/ListPage';
import { NewBookPage } from './pages/NewBookPage';
import { href, parseRoute, useHash, type Route } from './routing';

export function App() {
  return (
    <NoticeProvider>
      <AuthProvider>
        <Layout />
      </AuthProvider>
    </NoticeProvider>
  );
}

/** Which page a route shows; list searches and pages count as the same page for focus purposes. */
function pageKey(route: Route): string {
  return route.kind === 'view' || route.kind === 'edit' ? `${route.kind}:${route.id}` : route.kind;
}

function Layout() {
  const route = parseRoute(useHash());
  const mainRef = useRef<HTMLElement>(null);
  const key = pageKey(route);
  const firstRender = useRef(true);

  // After moving to another page, put focus on its heading (as a full page load would put the reader at the top),
  // but never steal focus on the initial load.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    document.getElementById(PAGE_HEADING_ID)?.focus();
  }, [key]);

  return (
    <>
      <a
        className="skip-link"
        href="#main-content"
        onClick={(event) => {
          event.preventDefault(); // a plain fragment link would replace the hash route
          mainRef.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="site-header">
        <p className="brand">Books</p>
        <nav aria-label="Main">
          <a href={href.list()} aria-current={route.kind === 'list' ? 'page' : undefined}>
            All books
          </a>
          <a href={href.new()} aria-current={route.kind === 'new' ? 'page' : undefined}>
            Add a book
          </a>
        </nav>
        <Session />
      </header>
      <main id="main-content" ref={mainRef} tabIndex={-1}>
        <NoticeRegion />
        <Page key={key} route={route} />
      </main>
    </>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.kind) {
    case 'list':
      return <ListPage q={route.q} offset={route.offset} />;
    case 'new':
      return <NewBookPage />;
    case 'view':
      return <BookPage id={route.id} />;
    case 'edit':
      return <EditBookPage id={route.id} />;
    case 'notFound':
      return (
        <>
          <PageHeading>Page not found</PageHeading>
          <p>
            There is nothing at this address. <a href={href.list()}>Go to all books</a>.
          </p>
        </>
      );
  }
}

function Session() {
  const auth = useAuth();
  const { notify } = useNotice();
  if (!auth.signedIn) return <p className="session">Not signed in</p>;
  return (
    <div className="session">
      <span>Signed in with an access token</span>
      <button
        type="button"
        onClick={() => {
          auth.signOut();
          notify('Signed out. The access token was forgotten.');
          // The button disappears; keep the reader in a sensible place.
          document.getElementById(PAGE_HEADING_ID)?.focus();
        }}
      >
        Sign out
      </button>
    </div>
  );
}
