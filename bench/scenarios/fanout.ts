import type { LoadConfig } from '../clients/load.ts';
import type { ReceiverKind } from '../clients/receivers.ts';
import { Histogram, now, type HistogramData } from '../lib/histogram.ts';
import type { BenchOptions } from '../lib/options.ts';
import { forkBench, type Child, type Message } from '../lib/process.ts';
import type { TokenFormat } from '../lib/token.ts';
import type { Sender } from './senders.ts';

/** The server under test lacks the feature the scenario needs (e.g. a route not merged yet). */
export class TargetUnavailable extends Error {}

/** One server under test in a fan-out scenario: how to start it, reach it and post to it. */
export interface FanoutTarget {
  name: string;
  server: string;
  serverEnv?: (options: BenchOptions) => Record<string, string>;
  kind: ReceiverKind;
  path: string;
  /** The app sends a snapshot on join: a client counts as connected once it has it. */
  readyOnFirstPayload: boolean;
  token: TokenFormat;
  /** Cookies for the load clients (the app needs named users); empty for the baselines. */
  prepare(baseUrl: string, clients: number): Promise<string[]>;
  sender(baseUrl: string, options: BenchOptions): Promise<Sender>;
}

export interface PhaseResult {
  messages: number;
  expected: number;
  deliveries: number;
  /** Connections that received every message of the phase. */
  completeClients: number;
  p50: number;
  p99: number;
  max: number;
  deliveriesPerSecond: number;
  bytesPerDelivery: number;
  seconds: number;
}

export interface FanoutResult {
  target: string;
  clients: number;
  open: number;
  connectErrors: string[];
  connectErrorCount: number;
  connectSeconds: number;
  droppedDuringRun: string[];
  droppedCount: number;
  senderFailures: string[];
  /** Growth of the server's RSS (what the machine pays) and of its V8 heap in use, per connection. */
  memory: { rssBefore: number; rssAfter: number; bytesPerConnection: number; heapBytesPerConnection: number };
  steady: PhaseResult;
  burst: PhaseResult;
  serverStats: { before: Record<string, number>; after: Record<string, number> };
}

