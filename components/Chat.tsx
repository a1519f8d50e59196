import type { FC } from 'hono/jsx';
import { raw } from 'hono/html';
import type { ChatMessage } from '../app/ports/store.ts';
import type { PresenceEntry } from '../app/ports/presence.ts';
import { Layout } from './Layout.tsx';
import { wsConnect, wsSend, type HtmxMajor } from './htmx.tsx';
import type { Viewer } from './Header.tsx';

const hhmm = (at: number) => new Date(at).toISOString().slice(11, 16) + ' UTC';

/**
 * `data-user-id` lets the page mark the reader's own messages and group lines by author without
 * rendering per recipient (public/js/ui.js compares it with the header's `data-user-id`).
 */
export const Message: FC<{ message: ChatMessage }> = ({ message }) => (
  <div class="message" id={`msg-${message.id}`} data-user-id={message.userId}>
    <strong>{message.name}:</strong> {message.text}{' '}
    <time datetime={new Date(message.at).toISOString()}>{hhmm(message.at)}</time>
  </div>
);

/** The control that pages back; `public/js/chat.js` points it at the oldest message on screen. */
export const LoadOlder: FC<{ room: string; oldest: ChatMessage | undefined; more: boolean; oob?: boolean }> = ({ room, oldest, more, oob }) =>
  more && oldest ? (
    <div id="load-older" hx-swap-oob={oob ? 'outerHTML' : undefined}>
      <button type="button" hx-get={`/chat/${room}/history?before=${oldest.id}`} hx-target="#load-older" hx-swap="outerHTML">
        Load older
      </button>
    </div>
  ) : (
    <p id="load-older" class="history-start">
      This is the start of #{room}.
    </p>
  );

export const MessageList: FC<{ room: string; messages: ChatMessage[]; more: boolean }> = ({ room, messages, more }) => (
  <>
    <LoadOlder room={room} oldest={messages[0]} more={more} />
    {messages.map((message) => (
      <Message message={message} />
    ))}
  </>
);

/** Names shown in `#presence` at most; past it the heading still counts everyone. */
export const PRESENCE_SHOWN = 100;

export const PresenceCount: FC<{ count: number; oob?: boolean }> = ({ count, oob }) => (
  <h2 id="presence-count" hx-swap-oob={oob ? 'outerHTML' : undefined}>
    Online ({count})
  </h2>
);

export const PresenceItem: FC<{ person: PresenceEntry }> = ({ person }) => (
  <li id={`presence-${person.userId}`} data-user-id={person.userId}>
    <span class="avatar" aria-hidden="true">
      {[...person.name][0]?.toUpperCase()}
    </span>
    <span class="person-name">{person.name}</span>
  </li>
);

/** `#presence`'s content: the count and the first names, either as entries or as rendered `PresenceItem`s. */
export const PresenceList: FC<{ count: number; people?: PresenceEntry[]; itemsHtml?: string[] }> = ({ count, people = [], itemsHtml }) => (
  <>
    <PresenceCount count={count} />
    <ul id="presence-list">
      {itemsHtml ? raw(itemsHtml.join('')) : people.slice(0, PRESENCE_SHOWN).map((person) => <PresenceItem person={person} />)}
    </ul>
  </>
);

/** The prefix of a join fragment, up to the one `<li>` it adds (the room keeps that `<li>` for its snapshots). */
export const PRESENCE_ADD_OPEN = '<ul id="presence-list" hx-swap-oob="beforeend">';

/** Someone came online: one `<li>` appended and the count, whatever the size of the room. */
export const PresenceJoined: FC<{ person: PresenceEntry; count: number }> = ({ person, count }) => (
  <>
    <ul id="presence-list" hx-swap-oob="beforeend">
      <PresenceItem person={person} />
    </ul>
    <PresenceCount count={count} oob />
  </>
);

/** Someone took a new name: their `<li>` replaced where it is shown. */
export const PRESENCE_RENAMED_ATTR = ' hx-swap-oob="outerHTML"';
export const PresenceRenamed: FC<{ person: PresenceEntry }> = ({ person }) => (
  <li id={`presence-${person.userId}`} data-user-id={person.userId} hx-swap-oob="outerHTML">
    <span class="avatar" aria-hidden="true">
      {[...person.name][0]?.toUpperCase()}
    </span>
    <span class="person-name">{person.name}</span>
  </li>
);

