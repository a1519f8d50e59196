/**
 * Baseline (a): what a naive chat server on `ws` does. Per message: JSON.parse, build the HTML string,
 * loop `send` over the room. No storage, no identity, no limits: the floor the app is measured against.
 */
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { BASELINE_USER_ID, NaiveChatHistory } from './chat-html.ts';
import { controlledBy, fatal } from './control.ts';

try {
  const rooms = new Map<string, { sockets: Set<WebSocket>; history: NaiveChatHistory }>();
  const stats = { openSockets: 0, messages: 0, eventsSent: 0 };
  const server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 });

  wss.on('connection', (ws, req) => {
    const name = /^\/chat\/([a-z0-9_-]+)\/ws/.exec(req.url ?? '')?.[1] ?? 'general';
    let room = rooms.get(name);
    if (!room) rooms.set(name, (room = { sockets: new Set(), history: new NaiveChatHistory(name, undefined, BASELINE_USER_ID) }));
    const { sockets, history } = room;
    sockets.add(ws);
    stats.openSockets++;
    ws.on('message', (data) => {
      let input: { message?: unknown };
      try {
        input = JSON.parse(String(data));
      } catch {
        return;
      }
      if (typeof input.message !== 'string') return;
      stats.messages++;
      const html = history.messageHtml('Load', input.message.trim());
      for (const peer of sockets) {
        peer.send(html);
        stats.eventsSent++;
      }
    });
    ws.on('close', () => {
      sockets.delete(ws);
      stats.openSockets--;
    });
  });

  server.listen(0, '127.0.0.1', () => controlledBy((server.address() as { port: number }).port, () => ({ ...stats })));
} catch (error) {
  fatal(error);
}
