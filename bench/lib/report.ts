import type { FanoutResult } from '../scenarios/fanout.ts';
import type { BenchResults } from './suite.ts';

/** One line of the results table: the app's figure, its baselines', and app ÷ baseline. */
export interface Row {
  section: string;
  measure: string;
  unit: string;
  app: number;
  baselines: Array<{ name: string; value: number; ratio: number }>;
  /** What the issue asks for, and whether this run met it; absent where no target is set. */
  target?: { text: string; met: boolean };
}

const ratio = (app: number, base: number) => (base ? app / base : NaN);
const kib = (bytes: number) => bytes / 1024;

function fanoutRows(section: string, app: FanoutResult, baselines: FanoutResult[], targets: Partial<Record<string, (r: number[]) => Row['target']>>): Row[] {
  const row = (measure: string, unit: string, pick: (r: FanoutResult) => number): Row => {
    const value = pick(app);
    const bases = baselines.map((b) => ({ name: b.target, value: pick(b), ratio: ratio(value, pick(b)) }));
    const target = targets[measure]?.(bases.map((b) => b.ratio));
    return { section, measure, unit, app: value, baselines: bases, ...(target ? { target } : {}) };
  };
  return [
    row('connections open', 'count', (r) => r.open),
    row('latency p50', 'ms', (r) => r.steady.p50),
    row('latency p99', 'ms', (r) => r.steady.p99),
    row('latency max', 'ms', (r) => r.steady.max),
    row('deliveries/s at fixed rate', '/s', (r) => r.steady.deliveriesPerSecond),
    row('deliveries/s burst', '/s', (r) => r.burst.deliveriesPerSecond),
    row('burst latency p99', 'ms', (r) => r.burst.p99),
    row('delivered / expected', '%', (r) => (100 * (r.steady.deliveries + r.burst.deliveries)) / (r.steady.expected + r.burst.expected || 1)),
    row('bytes per delivery', 'B', (r) => r.steady.bytesPerDelivery),
    row('memory per idle connection', 'KiB', (r) => kib(r.memory.bytesPerConnection)),
    row('JS heap per idle connection', 'KiB', (r) => kib(r.memory.heapBytesPerConnection)),
    row('server event-loop delay, worst', 'ms', (r) => r.serverStats.after.loopDelayMaxMs!),
    row('server CPU per delivery', 'µs', cpuPerDelivery),
  ];
}

/** Time the app spent committing what it then broadcast (chat messages or metrics), per write. */
function durableWriteRows(section: string, app: FanoutResult, database: string): Row[] {
  const { before, after } = app.serverStats;
  const writes = after.storeWrites! - before.storeWrites!;
  return [
    { section, measure: `durable write before broadcast, mean (${database} database)`, unit: 'ms', app: (after.storeWriteMs! - before.storeWriteMs!) / writes, baselines: [] },
    { section, measure: `durable write before broadcast, slowest (${database} database)`, unit: 'ms', app: after.storeWriteMaxMs!, baselines: [] },
  ];
}

const cpuPerDelivery = (r: FanoutResult) => (r.serverStats.after.cpuMicros! - r.serverStats.before.cpuMicros!) / (r.steady.deliveries + r.burst.deliveries);

/** htmx 4 clients against htmx 2 clients of the same app (SPEC §8): the baseline is the htmx 2 run. */
function htmx4Rows(section: string, four: FanoutResult, two: FanoutResult): Row[] {
  const row = (measure: string, unit: string, pick: (r: FanoutResult) => number, target?: (ratio: number) => Row['target']): Row => {
    const value = pick(four);
    const base = pick(two);
    const r = ratio(value, base);
    return { section, measure, unit, app: value, baselines: [{ name: 'htmx 2 clients', value: base, ratio: r }], ...(target ? { target: target(r) } : {}) };
  };
  return [
    row('server CPU per delivery', 'µs', cpuPerDelivery, (r) => ({ text: '≤ 1.1× htmx 2', met: r <= 1.1 })),
    row('latency p99', 'ms', (r) => r.steady.p99),
    row('deliveries/s burst', '/s', (r) => r.burst.deliveriesPerSecond),
    row('bytes per delivery', 'B', (r) => r.steady.bytesPerDelivery),
    row('delivered / expected', '%', (r) => (100 * (r.steady.deliveries + r.burst.deliveries)) / (r.steady.expected + r.burst.expected || 1), () => ({
      text: 'all',
      met: four.steady.deliveries + four.burst.deliveries === four.steady.expected + four.burst.expected,
    })),
  ];
}

