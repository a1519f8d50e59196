import { newUser } from '../../test/helpers/clients.ts';
import type { FanoutTarget } from './fanout.ts';
import { socketIoSender, webSocketSender } from './senders.ts';

/**
 * Load clients share a few named users: the app keeps one presence entry per user and broadcasts the
 * whole list when a new user joins, so N distinct users would make joining O(N²) (see BENCHMARKS.md).
 */
export const LOAD_USERS = 10;

const ROOM = 'general';

export const appWebSocket: FanoutTarget = {
  name: 'app',
  server: 'servers/app.ts',
  serverEnv: (options) => ({ BENCH_DATABASE: options.database }),
  kind: 'ws',
  path: `/chat/${ROOM}/ws`,
  readyOnFirstPayload: true,
  token: 'chat',
  async prepare(baseUrl, clients) {
    const users = [];
    for (let i = 0; i < Math.min(clients, LOAD_USERS); i++) users.push((await newUser(baseUrl, `load-${i}`)).cookie);
    return users;
  },
  async sender(baseUrl, options) {
    const { cookie } = await newUser(baseUrl, 'Load');
    return webSocketSender(`${baseUrl.replace(/^http/, 'ws')}/chat/${ROOM}/ws`, options.size, cookie);
  },
};

export const bareWebSocket: FanoutTarget = {
  name: 'bare ws',
  server: 'servers/bare-ws.ts',
  kind: 'ws',
  path: `/chat/${ROOM}/ws`,
  readyOnFirstPayload: false,
  token: 'chat',
  prepare: async () => [],
  sender: (baseUrl, options) => webSocketSender(`${baseUrl.replace(/^http/, 'ws')}/chat/${ROOM}/ws`, options.size),
};

export const socketIo: FanoutTarget = {
  name: 'socket.io',
  server: 'servers/socketio.ts',
  kind: 'sio',
  path: `/?room=${ROOM}`,
  readyOnFirstPayload: false,
  token: 'chat',
  prepare: async () => [],
  sender: (baseUrl, options) => socketIoSender(baseUrl, ROOM, options.size),
};

/** The same room with htmx 4 clients (SPEC §8): connect URL marked `?htmx=4`, messages with "headers". */
export const appWebSocket4: FanoutTarget = {
  ...appWebSocket,
  name: 'app, htmx 4 clients',
  path: `/chat/${ROOM}/ws?htmx=4`,
  async sender(baseUrl, options) {
    const { cookie } = await newUser(baseUrl, 'Load');
    return webSocketSender(`${baseUrl.replace(/^http/, 'ws')}/chat/${ROOM}/ws?htmx=4`, options.size, cookie, 4);
  },
};
