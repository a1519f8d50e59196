import type { FC } from 'hono/jsx';
import { sseSwap, type HtmxMajor } from './htmx.tsx';

export interface Viewer {
  userId: string;
  name: string | null;
}

/** The part of the header that `POST /session` returns: the name, or the form to choose one. */
export const Identity: FC<{ viewer: Viewer; error?: string }> = ({ viewer, error }) => (
  <div id="identity">
    {viewer.name && !error ? (
      <span class="user-name">
        Signed in as <strong>{viewer.name}</strong>
      </span>
    ) : (
      <form id="name-form" method="post" action="/session" hx-post="/session" hx-target="#identity" hx-swap="outerHTML">
        <label for="name-input">Your name</label>
        <input id="name-input" name="name" required maxlength={32} autocomplete="nickname" value={viewer.name ?? ''} />
        <button type="submit">Set name</button>
        {error ? (
          <span class="form-error" role="alert">
            {error}
          </span>
        ) : null}
      </form>
    )}
  </div>
);

export const Header: FC<{ viewer: Viewer; htmx?: HtmxMajor }> = ({ viewer, htmx: major = 2 }) => {
  return (
  <header data-user-id={viewer.userId}>
    <a class="brand" href="/">
      Switchboard
    </a>
    <nav>
      <a href="/dashboard">Dashboard</a>
    </nav>
    <Identity viewer={viewer} />
    <a class="bell" href="/notifications" aria-label="Notifications">
      <svg class="bell-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
        <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z" />
      </svg>
      <span id="notif-count" {...sseSwap(major, 'notification-count')}>
        <span>0</span>
      </span>
    </a>
    <span id="connection-status" class="disconnected" role="status">
      Connecting…
    </span>
    <div id="toast-container" {...sseSwap(major, 'new-notification')} aria-live="polite"></div>
  </header>
  );
};
