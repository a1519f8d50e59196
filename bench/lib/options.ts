import { parseArgs } from 'node:util';

export interface BenchOptions {
  clients: number;
  /** Seconds of the fixed-rate phase of each fan-out. */
  duration: number;
  /** Messages per second in the fixed-rate phase. */
  rate: number;
  /** Messages sent back to back in the burst phase (deliveries/s). */
  burst: number;
  /** Characters of each chat message / metric label. */
  size: number;
  /** Load processes; default one per 1,500 connections, 1–4. */
  procs: number;
  /** Seconds of each page-throughput run. */
  pageSeconds: number;
  only: string[];
  /** Distinct users joining one room in the presence scenario. */
  presenceUsers: number;
  /** The app's database: a file (as `npm start` runs it, every message fsynced) or `:memory:`. */
  database: 'file' | 'memory';
  smoke: boolean;
  out: string | undefined;
  /** Replace the results block of BENCHMARKS.md with this run. */
  writeDoc: boolean;
}

export const SCENARIOS = ['ws', 'frames', 'sse', 'page', 'idle', 'presence', 'disk'] as const;
/** --smoke leaves out the disk scenario: two processes fsyncing 8 MiB in a loop do not belong in npm test. */
const SMOKE_SCENARIOS = SCENARIOS.filter((s) => s !== 'disk');

const USAGE = `npm run bench -- [--clients N] [--duration S] [--rate R] [--burst B] [--size C] [--procs P] [--only ws,frames,sse,page,idle,presence,disk] [--presence-users N] [--page-seconds S] [--database file|memory] [--smoke] [--out FILE] [--write-doc]`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      clients: { type: 'string' },
      duration: { type: 'string' },
      rate: { type: 'string' },
      burst: { type: 'string' },
      size: { type: 'string' },
      procs: { type: 'string' },
      'page-seconds': { type: 'string' },
      'presence-users': { type: 'string' },
      only: { type: 'string' },
      database: { type: 'string', default: 'file' },
      smoke: { type: 'boolean', default: false },
      out: { type: 'string' },
      'write-doc': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const smoke = values.smoke!;
  const number = (name: keyof typeof values, fallback: number, min: number, max: number): number => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${name} must be a number from ${min} to ${max}, got "${raw}"\n${USAGE}`);
    return value;
  };
  const clients = Math.round(number('clients', smoke ? 20 : 2000, 1, 10_000));
  const only = values.only ? values.only.split(',').map((item) => item.trim()) : [...(smoke ? SMOKE_SCENARIOS : SCENARIOS)];
  for (const item of only) {
    if (!(SCENARIOS as readonly string[]).includes(item)) throw new Error(`--only takes ${SCENARIOS.join(', ')}; got "${item}"`);
  }
  if (values.database !== 'file' && values.database !== 'memory') throw new Error(`--database is file or memory, got "${values.database}"`);
  return {
    clients,
    duration: number('duration', smoke ? 2 : 10, 0.5, 120),
    rate: number('rate', smoke ? 10 : 10, 0.1, 1000),
    burst: Math.round(number('burst', smoke ? 10 : 50, 1, 1000)),
    size: Math.round(number('size', 100, 40, 2000)),
    procs: Math.round(number('procs', Math.min(4, Math.max(1, Math.ceil(clients / 1500))), 1, 16)),
    pageSeconds: number('page-seconds', smoke ? 1 : 5, 0.5, 60),
    only,
    presenceUsers: Math.round(number('presence-users', smoke ? 30 : 2000, 2, 5000)),
    database: values.database,
    smoke,
    out: values.out,
    writeDoc: values['write-doc']!,
  };
}
