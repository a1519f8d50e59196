/**
 * Baseline (b): Socket.IO 4 broadcasting to a room. Same input (the JSON text htmx's ws-send sends),
 * same HTML out, delivered with `io.to(room).emit`. WebSocket transport only, as the load clients use.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { BASELINE_USER_ID, NaiveChatHistory } from './chat-html.ts';
import { controlledBy, fatal } from './control.ts';

try {
  const server = createServer();
  const io = new Server(server, { transports: ['websocket'], maxHttpBufferSize: 64 * 1024, serveClient: false });
  const histories = new Map<string, NaiveChatHistory>();
  const stats = { openSockets: 0, messages: 0 };

  io.on('connection', (socket) => {
    const room = typeof socket.handshake.query.room === 'string' ? socket.handshake.query.room : 'general';
    if (!histories.has(room)) histories.set(room, new NaiveChatHistory(room, undefined, BASELINE_USER_ID));
    socket.join(room);
    stats.openSockets++;
    socket.on('message', (raw: unknown) => {
      let input: { message?: unknown };
      try {
        input = JSON.parse(String(raw));
      } catch {
        return;
      }
      if (typeof input.message !== 'string') return;
      stats.messages++;
      io.to(room).emit('message', histories.get(room)!.messageHtml('Load', input.message.trim()));
    });
    socket.on('disconnect', () => stats.openSockets--);
  });

  server.listen(0, '127.0.0.1', () => controlledBy((server.address() as { port: number }).port, () => ({ ...stats })));
} catch (error) {
  fatal(error);
}
