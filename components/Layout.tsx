import type { Child, FC } from 'hono/jsx';
import { raw } from 'hono/html';
import { Header, type Viewer } from './Header.tsx';
import { HtmxHead, sseConnect, type HtmxMajor } from './htmx.tsx';

export interface LayoutProps {
  title: string;
  viewer: Viewer;
  /** SSE topics besides the user's own notifications, which every page receives. */
  topics?: string[];
  /** The htmx major the page loads (`HTMX_VERSION`). */
  htmx?: HtmxMajor;
  children?: Child;
}

export const Layout: FC<LayoutProps> = ({ title, viewer, topics = [], htmx: major = 2, children }) => {
  const events = topics.length ? `/events?topics=${topics.join(',')}` : '/events';
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Switchboard`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/css/app.css" />
        <HtmxHead major={major} />
        <script src="/js/status.js" defer></script>
        <script src="/js/local-time.js" defer></script>
        <script src="/js/chat.js" defer></script>
      </head>
      <body {...sseConnect(major, events)}>
        <Header viewer={viewer} htmx={major} />
        <main>{children}</main>
      </body>
      </html>
    </>
  );
};

export const NotFoundPage: FC<{ viewer: Viewer; message: string; htmx?: HtmxMajor }> = ({ viewer, message, htmx }) => (
  <Layout title="Not found" viewer={viewer} htmx={htmx}>
    <h1>Not found</h1>
    <p>{message}</p>
    <p>
      <a href="/">Back to the rooms</a>
    </p>
  </Layout>
);
