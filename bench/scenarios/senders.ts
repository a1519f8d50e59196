import { io } from 'socket.io-client';
import WebSocket from 'ws';

/** Posts one bench message the way the scenario's real client would. */
export interface Sender {
  send(text: string): void;
  close(): void;
}

/** What htmx's `ws-send` sends for the chat form. */
const wsSendBody = (text: string) => JSON.stringify({ message: text, HEADERS: { 'HX-Request': 'true', 'HX-Trigger': 'chat-form' } });

export async function webSocketSender(url: string, cookie?: string): Promise<Sender> {
  const socket = new WebSocket(url, { headers: cookie ? { cookie } : {}, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { send: (text) => socket.send(wsSendBody(text)), close: () => socket.terminate() };
}

export async function socketIoSender(origin: string, room: string): Promise<Sender> {
  const socket = io(origin, { transports: ['websocket'], query: { room }, reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { send: (text) => void socket.emit('message', wsSendBody(text)), close: () => void socket.disconnect() };
}
