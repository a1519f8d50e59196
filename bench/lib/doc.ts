import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './process.ts';
import { table, type Row } from './report.ts';
import type { BenchResults } from './suite.ts';

const START = '<!-- results:start -->';
const END = '<!-- results:end -->';

/** The machine, the options and the table of one run, as Markdown. */
export function resultsMarkdown(results: BenchResults, rows: Row[], file: string): string {
  const { machine: m, options: o } = results;
  return [
    `Run of ${results.startedAt} (${results.seconds.toFixed(0)} s), \`${file}\`.`,
    '',
    `Machine: ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}; load average ${m.loadAverage.join(' / ')} when the run started (the cores are shared with other work).`,
    '',
    `Options: ${o.clients} clients, ${o.rate} msg/s for ${o.duration} s, bursts of ${o.burst}, ${o.size}-character messages, ${o.procs} load processes, ${o.database} database.`,
    '',
    table(rows, true),
    ...(results.sse?.unavailable ? ['', `App SSE not measured: ${results.sse.unavailable}.`] : []),
  ].join('\n');
}

/** Replaces the results block of BENCHMARKS.md with this run. */
export function writeDoc(markdown: string): void {
  const path = join(ROOT, 'BENCHMARKS.md');
  const doc = readFileSync(path, 'utf8');
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`BENCHMARKS.md has no ${START} … ${END} block`);
  writeFileSync(path, `${doc.slice(0, start + START.length)}\n${markdown}\n${doc.slice(end)}`);
}
