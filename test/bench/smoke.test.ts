import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FanoutResult } from '../../bench/scenarios/fanout.ts';
import type { BenchResults } from '../../bench/lib/suite.ts';
import type { Row } from '../../bench/lib/report.ts';
import { tempDir } from '../helpers/server.ts';

/** Runs `npm run bench -- --smoke` (20 clients, 2 s) as a user would and returns its JSON. */
async function runSmoke(): Promise<{ code: number | null; output: string; results: BenchResults & { rows: Row[] } }> {
  const out = join(tempDir('switchboard-bench-'), 'smoke.json');
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`bench --smoke exited with ${code}:\n${output}`);
  return { code, output, results: JSON.parse(readFileSync(out, 'utf8')) };
}

/** Sanity, not speed: every connection held, every message delivered to every client, figures present. */
function expectSaneFanout(result: FanoutResult, clients: number): void {
  expect(result.open, result.target).toBe(clients);
  expect(result.connectErrorCount, result.connectErrors.join('\n')).toBe(0);
  expect(result.droppedCount, result.droppedDuringRun.join('\n')).toBe(0);
  expect(result.senderFailures).toEqual([]);
  for (const phase of [result.steady, result.burst]) {
    expect(phase.messages).toBeGreaterThan(0);
    expect(phase.deliveries, result.target).toBe(phase.messages * clients);
    expect(phase.completeClients, result.target).toBe(clients);
    expect(phase.deliveriesPerSecond).toBeGreaterThan(0);
    expect(phase.p50).toBeGreaterThan(0);
    expect(phase.p99).toBeGreaterThanOrEqual(phase.p50);
    expect(phase.max).toBeGreaterThanOrEqual(phase.p99);
    expect(phase.bytesPerDelivery).toBeGreaterThan(0);
  }
  expect(result.memory.rssBefore).toBeGreaterThan(10 * 2 ** 20);
  expect(result.memory.rssAfter).toBeGreaterThan(0);
}

describe('npm run bench -- --smoke (the harness itself; no timing thresholds)', () => {
  it('measures every scenario against its baselines and writes sane numbers', async () => {
    const { output, results } = await runSmoke();
    const clients = results.options.clients;
    expect(clients).toBe(20);

    const ws = results.ws!;
    for (const result of [ws.app, ws.app4!, ws.bareWs, ws.socketIo]) expectSaneFanout(result, clients);
    // htmx 4 clients get the same chat fragment (its markup is the same for both majors), framed once too.
    expect(ws.app4!.steady.bytesPerDelivery).toBe(ws.app.steady.bytesPerDelivery);
    const framesBuilt4 = ws.app4!.serverStats.after.framesBuilt! - ws.app4!.serverStats.before.framesBuilt!;
    expect(framesBuilt4).toBeLessThanOrEqual(2 * (ws.app4!.steady.messages + ws.app4!.burst.messages));
    // Same scenario, same message sizes: the baselines send the app's fragment byte for byte.
    expect(ws.bareWs.steady.bytesPerDelivery).toBe(ws.app.steady.bytesPerDelivery);
    expect(ws.socketIo.steady.bytesPerDelivery).toBe(ws.app.steady.bytesPerDelivery);

    const broadcasts = ws.app.steady.messages + ws.app.burst.messages;
    expect(ws.app.serverStats.after.chatMessageRenders! - ws.app.serverStats.before.chatMessageRenders!).toBe(broadcasts);
    expect(ws.app.serverStats.after.eventsSent! - ws.app.serverStats.before.eventsSent!).toBeGreaterThanOrEqual(broadcasts * clients);
    // Frame once: one frame per broadcast (plus the sender's form reset), not one per recipient.
    const framesBuilt = ws.app.serverStats.after.framesBuilt! - ws.app.serverStats.before.framesBuilt!;
    expect(framesBuilt).toBeGreaterThanOrEqual(broadcasts);
    expect(framesBuilt).toBeLessThanOrEqual(2 * broadcasts);

    const frames = results.frames!;
    expect(frames.sockets).toBe(clients);
    expect(frames.wsSend).toBeGreaterThan(0);
    expect(frames.prepared).toBeGreaterThan(0);

    const sse = results.sse!;
    expect(sse.unavailable).toBeUndefined();
    expectSaneFanout(sse.app!, clients);
    expectSaneFanout(sse.bare, clients);
    expectSaneFanout(sse.app4!, clients);
    // Same markup; only the sparkline's coordinates (from the timestamps in the values) vary in length.
    expect(Math.abs(sse.app!.steady.bytesPerDelivery / sse.bare.steady.bytesPerDelivery - 1)).toBeLessThan(0.05);
    const posts = sse.app!.steady.messages + sse.app!.burst.messages;
    expect(sse.app!.serverStats.after.benchMetricRenders! - sse.app!.serverStats.before.benchMetricRenders!).toBe(posts);

    const page = results.page!;
    for (const side of [page.app, page.baseline]) {
      expect(side.requests, side.target).toBeGreaterThan(0);
      expect(side.requestsPerSecond).toBeGreaterThan(0);
      expect(side.errors + side.non2xx, side.target).toBe(0);
    }
    expect(page.pageBytes).toBeGreaterThan(5000);

    // Idle process trees: each measured (npm start is npm + a shell + node; the production command is one node).
    const idle = results.idle!;
    for (const rss of [idle.npmStartTree, idle.nodeDist, idle.bare]) expect(rss).toBeGreaterThan(10 * 2 ** 20);
    expect(idle.npmStartProcesses.some((p) => p.includes('node dist/node.js'))).toBe(true);
    // Presence: every join seen by the watcher as one fragment, the last joiner's snapshot measured.
    const presence = results.presence!;
    expect(presence.users).toBe(30);
    expect(presence.joinBytesEarly).toBeGreaterThan(0);
    expect(presence.joinBytesAtN).toBeGreaterThan(0);
    expect(presence.snapshotBytesAtN).toBeGreaterThan(0);
    // The disk scenario (neighbours fsyncing in a loop) is left out of --smoke.
    expect(results.disk).toBeUndefined();
    expect(output).toMatch(/target \(issue 12\)\s+this run\s+target\s+result/);

    const measures = results.rows.map((row) => `${row.section}: ${row.measure}`);
    expect(measures).toEqual(expect.arrayContaining(['WebSocket fan-out: latency p99', 'WebSocket fan-out: deliveries/s burst', 'Render cost: chat renders per broadcast', 'Render cost: SSE renders per metric post', 'WebSocket fan-out, htmx 4 clients: server CPU per delivery', 'SSE fan-out, htmx 4 clients: server CPU per delivery']));
    expect(results.rows.find((row) => row.measure === 'chat renders per broadcast')!.app).toBe(1);
    expect(output).toMatch(/section\s+measure\s+app\s+baseline\s+app ÷ baseline\s+target/);
    expect(output).toContain('WebSocket fan-out');
  }, 240_000);
});