/** Someone went offline: their `<li>` deleted and the count. */
export const PresenceLeft: FC<{ userId: string; count: number }> = ({ userId, count }) => (
  <>
    <li id={`presence-${userId}`} hx-swap-oob="delete"></li>
    <PresenceCount count={count} oob />
  </>
);

/** The message list as components, or already rendered (`MessageList`'s HTML, from the history cache). */
export type ListSource = { messages: ChatMessage[]; more: boolean; listHtml?: undefined } | { listHtml: string; messages?: undefined; more?: undefined };

const List: FC<{ room: string; list: ListSource }> = ({ room, list }) =>
  list.listHtml !== undefined ? <>{raw(list.listHtml)}</> : <MessageList room={room} messages={list.messages} more={list.more} />;

export type ChatPageProps = { viewer: Viewer; room: string; htmx?: HtmxMajor } & ListSource;

export const ChatPage: FC<ChatPageProps> = ({ viewer, room, htmx = 2, ...list }) => (
  <Layout title={`#${room}`} viewer={viewer} topics={[]} page="chat" htmx={htmx}>
    {viewer.name ? (
      <div class="chat" {...wsConnect(htmx, `/chat/${room}/ws`)}>
        <section class="chat-main room-main" aria-labelledby="room-title">
          <h1 id="room-title" class="room-title">
            <span class="room-hash">#</span>
            {room}
          </h1>
          <div class="log-frame">
            <div id="chat-messages" role="log" aria-live="polite" class="log stale-when-offline" aria-label={`Messages in #${room}`} tabindex={0}>
              <List room={room} list={list as ListSource} />
            </div>
          </div>
          <ol id="pending-messages" class="pending-list" aria-label="Waiting to be sent" hidden></ol>
          <div id="chat-error" role="alert"></div>
          <form id="chat-form" {...wsSend(htmx)} class="composer">
            <label for="message-input" class="visually-hidden">
              Message
            </label>
            <input id="message-input" name="message" required maxlength={2000} autocomplete="off" placeholder={`Message #${room}`} />
            <button type="submit" class="button primary">
              Send
            </button>
          </form>
        </section>
        <aside id="presence" class="side-panel stale-when-offline" aria-label="Who is online">
          <PresenceList count={0} />
        </aside>
      </div>
    ) : (
      <div class="empty-state">
        <h1>#{room}</h1>
        <p class="needs-name">Choose a name above to join #{room}.</p>
      </div>
    )}
  </Layout>
);

/** Fragments pushed over the socket: every top-level element has an id and an oob swap. */
export const ChatSnapshot: FC<{ room: string; presence: { count: number; itemsHtml: string[] } } & ListSource> = ({ room, presence, ...list }) => (
  <>
    <div id="chat-messages" hx-swap-oob="innerHTML">
      <List room={room} list={list as ListSource} />
    </div>
    <PresenceUpdate {...presence} />
  </>
);

export const NewMessage: FC<{ message: ChatMessage; dropId: number | null }> = ({ message, dropId }) => (
  <>
    <div id="chat-messages" hx-swap-oob="beforeend">
      <Message message={message} />
    </div>
    {dropId !== null ? (
      <>
        <div id={`msg-${dropId}`} hx-swap-oob="delete"></div>
        <LoadOlder room={message.room} oldest={message} more oob />
      </>
    ) : null}
  </>
);

/** The whole `#presence` (count and first names): sent with snapshots and after a rebuild, never per join. */
export const PresenceUpdate: FC<{ count: number; itemsHtml: string[] }> = ({ count, itemsHtml }) => (
  <div id="presence" hx-swap-oob="innerHTML">
    <PresenceList count={count} itemsHtml={itemsHtml} />
  </div>
);

export const ChatError: FC<{ text: string }> = ({ text }) => (
  <div id="chat-error" hx-swap-oob="innerHTML">
    {text ? <p class="error">{text}</p> : null}
  </div>
);
