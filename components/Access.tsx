import type { FC } from 'hono/jsx';
import { raw } from 'hono/html';
import { Layout } from './Layout.tsx';
import type { Viewer } from './Header.tsx';
import type { HtmxMajor } from './htmx.tsx';

/**
 * A sign-in that did not happen (SPEC §9): a plain page with no stream or socket, since the visitor
 * may have no session at all; so it loads no htmx of either major.
 */
export const SignInFailedPage: FC<{ reason: string; loginUrl?: string }> = ({ reason, loginUrl }) => (
  <>
    {raw('<!DOCTYPE html>')}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Not signed in · Switchboard</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/css/app.css" />
      </head>
      <body>
        <main>
          <h1>Not signed in</h1>
          <p id="auth-error" role="alert">
            {reason}
          </p>
          {loginUrl ? (
            <p>
              <a href={loginUrl}>Sign in again</a>
            </p>
          ) : null}
        </main>
      </body>
    </html>
  </>
);

/** A private room seen by someone who is not a member: a page like every other, with the pages' htmx (`HTMX_VERSION`). */
export const PrivateRoomPage: FC<{ viewer: Viewer; room: string; htmx?: HtmxMajor }> = ({ viewer, room, htmx }) => (
  <Layout title="Private room" viewer={viewer} htmx={htmx}>
    <h1>Private room</h1>
    <p id="access-error">#{room} is a private room and you are not one of its members.</p>
    <p>
      <a href="/">Back to the rooms</a>
    </p>
  </Layout>
);
