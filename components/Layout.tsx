import type { Child, FC } from 'hono/jsx';
import { raw } from 'hono/html';
import { Header, type Viewer } from './Header.tsx';
import { vendorUrl } from './assets.ts';

/** No inline styles (the CSP forbids them) and no eval. */
const HTMX_CONFIG = JSON.stringify({ includeIndicatorStyles: false, allowEval: false, allowScriptTags: false });

export interface LayoutProps {
  title: string;
  viewer: Viewer;
  /** SSE topics besides the user's own notifications, which every page receives. */
  topics?: string[];
  /** `chat` and `lobby` pages fill the window, with the composer pinned to the bottom. */
  page?: 'chat' | 'lobby';
  children?: Child;
}

export const Layout: FC<LayoutProps> = ({ title, viewer, topics = [], page, children }) => {
  const events = topics.length ? `/events?topics=${topics.join(',')}` : '/events';
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title>{`${title} · Switchboard`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/css/app.css" />
        <link rel="stylesheet" href="/css/arena.css" />
        {/* Runs before the first paint so a remembered theme never flashes the other one. */}
        <script src="/js/theme.js"></script>
        <script src={vendorUrl('htmx.min.js')} defer></script>
        <script src={vendorUrl('ws.min.js')} defer></script>
        <script src={vendorUrl('sse.min.js')} defer></script>
        <script src="/js/sse-resume.js" defer></script>
        <script src="/js/status.js" defer></script>
        <script src="/js/local-time.js" defer></script>
        <script src="/js/chat.js" defer></script>
        <script src="/js/ui.js" defer></script>
        <script src="/js/arena.js" defer></script>
      </head>
      <body hx-ext="sse" sse-connect={events} class={page ? `app-page page-${page}` : 'doc-page'}>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <Header viewer={viewer} />
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

export const NotFoundPage: FC<{ viewer: Viewer; message: string }> = ({ viewer, message }) => (
  <Layout title="Not found" viewer={viewer}>
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
