import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { benchMetricValue, benchText, METRIC_NAME } from '../lib/token.ts';

/** Posts one bench message (phase, sequence number, send time) the way the scenario's real client would. */
export interface Sender {
  send(phase: number, seq: number, sentAt: number): void;
  /** Posts that failed (HTTP senders); a socket sender's failures show up as missing deliveries. */
  readonly failures: string[];
  close(): void;
}

/** What htmx 2's `ws-send` sends for the chat form ("HEADERS"); htmx 4's `hx-ws:send` sends "headers" (SPEC §8). */
const wsSendBody = (text: string, major: 2 | 4 = 2) =>
  JSON.stringify(
    major === 2
      ? { message: text, HEADERS: { 'HX-Request': 'true', 'HX-Trigger': 'chat-form' } }
      : { message: text, headers: { 'HX-Request': 'true', 'HX-Source': 'form#chat-form', 'HX-Current-URL': 'http://127.0.0.1/chat/general' } },
  );

export async function webSocketSender(url: string, size: number, cookie?: string, major: 2 | 4 = 2): Promise<Sender> {
  const socket = new WebSocket(url, { headers: cookie ? { cookie } : {}, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    failures: [],
    send: (phase, seq, sentAt) => socket.send(wsSendBody(benchText(phase, seq, sentAt, size), major)),
    close: () => socket.terminate(),
  };
}

export async function socketIoSender(origin: string, room: string, size: number): Promise<Sender> {
  const socket = io(origin, { transports: ['websocket'], query: { room }, reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return {
    failures: [],
    send: (phase, seq, sentAt) => void socket.emit('message', wsSendBody(benchText(phase, seq, sentAt, size))),
    close: () => void socket.disconnect(),
  };
}

/** `POST /api/metrics` with the bench metric; posts are not awaited, so a burst really is back to back. */
export function metricSender(baseUrl: string, token: string): Sender {
  const failures: string[] = [];
  return {
    failures,
    send(phase, _seq, sentAt) {
      fetch(`${baseUrl}/api/metrics`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: METRIC_NAME, value: benchMetricValue(phase, sentAt) }),
      }).then(
        async (res) => {
          if (res.status !== 204) failures.push(`POST /api/metrics answered ${res.status}: ${await res.text()}`);
          else await res.arrayBuffer();
        },
        (error) => failures.push(String(error)),
      );
    },
    close: () => {},
  };
}
