import type { FC } from 'hono/jsx';
import type { ChatMessage } from '../app/store/store.ts';
import type { PresenceEntry } from '../app/realtime/presence.ts';
import { Layout } from './Layout.tsx';
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

export const PresenceList: FC<{ people: PresenceEntry[] }> = ({ people }) => (
  <>
    <h2>Online ({people.length})</h2>
    <ul>
      {people.map((person) => (
        <li data-user-id={person.userId}>
          <span class="avatar" aria-hidden="true">
            {[...person.name][0]?.toUpperCase()}
          </span>
          <span class="person-name">{person.name}</span>
        </li>
      ))}
    </ul>
  </>
);

export interface ChatPageProps {
  viewer: Viewer;
  room: string;
  messages: ChatMessage[];
  more: boolean;
}

export const ChatPage: FC<ChatPageProps> = ({ viewer, room, messages, more }) => (
  <Layout title={`#${room}`} viewer={viewer} topics={[]} page="chat">
    {viewer.name ? (
      <div class="chat" hx-ext="ws" ws-connect={`/chat/${room}/ws`}>
        <section class="chat-main room-main" aria-labelledby="room-title">
          <h1 id="room-title" class="room-title">
            <span class="room-hash">#</span>
            {room}
          </h1>
          <div class="log-frame">
            <div id="chat-messages" role="log" aria-live="polite" class="log stale-when-offline" aria-label={`Messages in #${room}`} tabindex={0}>
              <MessageList room={room} messages={messages} more={more} />
            </div>
          </div>
          <ol id="pending-messages" class="pending-list" aria-label="Waiting to be sent" hidden></ol>
          <div id="chat-error" role="alert"></div>
          <form id="chat-form" ws-send class="composer">
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
          <PresenceList people={[]} />
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
export const ChatSnapshot: FC<{ room: string; messages: ChatMessage[]; more: boolean; people: PresenceEntry[] }> = (props) => (
  <>
    <div id="chat-messages" hx-swap-oob="innerHTML">
      <MessageList room={props.room} messages={props.messages} more={props.more} />
    </div>
    <div id="presence" hx-swap-oob="innerHTML">
      <PresenceList people={props.people} />
    </div>
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

export const PresenceUpdate: FC<{ people: PresenceEntry[] }> = ({ people }) => (
  <div id="presence" hx-swap-oob="innerHTML">
    <PresenceList people={people} />
  </div>
);

export const ChatError: FC<{ text: string }> = ({ text }) => (
  <div id="chat-error" hx-swap-oob="innerHTML">
    {text ? <p class="error">{text}</p> : null}
  </div>
);
