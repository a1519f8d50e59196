import type { EventWriter, StreamingWriter } from '../../ports/transport.ts';
import { QueuedWriter } from '../../realtime/sse-stream.ts';

/**
 * An SSE response whose body is workerd's own pipe (`IdentityTransformStream`), with the writer
 * `runEventStream` writes to. `run` is kept with the request (`keep`: its `waitUntil`) until it ends.
 *
 * Why not Hono's `streamSSE` (a JavaScript TransformStream): when the client has gone and nothing
 * told the request (`request.signal` does not always abort, e.g. behind `wrangler dev`'s entry
 * worker), the next write made workerd's pump of that JavaScript stream fail with "Network
 * connection lost.", which it logged as an uncaught error; the JavaScript side was never told
 * (no cancel, the write just never completed), so the stream, its topic feeds, its presence and
 * its /metrics gauge stayed open until workerd dropped the request. Over workerd's own pipe a
 * write to a client that has gone fails in JavaScript: the stream ends there (`abort`), cancels its
 * feeds, takes its user offline and gives its gauge back, at its next event or heartbeat. workerd
 * still pumps this pipe inside the request (no deferred proxy), so a write that races the client's
 * TCP reset can still be printed by `wrangler dev` as "Network connection lost." (README, known defect).
 */
export function eventResponse(headers: Record<string, string>, run: (writer: EventWriter) => Promise<void>, keep: (work: Promise<unknown>) => void): Response {
  const { readable, writable } = new IdentityTransformStream();
  const sink = writable.getWriter();
  const listeners = new Set<() => void>();
  let aborted = false;
  const abort = () => {
    if (aborted) return;
    aborted = true;
    for (const listener of [...listeners]) listener();
    sink.abort().catch(() => {});
  };
  // The pipe fails once its client has gone (or the stream was aborted here).
  sink.closed.catch(abort);
  const pipe: StreamingWriter = {
    // Resolves either way once the pipe has taken or refused the bytes; a refusal ends the stream.
    write: (bytes) => sink.write(bytes).catch(abort),
    onAbort: (listener) => void listeners.add(listener),
    abort,
    get aborted() {
      return aborted;
    },
  };
  // Counts what the pipe has not taken yet, for MAX_BUFFERED_BYTES, as over Hono's stream.
  const writer: EventWriter = new QueuedWriter(pipe);
  const running = run(writer).finally(() => {
    if (!aborted) sink.close().catch(() => {});
  });
  keep(running.catch(() => {}));
  return new Response(readable, { headers });
}
