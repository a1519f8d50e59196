/**
 * The send path alone, in the server process: for the same sockets and the same fragment bytes,
 * `ws.send` per socket (what the app did before) against the prepared frame written per socket
 * (app/platform/node-frames.ts). Rounds alternate so both see the same machine; CPU time of the
 * synchronous send loop is what is compared.
 */
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { sendText } from '../../app/platform/node-frames.ts';
import { BASELINE_USER_ID, NaiveChatHistory } from './chat-html.ts';
import { controlledBy, fatal } from './control.ts';

const cpuMicros = () => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

try {
  const sockets = new Set<WebSocket>();
  const server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 });
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
  });
  const history = new NaiveChatHistory('general', undefined, BASELINE_USER_ID);

  process.on('message', async (message: { type: string; rounds?: number; messages?: number; size?: number }) => {
    if (message.type !== 'measure') return;
    const per: Record<'wsSend' | 'prepared', number[]> = { wsSend: [], prepared: [] };
    for (let round = 0; round < message.rounds!; round++) {
      for (const variant of round % 2 ? (['prepared', 'wsSend'] as const) : (['wsSend', 'prepared'] as const)) {
        const fragments = Array.from({ length: message.messages! }, () => new TextEncoder().encode(history.messageHtml('Load', 'x'.repeat(message.size!))));
        const started = cpuMicros();
        for (const bytes of fragments) {
          for (const ws of sockets) variant === 'wsSend' ? ws.send(bytes, { binary: false }) : sendText(ws, bytes);
        }
        per[variant].push((cpuMicros() - started) / (fragments.length * sockets.size));
        // Let the clients drain before the next loop so both variants start from empty buffers.
        while ([...sockets].some((ws) => ws.bufferedAmount > 0)) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    process.send!({ type: 'measured', sockets: sockets.size, wsSend: median(per.wsSend), prepared: median(per.prepared), rounds: message.rounds });
  });

  server.listen(0, '127.0.0.1', () => controlledBy((server.address() as { port: number }).port, () => ({ openSockets: sockets.size })));
} catch (error) {
  fatal(error);
}
