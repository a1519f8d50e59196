import type { FC } from 'hono/jsx';
import type { ChatMessage } from '../app/store/store.ts';
import type { PresenceEntry } from '../app/realtime/presence.ts';
import { Layout } from './Layout.tsx';
import { wsConnect, wsSend, type HtmxMajor } from './htmx.tsx';
import type { Viewer } from './Header.tsx';

const hhmm = (at: number) => new Date(at).toISOString().slice(11, 16) + ' UTC';

export const Message: FC<{ message: ChatMessage }> = ({ message }) => (
  <div class="message" id={`msg-${message.id}`}>
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
        <li data-user-id={person.userId}>{person.name}</li>
      ))}
    </ul>
  </>
);

export interface ChatPageProps {
  viewer: Viewer;
  room: string;
  messages: ChatMessage[];
  more: boolean;
  htmx?: HtmxMajor;
}

export const ChatPage: FC<ChatPageProps> = ({ viewer, room, messages, more, htmx: major = 2 }) => {
  return (
  <Layout title={`#${room}`} viewer={viewer} topics={[]} htmx={major}>
    <h1>#{room}</h1>
    {viewer.name ? (
      <div class="chat" {...wsConnect(major, `/chat/${room}/ws`)}>
        <aside id="presence" aria-label="Who is online">
          <PresenceList people={[]} />
        </aside>
        <section class="chat-main">
          <div id="chat-messages" role="log" aria-live="polite">
            <MessageList room={room} messages={messages} more={more} />
          </div>
          <div id="chat-error" role="alert"></div>
          <form id="chat-form" {...wsSend(major)}>
            <label for="message-input" class="visually-hidden">
              Message
            </label>
            <input id="message-input" name="message" required maxlength={2000} autocomplete="off" placeholder={`Message #${room}`} />
            <button type="submit">Send</button>
          </form>
        </section>
      </div>
    ) : (
      <p class="needs-name">Choose a name above to join #{room}.</p>
    )}
  </Layout>
  );
};

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
