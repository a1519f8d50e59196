import type { FC } from 'hono/jsx';
import { sseSwap, type HtmxMajor } from './htmx.tsx';

export interface Viewer {
  userId: string;
  name: string | null;
}

/** The name form; `typed` is what the person sent, kept when it was refused (SPEC §3). */
const NameForm: FC<{ id: 'name-form' | 'rename-form'; value: string; error?: string }> = ({ id, value, error }) => {
  const input = `${id}-input`;
  const hint = `${id}-error`;
  return (
    <form id={id} class="name-form" method="post" action="/session" hx-post="/session" hx-target="#identity" hx-swap="outerHTML">
      <label for={input}>{id === 'name-form' ? 'Your name' : 'New name'}</label>
      <input
        id={input}
        name="name"
        required
        maxlength={32}
        autocomplete="nickname"
        value={value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? hint : undefined}
      />
      <button type="submit" class="button primary">
        {id === 'name-form' ? 'Set name' : 'Save'}
      </button>
      {error ? (
        <span class="form-error" id={hint} role="alert">
          {error}
        </span>
      ) : null}
    </form>
  );
};

/**
 * The part of the header that `POST /session` returns: the name with a rename form behind it, or
 * the form to choose one. A refused name comes back with what was typed and the error beside it.
 */
export const Identity: FC<{ viewer: Viewer; error?: string; typed?: string }> = ({ viewer, error, typed }) => (
  <div id="identity">
    {!viewer.name ? (
      <NameForm id="name-form" value={typed ?? ''} error={error} />
    ) : (
      <details class="rename" open={error ? true : undefined}>
        <summary title="Change your name">
          <span class="user-name">
            Signed in as <strong>{viewer.name}</strong>
          </span>
        </summary>
        <div class="rename-panel">
          <NameForm id="rename-form" value={typed ?? viewer.name} error={error} />
        </div>
      </details>
    )}
  </div>
);

export const Header: FC<{ viewer: Viewer; htmx?: HtmxMajor }> = ({ viewer, htmx = 2 }) => (
  <header data-user-id={viewer.userId} class="site-header">
    <a class="brand" href="/">
      <svg class="brand-mark" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
        <path d="M4 5h10a3 3 0 0 1 0 6H8a3 3 0 0 0 0 6h12" />
        <circle cx="4" cy="5" r="2" />
        <circle cx="20" cy="17" r="2" />
      </svg>
      <span class="brand-name">Switchboard</span>
    </a>
    <nav aria-label="Main">
      <a href="/dashboard">Dashboard</a>
    </nav>
    <span id="connection-status" class="disconnected" role="status">
      Connecting…
    </span>
    <Identity viewer={viewer} />
    <button type="button" id="theme-toggle" class="icon-button" aria-label="Theme: system" title="Theme: system">
      <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
        <path d="M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18Zm0 2v14a7 7 0 0 1 0-14Z" />
      </svg>
    </button>
    <a class="bell icon-button" href="/notifications">
      <svg class="bell-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
        <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z" />
      </svg>
      <span class="visually-hidden">Notifications, unread:</span>
      <span id="notif-count" class="badge" data-count="0" {...sseSwap(htmx, 'notification-count')}>
        <span>0</span>
      </span>
    </a>
    <div id="toast-container" {...sseSwap(htmx, 'new-notification')}></div>
  </header>
);
