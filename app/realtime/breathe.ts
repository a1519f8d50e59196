/**
 * Cooperative yielding for long bursts of work that would otherwise run as one chain of
 * microtasks (a room's queue draining thousands of messages, each fanned out to hundreds of
 * sockets): once the current slice has run `SLICE_MS`, the next caller waits for a turn of the
 * event loop, so pending I/O (`/healthz`, new requests, socket reads) is served in between.
 */
const SLICE_MS = 15;
const nextTurn: (work: () => void) => void = (globalThis as { setImmediate?: (work: () => void) => void }).setImmediate ?? ((work) => setTimeout(work, 0));
let sliceStarted = performance.now();
let waiting: Promise<void> | null = null;

export function breathe(): Promise<void> | void {
  if (performance.now() - sliceStarted < SLICE_MS) return;
  return (waiting ??= new Promise<void>((resolve) =>
    nextTurn(() => {
      waiting = null;
      sliceStarted = performance.now();
      resolve();
    }),
  ));
}
