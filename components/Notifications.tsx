import type { FC } from 'hono/jsx';
import type { Notification } from '../app/ports/store.ts';
import { Layout } from './Layout.tsx';
import type { HtmxMajor } from './htmx.tsx';
import type { Viewer } from './Header.tsx';

/** A `new-notification` event: the toast, plus the delete of the toast that leaves the newest five. */
export const Toast: FC<{ notification: Notification; dropId: number | null }> = ({ notification, dropId }) => (
  <>
    <div class={`toast toast-${notification.level}`} role="alert" id={`toast-${notification.id}`}>
      {notification.text}
    </div>
    {dropId !== null ? <div id={`toast-${dropId}`} hx-swap-oob="delete"></div> : null}
  </>
);

/** A `notification-count` event. */
export const UnreadCount: FC<{ count: number }> = ({ count }) => <span>{count}</span>;

export const NotificationsPage: FC<{ viewer: Viewer; notifications: Notification[]; origin: string; htmx?: HtmxMajor }> = ({ viewer, notifications, origin, htmx }) => (
  <Layout title="Notifications" viewer={viewer} htmx={htmx}>
    <div class="page-heading">
      <h1>Notifications</h1>
    </div>
    <section class="panel" aria-labelledby="list-title">
      <div class="panel-heading">
        <h2 id="list-title">Recent</h2>
        {notifications.some((n) => !n.read) ? (
          // Opening the page marks everything read: htmx posts this form once it has loaded (SPEC §4.5).
          <form id="mark-read" method="post" action="/notifications/read" hx-post="/notifications/read" hx-trigger="load, submit" hx-swap="none">
            <button type="submit">Mark all as read</button>
          </form>
        ) : null}
      </div>
      {notifications.length === 0 ? (
        <p class="empty">No notifications yet.</p>
      ) : (
        <ul id="notification-list">
          {notifications.map((n) => (
            <li class={`notification notification-${n.level}${n.read ? '' : ' unread'}`} id={`notification-${n.id}`}>
              <span class="level">{n.level}</span> {n.text} <time datetime={new Date(n.at).toISOString()}>{new Date(n.at).toISOString()}</time>
            </li>
          ))}
        </ul>
      )}
    </section>
    <section class="panel" aria-labelledby="api-title">
      <h2 id="api-title">Send your own</h2>
    <p>
      Your user id is <code id="user-id">{viewer.userId}</code>. Your own systems can notify you with:
    </p>
    <pre class="example" tabindex={0}>
      {`curl -X POST ${origin}/api/notify \\\n  -H "Authorization: Bearer $API_TOKEN" -H "Content-Type: application/json" \\\n  -d '{"user": "${viewer.userId}", "text": "Build finished", "level": "success"}'`}
    </pre>
    </section>
  </Layout>
);
