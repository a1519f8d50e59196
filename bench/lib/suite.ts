import { cpus, freemem, loadavg, totalmem, release } from 'node:os';
import type { BenchOptions } from './options.ts';
import { runFanout, TargetUnavailable, type FanoutResult } from '../scenarios/fanout.ts';
import { runFrames, type FramesResult } from '../scenarios/frames.ts';
import { runPage, type PageResult } from '../scenarios/page.ts';
import { appWebSocket, appWebSocket4, bareWebSocket, socketIo } from '../scenarios/ws-targets.ts';
import { appSse, appSse4, bareSse } from '../scenarios/sse-targets.ts';
import { runIdleRss, type IdleRssResult } from '../scenarios/idle-rss.ts';
import { runPresence, type PresenceResult } from '../scenarios/presence.ts';
import { NEIGHBOUR_BYTES, NEIGHBOURS, withDiskNeighbours } from '../scenarios/disk.ts';

export interface BenchResults {
  startedAt: string;
  seconds: number;
  machine: { cpu: string; cores: number; memoryGiB: number; freeGiB: number; loadAverage: number[]; node: string; kernel: string };
  options: BenchOptions;
  /** `app4`: the app with htmx 4 clients (SPEC §8). */
  ws?: { app: FanoutResult; app4?: FanoutResult; bareWs: FanoutResult; socketIo: FanoutResult };
  frames?: FramesResult;
  /** `app` is absent, with `unavailable` saying why, when the app under test has no dashboard API. */
  sse?: { app?: FanoutResult; app4?: FanoutResult; unavailable?: string; bare: FanoutResult };
  page?: { app: PageResult; baseline: PageResult; pageBytes: number };
  idle?: IdleRssResult;
  presence?: PresenceResult;
  /** WebSocket fan-out of the app and the bare server, each with the same disk-heavy neighbours running. */
  disk?: { neighbours: number; bytesPerWrite: number; app: FanoutResult; bareWs: FanoutResult };
}

function machine(): BenchResults['machine'] {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    freeGiB: +(freemem() / 2 ** 30).toFixed(1),
    loadAverage: loadavg().map((n) => +n.toFixed(2)),
    node: process.version,
    kernel: release(),
  };
}

/** Every scenario in turn, each server fresh, baselines right after the app so both see the same machine. */
export async function runBench(options: BenchOptions, log: (line: string) => void = () => {}): Promise<BenchResults> {
  const started = Date.now();
  const results: BenchResults = { startedAt: new Date(started).toISOString(), seconds: 0, machine: machine(), options };
  const step = async <T>(label: string, run: () => Promise<T>): Promise<T> => {
    log(`… ${label}`);
    return run();
  };
  if (options.only.includes('ws')) {
    const app = await step(`WebSocket fan-out: app, ${options.clients} clients`, () => runFanout(appWebSocket, options));
    const app4 = await step(`WebSocket fan-out: app, ${options.clients} htmx 4 clients`, () => runFanout(appWebSocket4, options));
    const bareWs = await step('WebSocket fan-out: bare ws', () => runFanout(bareWebSocket, options));
    const sio = await step('WebSocket fan-out: Socket.IO', () => runFanout(socketIo, options));
    results.ws = { app, app4, bareWs, socketIo: sio };
  }
  if (options.only.includes('frames')) results.frames = await step('send path: ws.send against the prepared frame', () => runFrames(options));
  if (options.only.includes('sse')) {
    let app: FanoutResult | undefined;
    let app4: FanoutResult | undefined;
    let unavailable: string | undefined;
    try {
      app = await step(`SSE fan-out: app, ${options.clients} streams`, () => runFanout(appSse, options));
      app4 = await step(`SSE fan-out: app, ${options.clients} htmx 4 streams`, () => runFanout(appSse4, options));
    } catch (error) {
      if (!(error instanceof TargetUnavailable)) throw error;
      unavailable = error.message;
      log(`  app SSE skipped: ${unavailable}`);
    }
    const bare = await step('SSE fan-out: bare node:http', () => runFanout(bareSse, options));
    results.sse = { ...(app ? { app, app4 } : { unavailable }), bare };
  }
  if (options.only.includes('page')) results.page = await step('page throughput', () => runPage(options));
  if (options.only.includes('idle')) results.idle = await step('process-tree RSS at idle: npm start, node dist/node.js, bare ws', () => runIdleRss());
  if (options.only.includes('presence')) results.presence = await step(`presence: ${options.presenceUsers} distinct users join one room`, () => runPresence(options.presenceUsers));
  if (options.only.includes('disk')) {
    const label = `${NEIGHBOURS} neighbours writing ${NEIGHBOUR_BYTES / 2 ** 20} MiB with fsync in a loop`;
    const app = await step(`WebSocket fan-out with ${label}: app`, () => withDiskNeighbours(() => runFanout(appWebSocket, options)));
    const bareWs = await step(`WebSocket fan-out with ${label}: bare ws`, () => withDiskNeighbours(() => runFanout(bareWebSocket, options)));
    results.disk = { neighbours: NEIGHBOURS, bytesPerWrite: NEIGHBOUR_BYTES, app, bareWs };
  }
  results.seconds = (Date.now() - started) / 1000;
  return results;
}