export function rowsOf(results: BenchResults): Row[] {
  const rows: Row[] = [];
  if (results.ws) {
    const { app, bareWs, socketIo } = results.ws;
    rows.push(
      ...fanoutRows(`WebSocket fan-out`, app, [bareWs, socketIo], {
        'latency p99': ([bare]) => ({ text: '≤ 1.0× bare ws', met: bare! <= 1.0 }),
        'server CPU per delivery': ([bare]) => ({ text: '≤ 0.9× bare ws', met: bare! <= 0.9 }),
        'memory per idle connection': ([bare, sio]) => ({ text: '≤ 1.5× bare ws and below Socket.IO', met: bare! <= 1.5 && sio! < 1 }),
        'connections open': () => ({ text: 'all N, no errors', met: app.open === app.clients && app.connectErrorCount === 0 && app.droppedCount === 0 }),
      }),
    );
    const broadcasts = app.steady.messages + app.burst.messages;
    const renders = (app.serverStats.after.chatMessageRenders ?? NaN) - (app.serverStats.before.chatMessageRenders ?? NaN);
    const writes = (app.serverStats.after.eventsSent ?? NaN) - (app.serverStats.before.eventsSent ?? NaN);
    rows.push(
      { section: 'Render cost', measure: 'chat renders per broadcast', unit: 'count', app: renders / broadcasts, baselines: [], target: { text: '= 1', met: renders === broadcasts } },
      { section: 'Render cost', measure: 'frames sent per message (N + 1 sender)', unit: 'count', app: writes / broadcasts, baselines: [] },
      {
        section: 'Render cost',
        measure: 'WebSocket frames built per message (broadcast + sender form reset)',
        unit: 'count',
        app: (app.serverStats.after.framesBuilt! - app.serverStats.before.framesBuilt!) / broadcasts,
        baselines: [],
      },
    );
    rows.push(...durableWriteRows('WebSocket fan-out', app, results.options.database));
    if (results.ws.app4) rows.push(...htmx4Rows('WebSocket fan-out, htmx 4 clients', results.ws.app4, app));
  }
  if (results.frames) {
    const { wsSend, prepared } = results.frames;
    rows.push({
      section: `Send path (${results.frames.sockets} sockets)`,
      measure: 'server CPU per socket per message, prepared frame vs ws.send',
      unit: 'µs',
      app: prepared,
      baselines: [{ name: 'ws.send', value: wsSend, ratio: ratio(prepared, wsSend) }],
    });
  }
  if (results.sse?.app) {
    const { app, bare } = results.sse;
    rows.push(
      ...fanoutRows('SSE fan-out', app, [bare], {
        'latency p99': ([r]) => ({ text: '≤ 1.1× bare', met: r! <= 1.1 }),
        'server CPU per delivery': ([r]) => ({ text: '≤ 1.2× bare', met: r! <= 1.2 }),
        'memory per idle connection': ([r]) => ({ text: '≤ 1.25× bare', met: r! <= 1.25 }),
        'connections open': () => ({ text: 'all N, no errors', met: app.open === app.clients && app.connectErrorCount === 0 && app.droppedCount === 0 }),
      }),
    );
    rows.push(...durableWriteRows('SSE fan-out', app, results.options.database));
    const posts = app.steady.messages + app.burst.messages;
    const renders = (app.serverStats.after.benchMetricRenders ?? NaN) - (app.serverStats.before.benchMetricRenders ?? NaN);
    rows.push({ section: 'Render cost', measure: 'SSE renders per metric post', unit: 'count', app: renders / posts, baselines: [], target: { text: '= 1', met: renders === posts } });
    if (results.sse.app4) rows.push(...htmx4Rows('SSE fan-out, htmx 4 clients', results.sse.app4, app));
  }
  if (results.page) {
    const { app, baseline } = results.page;
    const base = (value: number) => [{ name: baseline.target, value, ratio: NaN }];
    rows.push(
      {
        section: 'Page /chat/general (50 messages)',
        measure: 'requests/s',
        unit: '/s',
        app: app.requestsPerSecond,
        baselines: base(baseline.requestsPerSecond),
        target: { text: '≥ 0.5× plain Hono', met: app.requestsPerSecond / baseline.requestsPerSecond >= 0.5 },
      },
      { section: 'Page /chat/general (50 messages)', measure: 'latency p99', unit: 'ms', app: app.p99, baselines: base(baseline.p99) },
      { section: 'Page /chat/general (50 messages)', measure: 'errors + non-2xx', unit: 'count', app: app.errors + app.non2xx, baselines: base(baseline.errors + baseline.non2xx) },
    );
    for (const row of rows.slice(-3)) row.baselines[0]!.ratio = ratio(row.app, row.baselines[0]!.value);
  }
  if (results.idle) {
    const { npmStartTree, nodeDist, bare } = results.idle;
    const mib = (bytes: number) => bytes / 2 ** 20;
    const base = (value: number) => [{ name: 'bare ws (node)', value: mib(bare), ratio: ratio(value, bare) }];
    rows.push(
      { section: 'Idle process tree', measure: 'RSS of `npm start` (npm + sh + node)', unit: 'MiB', app: mib(npmStartTree), baselines: base(npmStartTree) },
      {
        section: 'Idle process tree',
        measure: 'RSS of `node dist/node.js` (production command)',
        unit: 'MiB',
        app: mib(nodeDist),
        baselines: base(nodeDist),
        target: { text: '≤ 1.5× bare server', met: nodeDist / bare <= 1.5 },
      },
    );
  }
  if (results.presence) {
    const p = results.presence;
    const section = `Presence (${p.users.toLocaleString('en-US')} distinct users, one room)`;
    rows.push(
      {
        section,
        measure: `bytes to each member when one joins, at ${p.users} vs at ${p.early}`,
        unit: 'B',
        app: p.joinBytesAtN,
        baselines: [{ name: `at ${p.early}`, value: p.joinBytesEarly, ratio: ratio(p.joinBytesAtN, p.joinBytesEarly) }],
        target: { text: 'O(1) per member (≤ 1.1× the bytes at 10)', met: p.joinBytesAtN / p.joinBytesEarly <= 1.1 },
      },
      { section, measure: `presence snapshot sent to the joiner at ${p.users} (count + first 100 names)`, unit: 'B', app: p.snapshotBytesAtN, baselines: [] },
      {
        section,
        measure: `server CPU per join, last ${p.window} vs first ${p.window} joins`,
        unit: 'µs',
        app: p.cpuPerJoinAtNMicros,
        baselines: [{ name: `first ${p.window}`, value: p.cpuPerJoinEarlyMicros, ratio: ratio(p.cpuPerJoinAtNMicros, p.cpuPerJoinEarlyMicros) }],
      },
    );
  }
  if (results.disk) {
    const { app, bareWs, neighbours, bytesPerWrite } = results.disk;
    const section = `WebSocket fan-out, ${neighbours} disk neighbours (${bytesPerWrite / 2 ** 20} MiB + fsync, loop)`;
    const pick = (measure: string, unit: string, get: (r: FanoutResult) => number, target?: (r: number) => Row['target']): Row => {
      const value = get(app);
      const r = ratio(value, get(bareWs));
      return { section, measure, unit, app: value, baselines: [{ name: 'bare ws, same neighbours', value: get(bareWs), ratio: r }], ...(target ? { target: target(r) } : {}) };
    };
    rows.push(
      pick('latency p50', 'ms', (r) => r.steady.p50),
      pick('latency p99', 'ms', (r) => r.steady.p99, (r) => ({ text: '≤ 1.25× bare ws (storage never stalls a socket)', met: r <= 1.25 })),
      pick('delivered / expected', '%', (r) => (100 * (r.steady.deliveries + r.burst.deliveries)) / (r.steady.expected + r.burst.expected || 1)),
      pick('server event-loop delay, worst', 'ms', (r) => r.serverStats.after.loopDelayMaxMs!),
    );
    rows.push(...durableWriteRows(section, app, results.options.database));
  }
  return rows;
}

