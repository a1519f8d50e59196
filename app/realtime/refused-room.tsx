import { render } from '../../components/render.ts';
import { ChatError } from '../../components/Chat.tsx';
import { Fragment } from '../ports/fragment.ts';
import type { SocketRoom } from './socket-room.ts';

/**
 * Stands in for a room when a socket is refused before joining (no display name yet): the client
 * gets its error and the close, and no room, hub subscription or presence entry is ever made.
 */
export const refusedRoom: SocketRoom = {
  fields: [],
  join: async () => {},
  receive: async () => {},
  leave: async () => {},
  errorFragment: (text) => new Fragment(render(<ChatError text={text} />)),
};
