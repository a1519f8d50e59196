import type { LoadConfig } from '../clients/load.ts';
import type { BenchOptions } from '../lib/options.ts';
import { forkBench, type Child, type Message } from '../lib/process.ts';

export interface FramesResult {
  sockets: number;
  rounds: number;
  /** Server CPU µs per socket per message, median over rounds. */
  wsSend: number;
  prepared: number;
}

/** Frame once, write many, measured on its own: N sockets, the same fragments, both send paths. */
export async function runFrames(options: BenchOptions): Promise<FramesResult> {
  const server = forkBench('servers/frames.ts', 'frames server');
  const loads: Child[] = [];
  try {
    const { port } = await server.next<Message & { port: number }>('ready');
    const config: Omit<LoadConfig, 'count'> = { kind: 'ws', url: `ws://127.0.0.1:${port}/`, cookies: [], readyOnFirstPayload: false, token: 'chat', concurrency: 50 };
    const procs = Math.min(options.procs, options.clients);
    for (let i = 0; i < procs; i++) {
      const count = Math.floor(options.clients / procs) + (i < options.clients % procs ? 1 : 0);
      loads.push(forkBench('clients/load.ts', `frames load ${i}`, { BENCH_LOAD: JSON.stringify({ ...config, count }) }));
    }
    await Promise.all(loads.map((load) => load.next('connected', 120_000 + options.clients * 20)));
    const rounds = options.smoke ? 4 : 10;
    const result = await server.request<Message & FramesResult>({ type: 'measure', rounds, messages: 20, size: options.size }, 'measured', 300_000);
    return { sockets: result.sockets, rounds, wsSend: result.wsSend, prepared: result.prepared };
  } finally {
    await Promise.all(loads.map((load) => load.stop()));
    await server.stop();
  }
}
