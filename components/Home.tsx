import type { FC } from 'hono/jsx';
import { Layout } from './Layout.tsx';
import { sseSwap, type HtmxMajor } from './htmx.tsx';
import type { Viewer } from './Header.tsx';

export interface ActiveRoom {
  kind: 'chat' | 'lobby';
  name: string;
  online: number;
}

/** `more`: how many active rooms are left out (the list shows the busiest `ROOM_LIST_LIMIT`). */
export const RoomList: FC<{ rooms: ActiveRoom[]; more?: number }> = ({ rooms, more = 0 }) =>
  rooms.length === 0 ? (
    <p class="empty">No one is online yet. Open a room below.</p>
  ) : (
    <>
      <ul>
        {rooms.map((room) => (
          <li class={`room room-${room.kind}`} id={`${room.kind}-${room.name}`}>
            <a href={`/${room.kind}/${room.name}`}>{room.kind === 'chat' ? `#${room.name}` : `Lobby ${room.name}`}</a>{' '}
            <span class="online">{room.online} online</span>
          </li>
        ))}
      </ul>
      {more > 0 ? <p class="more-rooms">and {more} more {more === 1 ? 'room' : 'rooms'} with people in them</p> : null}
    </>
  );

export const HomePage: FC<{ viewer: Viewer; rooms: ActiveRoom[]; more?: number; error?: string; htmx?: HtmxMajor }> = ({ viewer, rooms, more, error, htmx = 2 }) => (
  <Layout title="Rooms" viewer={viewer} topics={['rooms']} htmx={htmx}>
    <div class="page-heading">
      <h1>Rooms and lobbies</h1>
      <p class="hint">Live: counts change as people come and go.</p>
    </div>
    <section class="panel" aria-labelledby="active-title">
      <h2 id="active-title">Active now</h2>
      <div id="room-list" {...sseSwap(htmx, 'rooms')}>
        <RoomList rooms={rooms} more={more} />
      </div>
    </section>
    <section class="panel" aria-labelledby="open-title">
      <h2 id="open-title">Open a room</h2>
      <form id="open-room" method="get" action="/open">
        <label for="room-input">Room name</label>
        <input id="room-input" name="room" required maxlength={64} pattern="[A-Za-z0-9_\-]{1,64}" placeholder="general" />
        <select name="kind" aria-label="Kind">
          <option value="chat">Chat room</option>
          <option value="lobby">Game lobby</option>
        </select>
        <button type="submit" class="button primary">
          Open
        </button>
        {error ? (
          <p class="form-error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
    </section>
  </Layout>
);
