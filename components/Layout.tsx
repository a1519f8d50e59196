import type { Child, FC } from 'hono/jsx';
import { raw } from 'hono/html';
import { Header, type Viewer } from './Header.tsx';
import { HtmxHead, sseConnect, type HtmxMajor } from './htmx.tsx';

export interface LayoutProps {
  title: string;
  viewer: Viewer;
  /** SSE topics besides the user's own notifications, which every page receives. */
  topics?: string[];
  /** `chat` and `lobby` pages fill the window, with the composer pinned to the bottom. */
  page?: 'chat' | 'lobby';
  /** The htmx major the page loads (`HTMX_VERSION`). */
  htmx?: HtmxMajor;
  children?: Child;
}

export const Layout: FC<LayoutProps> = ({ title, viewer, topics = [], page, htmx: major = 2, children }) => {
  const events = topics.length ? `/events?topics=${topics.join(',')}` : '/events';
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{`${title} · Switchboard`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/css/app.css" />
        <link rel="stylesheet" href="/css/arena.css" />
        {/* Runs before the first paint so a remembered theme never flashes the other one. */}
        <script src="/js/theme.js"></script>
        <HtmxHead major={major} />
        <script src="/js/status.js" defer></script>
        <script src="/js/local-time.js" defer></script>
        <script src="/js/chat.js" defer></script>
        <script src="/js/ui.js" defer></script>
        <script src="/js/arena.js" defer></script>
      </head>
      <body {...sseConnect(major, events)} class={page ? `app-page page-${page}` : 'doc-page'}>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <Header viewer={viewer} htmx={major} />
        <div id="offline-banner" class="offline-banner" hidden>
          You are offline. What you see may be out of date; messages you send will go out when the connection is back.
        </div>
        <main id="main" tabindex={-1}>
          {children}
        </main>
      </body>
      </html>
    </>
  );
};

export const NotFoundPage: FC<{ viewer: Viewer; message: string; htmx?: HtmxMajor }> = ({ viewer, message, htmx }) => (
  <Layout title="Not found" viewer={viewer} htmx={htmx}>
    <div class="empty-state">
      <h1>Not found</h1>
      <p>{message}</p>
      <p>
        <a class="button" href="/">
          Back to the rooms
        </a>
      </p>
    </div>
  </Layout>
);