/** The targets of issue 12, in the issue's order, from the rows of this run; null where the scenario did not run. */
export function issueTargets(rows: Row[]): Array<{ measure: string; target: string; value: string; met: boolean | null }> {
  // A section is named by its start, or by a part of its name (the disk scenario's section names its neighbours).
  const find = (section: string, measure: string) => rows.find((row) => (row.section.startsWith(section) || row.section.includes(section)) && row.measure.startsWith(measure));
  const entry = (label: string, section: string, measure: string, index = 0) => {
    const row = find(section, measure);
    const ratioValue = row?.baselines[index]?.ratio;
    return {
      measure: label,
      target: row?.target?.text ?? '–',
      value: row && ratioValue !== undefined ? `${figure(ratioValue)}×` : 'not run',
      met: row?.target ? row.target.met : null,
    };
  };
  return [
    entry('WS fan-out CPU per delivery ÷ naive ws', 'WebSocket fan-out', 'server CPU per delivery'),
    entry('WS fan-out p99 ÷ naive ws', 'WebSocket fan-out', 'latency p99'),
    entry('SSE CPU per delivery ÷ bare SSE', 'SSE fan-out', 'server CPU per delivery'),
    entry('SSE p99 ÷ bare SSE', 'SSE fan-out', 'latency p99'),
    entry('idle memory per WebSocket ÷ bare ws', 'WebSocket fan-out', 'memory per idle connection'),
    entry('idle memory per SSE stream ÷ bare SSE', 'SSE fan-out', 'memory per idle connection'),
    entry('process RSS at idle ÷ bare server (node dist/node.js)', 'Idle process tree', 'RSS of `node dist/node.js`'),
    entry('/chat/:room requests/s ÷ plain Hono route', 'Page /chat/general', 'requests/s'),
    entry('WS p99 ÷ naive ws, both with a disk-heavy neighbour', 'disk neighbours', 'latency p99'),
    entry('bytes to each member of a room when one joins (at N ÷ at 10)', 'Presence', 'bytes to each member'),
  ];
}