interface Report extends Message {
  histogram: HistogramData;
  deliveries: number;
  bytes: number;
  completeClients: number;
  open: number;
  closes: string[];
  closeCount: number;
  firstReceive: number | null;
  lastReceive: number | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RSS (from /proc) and V8 heap in use, after two full collections. */
export async function settledMemory(server: Child): Promise<{ rss: number; heapUsed: number }> {
  await server.request({ type: 'gc' }, 'gc-done');
  await sleep(300);
  const { heapUsed } = await server.request<Message & { heapUsed: number }>({ type: 'gc' }, 'gc-done');
  return { rss: server.rss(), heapUsed };
}

async function stats(server: Child): Promise<Record<string, number>> {
  return (await server.request<Message & { stats: Record<string, number> }>({ type: 'stats' }, 'stats')).stats;
}

/** Splits `total` connections over `procs` load processes. */
function shares(total: number, procs: number): number[] {
  const count = Math.min(procs, total);
  return Array.from({ length: count }, (_, i) => Math.floor(total / count) + (i < total % count ? 1 : 0));
}

async function runPhase(
  loads: Child[],
  sender: Sender,
  options: BenchOptions,
  phase: number,
  schedule: { messages: number; intervalMs: number },
  clients: number,
): Promise<{ result: PhaseResult; reports: Report[] }> {
  await Promise.all(loads.map((load) => load.request({ type: 'phase', phase, expected: schedule.messages }, 'phase-ready')));
  const complete = Promise.allSettled(loads.map((load) => load.next('complete', 1e9)));
  const firstSend = now();
  for (let seq = 0; seq < schedule.messages; seq++) {
    const due = firstSend + seq * schedule.intervalMs;
    const wait = due - now();
    if (wait > 1) await sleep(wait);
    sender.send(phase, seq, now());
  }
  const drainMs = 10_000 + clients * 2;
  await Promise.race([complete, sleep(drainMs)]);
  const reports = await Promise.all(loads.map((load) => load.request<Report>({ type: 'report' }, 'report')));
  const histogram = new Histogram();
  for (const report of reports) histogram.merge(report.histogram);
  const deliveries = reports.reduce((sum, r) => sum + r.deliveries, 0);
  const lastReceive = Math.max(...reports.map((r) => r.lastReceive ?? 0));
  const seconds = lastReceive > firstSend ? (lastReceive - firstSend) / 1000 : NaN;
  return {
    reports,
    result: {
      messages: schedule.messages,
      expected: schedule.messages * clients,
      deliveries,
      completeClients: reports.reduce((sum, r) => sum + r.completeClients, 0),
      p50: histogram.percentile(0.5),
      p99: histogram.percentile(0.99),
      max: histogram.max,
      deliveriesPerSecond: deliveries / seconds,
      bytesPerDelivery: deliveries ? reports.reduce((sum, r) => sum + r.bytes, 0) / deliveries : 0,
      seconds,
    },
  };
}

/**
 * N idle connections (memory per connection), then a fixed-rate phase (latency) and a burst phase
 * (deliveries/s), all against one freshly started server.
 */
export async function runFanout(target: FanoutTarget, options: BenchOptions): Promise<FanoutResult> {
  const server = forkBench(target.server, `${target.name} server`, target.serverEnv?.(options));
  const loads: Child[] = [];
  let sender: Sender | undefined;
  try {
    const { port } = await server.next<Message & { port: number }>('ready');
    const baseUrl = `http://127.0.0.1:${port}`;
    const cookies = await target.prepare(baseUrl, options.clients);
    const memoryBefore = await settledMemory(server);

    const started = now();
    const url = (target.kind === 'sio' ? baseUrl : baseUrl.replace(/^http/, target.kind === 'ws' ? 'ws' : 'http')) + target.path;
    for (const [i, count] of shares(options.clients, options.procs).entries()) {
      const config: LoadConfig = { kind: target.kind, url, count, cookies, readyOnFirstPayload: target.readyOnFirstPayload, token: target.token, concurrency: 50 };
      loads.push(forkBench('clients/load.ts', `${target.name} load ${i}`, { BENCH_LOAD: JSON.stringify(config) }));
    }
    const connected = await Promise.all(
      loads.map((load) => load.next<Message & { open: number; errors: string[]; errorCount: number }>('connected', 120_000 + options.clients * 20)),
    );
    const connectSeconds = (now() - started) / 1000;
    const open = connected.reduce((sum, c) => sum + c.open, 0);
    sender = await target.sender(baseUrl, options);
    await sleep(500);
    const memoryAfter = await settledMemory(server);
    const before = await stats(server);

    const messages = Math.max(1, Math.round(options.rate * options.duration));
    const steady = await runPhase(loads, sender, options, 1, { messages, intervalMs: 1000 / options.rate }, open);
    const burst = await runPhase(loads, sender, options, 2, { messages: options.burst, intervalMs: 0 }, open);
    const after = await stats(server);
    const lastReports = burst.reports;
    return {
      target: target.name,
      clients: options.clients,
      open,
      connectErrors: connected.flatMap((c) => c.errors).slice(0, 10),
      connectErrorCount: connected.reduce((sum, c) => sum + c.errorCount, 0),
      connectSeconds,
      droppedDuringRun: lastReports.flatMap((r) => r.closes).slice(0, 10),
      droppedCount: lastReports.reduce((sum, r) => sum + r.closeCount, 0),
      senderFailures: sender.failures.slice(0, 10),
      memory: {
        rssBefore: memoryBefore.rss,
        rssAfter: memoryAfter.rss,
        bytesPerConnection: open ? (memoryAfter.rss - memoryBefore.rss) / open : NaN,
        heapBytesPerConnection: open ? (memoryAfter.heapUsed - memoryBefore.heapUsed) / open : NaN,
      },
      steady: steady.result,
      burst: burst.result,
      serverStats: { before, after },
    };
  } finally {
    sender?.close();
    await Promise.all(loads.map((load) => load.stop()));
    await server.stop();
  }
}
