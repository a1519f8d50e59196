/**
 * The runner's control channel into a server under test: `ready` with the port, `stats` on request,
 * `gc` before memory is read, `stop`. The runner reads the RSS itself from /proc.
 */
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readFileSync, writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';

/** VmRSS in bytes, as the runner reads it. */
const readRss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;

// `BENCH_HEAP_DIR=DIR npm run bench`: a heap snapshot after every `gc` (before and after the clients
// connect), for `node scripts/heap-diff.mjs BEFORE AFTER --per N` to say what each connection keeps.
const heapDir = process.env.BENCH_HEAP_DIR;
let snapshots = 0;

export function controlledBy(port: number, stats: () => Record<string, number>, stop: () => Promise<void> = async () => {}): void {
  // How long the event loop was blocked since the previous `stats` request (synchronous work such as an fsync).
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  process.on('message', (message: { type: string }) => {
    if (message.type === 'gc') {
      globalThis.gc?.();
      if (heapDir) {
        const base = join(heapDir, `${(process.env.BENCH_SERVER ?? 'server').replace(/\W+/g, '-')}-${process.pid}-${++snapshots}`);
        // Where the RSS is: V8's spaces (committed vs used), external and ArrayBuffer memory.
        const spaces = Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, { committed: space.physical_space_size, used: space.space_used_size }]));
        writeFileSync(`${base}.memory.json`, JSON.stringify({ ...process.memoryUsage(), rss: readRss(), spaces }, null, 1));
        if (!process.env.BENCH_NO_SNAPSHOT) writeHeapSnapshot(`${base}.heapsnapshot`);
      }
      setTimeout(() => process.send!({ type: 'gc-done', heapUsed: process.memoryUsage().heapUsed }), 200);
    } else if (message.type === 'stats') {
      // CPU time, unlike wall-clock throughput, barely moves when other processes share the cores.
      const cpu = process.cpuUsage();
      const loop = { loopDelayP99Ms: loopDelay.percentile(99) / 1e6, loopDelayMaxMs: loopDelay.max / 1e6 };
      loopDelay.reset();
      process.send!({ type: 'stats', stats: { ...stats(), cpuMicros: cpu.user + cpu.system, ...loop } });
    } else if (message.type === 'stop') {
      stop().finally(() => process.exit(0));
    }
  });
  // The runner is gone: do not linger holding ports and memory.
  process.on('disconnect', () => process.exit(0));
  process.send!({ type: 'ready', port });
}

/** Reports a start-up failure to the runner instead of dying silently. */
export function fatal(error: unknown): never {
  process.send?.({ type: 'fatal', error: error instanceof Error ? error.stack ?? error.message : String(error) });
  process.exit(1);
}