/** The issue's target table: measure, this run's ratio, target, met / not met. */
export function targetTable(rows: Row[], markdown = false): string {
  const header = ['target (issue 12)', 'this run', 'target', 'result'];
  const lines = issueTargets(rows).map((t) => [t.measure, t.value, t.target, t.met === null ? 'not run' : t.met ? '✓ met' : '✗ not met']);
  if (markdown) return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...lines.map((cells) => cells[i]!.length)));
  return [header, ...lines].map((cells) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

const figure = (value: number) =>
  !Number.isFinite(value) ? '–' : Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(Math.abs(value) >= 10 ? 1 : 2);

/** A plain-text table for stdout and a Markdown one for BENCHMARKS.md, from the same rows. */
export function table(rows: Row[], markdown = false): string {
  const header = ['section', 'measure', 'app', 'baseline', 'app ÷ baseline', 'target'];
  const lines = rows.map((row) => [
    row.section,
    `${row.measure} (${row.unit})`,
    figure(row.app),
    row.baselines.map((b) => `${b.name}: ${figure(b.value)}`).join('; ') || '–',
    row.baselines.map((b) => `${figure(b.ratio)}×`).join('; ') || '–',
    row.target ? `${row.target.text} ${row.target.met ? '✓ met' : '✗ not met'}` : '',
  ]);
  if (markdown) {
    return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  }
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...lines.map((cells) => cells[i]!.length)));
  return [header, ...lines].map((cells) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
