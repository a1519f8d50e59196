import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { canWritePrepared, frameCounter, sendText, textFrame } from '../../app/platform/node-frames.ts';

const encode = (text: string) => new TextEncoder().encode(text);

/** A ws server (as the Node platform builds it) with one connected client that records text frames. */
async function pair(perMessageDeflate = false) {
  const server: Server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate });
  const received: string[] = [];
  client.on('message', (data, isBinary) => received.push(isBinary ? '<binary>' : data.toString()));
  await new Promise((resolve) => client.once('open', resolve));
  const socket = await accepted;
  const until = async (count: number) => {
    for (let i = 0; i < 500 && received.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    return received;
  };
  cleanups.push(async () => {
    client.terminate();
    for (const ws of wss.clients) ws.terminate();
    await new Promise((resolve) => server.close(resolve));
  });
  return { socket, client, received, until };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('STYLE "render once, send many": on Node a broadcast is framed once', () => {
  it('builds one RFC 6455 text frame per fragment, with the right length encoding', () => {
    for (const size of [0, 125, 126, 65535, 65536, 70000]) {
      const data = encode('x'.repeat(size));
      const frame = textFrame(data);
      expect(frame[0]).toBe(0x81); // FIN + text
      const header = size <= 125 ? 2 : size <= 65535 ? 4 : 10;
      const length = size <= 125 ? frame[1]! : size <= 65535 ? frame.readUInt16BE(2) : Number(frame.readBigUInt64BE(2));
      expect(frame[1]! & 0x80).toBe(0); // server frames are not masked
      expect(length).toBe(size);
      expect(frame.length).toBe(header + size);
      expect(textFrame(data)).toBe(frame); // the same bytes again: built once, shared by every recipient
    }
  });

  it('writes the prepared frame to an idle socket and the client reads the exact text', async () => {
    const { socket, until } = await pair();
    expect(canWritePrepared(socket)).toBe(true);
    const shared = encode('<div id="chat-messages" hx-swap-oob="beforeend">héllo & ✓</div>');
    const built = frameCounter.built;
    sendText(socket, shared);
    sendText(socket, shared);
    expect(frameCounter.built).toBe(built + 1);
    sendText(socket, encode('second'));
    expect(await until(3)).toEqual([
      '<div id="chat-messages" hx-swap-oob="beforeend">héllo & ✓</div>',
      '<div id="chat-messages" hx-swap-oob="beforeend">héllo & ✓</div>',
      'second',
    ]);
  });

  it('keeps bufferedAmount honest: bytes written directly still count toward the slow-client limit', async () => {
    const { socket, client } = await pair();
    client.pause();
    const big = encode('y'.repeat(256 * 1024));
    for (let i = 0; i < 40; i++) sendText(socket, big);
    expect(socket.bufferedAmount).toBeGreaterThan(1024 * 1024);
  });

  it('falls back to ws.send, in order, when permessage-deflate is negotiated', async () => {
    const { socket, until } = await pair(true);
    expect(canWritePrepared(socket)).toBe(false);
    for (let i = 0; i < 20; i++) sendText(socket, encode(`message ${i} `.padEnd(200, 'z')));
    expect((await until(20)).map((text) => text.split(' ')[1])).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
  });

  it('never overtakes what ws has queued, and does nothing unsafe on a closing socket', async () => {
    const { socket, until } = await pair();
    // A Blob send makes ws's sender busy (it reads the blob asynchronously) and queues what follows.
    socket.send(new Blob([encode('first, via the queue')]));
    expect(canWritePrepared(socket)).toBe(false);
    sendText(socket, encode('second'));
    expect(await until(2)).toEqual(['<binary>', 'second']);
    socket.close(1000);
    expect(canWritePrepared(socket)).toBe(false);
    expect(() => sendText(socket, encode('after close'))).not.toThrow();
  });
});
