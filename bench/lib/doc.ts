import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './process.ts';
import { table, targetTable, type Row } from './report.ts';
import type { BenchResults } from './suite.ts';

const marker = (block: string, edge: 'start' | 'end') => `<!-- ${block}:${edge} -->`;

/** The machine, the options and the table of one run, as Markdown. */
export function resultsMarkdown(results: BenchResults, rows: Row[], file: string): string {
  const { machine: m, options: o } = results;
  return [
    `Run of ${results.startedAt} (${results.seconds.toFixed(0)} s); full JSON in \`${file}\` (results JSON is not committed).`,
    '',
    `Machine: ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}; load average ${m.loadAverage.join(' / ')} when the run started (the cores are shared with other work).`,
    '',
    `Options: ${o.clients} clients, ${o.rate} msg/s for ${o.duration} s, bursts of ${o.burst}, ${o.size}-character messages, ${o.procs} load processes, ${o.database} database.`,
    '',
    targetTable(rows, true),
    '',
    table(rows, true),
    ...(results.sse?.unavailable ? ['', `App SSE not measured: ${results.sse.unavailable}.`] : []),
  ].join('\n');
}

/**
 * Replaces a results block of BENCHMARKS.md with this run: `results-N` for N clients when the
 * document has one (the 10,000 check), else `results`.
 */
export function writeDoc(markdown: string, clients: number): void {
  const path = join(ROOT, 'BENCHMARKS.md');
  const doc = readFileSync(path, 'utf8');
  const block = doc.includes(marker(`results-${clients}`, 'start')) ? `results-${clients}` : 'results';
  const [start, end] = [marker(block, 'start'), marker(block, 'end')];
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`BENCHMARKS.md has no ${start} … ${end} block`);
  writeFileSync(path, `${doc.slice(0, from + start.length)}\n${markdown}\n${doc.slice(to)}`);
}
