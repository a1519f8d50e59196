/**
 * `npm run bench`: every figure of the app next to a baseline measured in the same run, as a ratio.
 * Servers and load clients are separate processes; see BENCHMARKS.md for the method.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseOptions } from './lib/options.ts';
import { openFilesLimit, ROOT } from './lib/process.ts';
import { resultsMarkdown, writeDoc } from './lib/doc.ts';
import { rowsOf, table, targetTable } from './lib/report.ts';
import { runBench } from './lib/suite.ts';

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const { hard } = openFilesLimit();
  if (options.clients + 200 > hard) {
    throw new Error(`--clients ${options.clients} needs about ${options.clients + 200} open files per process; this machine allows ${hard} (ulimit -Hn)`);
  }
  const log = (line: string) => console.error(line);
  log(`bench: ${options.clients} clients, ${options.rate} msg/s for ${options.duration} s, bursts of ${options.burst}, ${options.procs} load processes`);
  const results = await runBench(options, log);
  const rows = rowsOf(results);
  console.log(`\n${table(rows)}\n`);
  console.log(`${targetTable(rows)}\n`);
  const out = options.out ?? join(ROOT, 'bench', 'results', `${results.startedAt.replace(/[:.]/g, '-')}-${options.clients}${options.smoke ? '-smoke' : ''}.json`);
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, JSON.stringify({ ...results, rows }, null, 2));
  if (options.writeDoc) {
    writeDoc(resultsMarkdown(results, rows, relative(ROOT, out)), options.clients);
    log('bench: BENCHMARKS.md results updated');
  }
  log(`bench: ${results.seconds.toFixed(0)} s; results written to ${out}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`bench failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
