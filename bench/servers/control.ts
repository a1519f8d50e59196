/**
 * The runner's control channel into a server under test: `ready` with the port, `stats` on request,
 * `gc` before memory is read, `stop`. The runner reads the RSS itself from /proc.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export function controlledBy(port: number, stats: () => Record<string, number>, stop: () => Promise<void> = async () => {}): void {
  // How long the event loop was blocked since the previous `stats` request (synchronous work such as an fsync).
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  process.on('message', (message: { type: string }) => {
    if (message.type === 'gc') {
      globalThis.gc?.();
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
