import * as wsModule from 'ws';
import WebSocket from 'ws';

interface FrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
}
/** `ws` exports its Sender (public `Sender.frame`), though @types/ws does not declare it. */
const { Sender } = wsModule as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } };

/**
 * Frame once, write many: a broadcast hands every socket the same `Fragment.bytes`, so on Node the
 * WebSocket text frame (header + payload) is built once per fragment and that one Buffer is written
 * to each socket. `ws` frames every `send` itself and has no public call for writing a prepared
 * frame, so this reaches its socket only when nothing can be overtaken: the socket is open, no
 * extension (permessage-deflate) rewrites frames, and ws's sender is idle with an empty queue and
 * not inside a fragmented message. Otherwise it falls back to `ws.send`, which queues in order.
 */
const frames = new WeakMap<Uint8Array, Buffer>();
/** Frames built so far in this process; the bench reads it to show one frame per broadcast. */
export const frameCounter = { built: 0 };

/** The unmasked server-to-client text frame of `data`, built once per Uint8Array. */
export function textFrame(data: Uint8Array): Buffer {
  let frame = frames.get(data);
  if (!frame) {
    const payload = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    frame = Buffer.concat(Sender.frame(payload, { fin: true, opcode: 0x01, mask: false, readOnly: false, rsv1: false }));
    frames.set(data, frame);
    frameCounter.built++;
  }
  return frame;
}

/** The parts of ws 8's WebSocket this relies on (covered by test/unit/node-frames.test.ts). */
interface WsInternals {
  _socket?: { write(chunk: Buffer): boolean; destroyed: boolean };
  _sender?: { _state: number; _queue: unknown[]; _firstFragment: boolean };
  _extensions?: Record<string, unknown>;
}

const SENDER_IDLE = 0;

export function canWritePrepared(ws: WebSocket): boolean {
  const { _socket: socket, _sender: sender, _extensions: extensions } = ws as unknown as WsInternals;
  return (
    ws.readyState === WebSocket.OPEN &&
    socket !== undefined &&
    !socket.destroyed &&
    sender !== undefined &&
    sender._state === SENDER_IDLE &&
    sender._queue.length === 0 &&
    sender._firstFragment === true &&
    extensions !== undefined &&
    Object.keys(extensions).length === 0
  );
}

/** Sends `data` as one text message, writing the shared prepared frame when it is safe to. */
export function sendText(ws: WebSocket, data: Uint8Array): void {
  if (canWritePrepared(ws)) (ws as unknown as Required<WsInternals>)._socket.write(textFrame(data));
  else ws.send(data, { binary: false });
}
