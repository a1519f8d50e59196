import { request } from 'node:http';
import { createParser } from 'eventsource-parser';
import { io } from 'socket.io-client';
import WebSocket from 'ws';

/** One load connection, whatever the protocol: text payloads in, a close reason out. */
export interface ReceiverEvents {
  onPayload(text: string): void;
  onClosed(reason: string): void;
}

export type ReceiverKind = 'ws' | 'sio' | 'sse';

export interface ReceiverOptions {
  url: string;
  cookie?: string;
  /** The app sends a snapshot first: the connection counts as joined once it arrives. */
  readyOnFirstPayload: boolean;
}

export interface Receiver {
  close(): void;
}

type Opener = (options: ReceiverOptions, events: ReceiverEvents) => Promise<Receiver>;

const openWs: Opener = ({ url, cookie, readyOnFirstPayload }, events) =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers: cookie ? { cookie } : {}, perMessageDeflate: false });
    const receiver = { close: () => socket.terminate() };
    let ready = false;
    const becomeReady = () => {
      if (ready) return;
      ready = true;
      resolve(receiver);
    };
    socket.on('message', (data) => {
      events.onPayload(data.toString());
      becomeReady();
    });
    socket.once('open', () => !readyOnFirstPayload && becomeReady());
    socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
    socket.once('error', (error) => (ready ? events.onClosed(`error ${error.message}`) : reject(error)));
    socket.once('close', (code) => (ready ? events.onClosed(`close ${code}`) : reject(new Error(`closed ${code} before joining`))));
  });

const openSocketIo: Opener = ({ url }, events) =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const socket = io(target.origin, {
      transports: ['websocket'],
      query: { room: target.searchParams.get('room') ?? 'general' },
      reconnection: false,
      forceNew: true,
    });
    socket.on('message', (html: string) => events.onPayload(html));
    socket.once('connect', () => resolve({ close: () => socket.disconnect() }));
    socket.once('connect_error', (error) => reject(error));
    socket.on('disconnect', (reason) => events.onClosed(`disconnect ${reason}`));
  });

const openSse: Opener = ({ url, cookie, readyOnFirstPayload }, events) =>
  new Promise((resolve, reject) => {
    const parser = createParser({ onEvent: (event) => events.onPayload(`${event.event ?? ''}\n${event.data}`) });
    const req = request(url, { agent: false, headers: { accept: 'text/event-stream', ...(cookie ? { cookie } : {}) } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`stream answered ${res.statusCode}`));
      }
      res.setEncoding('utf8');
      let ready = !readyOnFirstPayload;
      if (ready) resolve({ close: () => req.destroy() });
      res.on('data', (chunk: string) => {
        parser.feed(chunk);
        if (!ready) {
          ready = true;
          resolve({ close: () => req.destroy() });
        }
      });
      res.on('end', () => events.onClosed('stream ended'));
      res.on('error', (error) => events.onClosed(`error ${error.message}`));
    });
    req.on('error', reject);
    req.end();
  });

export const OPENERS: Record<ReceiverKind, Opener> = { ws: openWs, sio: openSocketIo, sse: openSse };
