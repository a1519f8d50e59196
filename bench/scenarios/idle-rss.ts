import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_SECRET } from '../lib/credentials.ts';
import { ROOT } from '../lib/process.ts';

export interface IdleRssResult {
  /** `npm start`: npm, its shell and the app, summed. */
  npmStartTree: number;
  npmStartProcesses: string[];
  /** `node dist/node.js`, the production command. */
  nodeDist: number;
  /** The bare ws server under plain node. */
  bare: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rssOf(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kb ? Number(kb[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Every live process in process group `pgid` (the command started detached, so the group is its tree). */
function group(pgid: number): Array<{ pid: number; command: string }> {
  const out: Array<{ pid: number; command: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) out.push({ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim() });
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** Starts `command` in its own process group, waits until it listens and has idled, and sums the group's RSS. */
async function idleTree(command: string, args: string[], env: Record<string, string>): Promise<{ rss: number; processes: string[] }> {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  try {
    const deadline = Date.now() + 60_000;
    while (!/listening on http/.test(output)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${command} ${args.join(' ')} did not start:\n${output}`);
      await sleep(100);
    }
    await sleep(3000);
    const members = group(child.pid!);
    return { rss: members.reduce((sum, p) => sum + rssOf(p.pid), 0), processes: members.map((p) => `${p.command} (${(rssOf(p.pid) / 2 ** 20).toFixed(0)} MiB)`) };
  } finally {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // Already gone.
    }
    await sleep(500);
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Gone.
    }
  }
}

/** Process-tree RSS of `npm start` and of `node dist/node.js` at idle, against the bare ws server under node. */
export async function runIdleRss(): Promise<IdleRssResult> {
  // `npm start` runs dist/node.js, which `npm install` builds once: build it from the current code, so the
  // figures are this checkout's (not a stale build's) and a checkout without a build can be measured too.
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
  const env = () => ({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `file:${join(mkdtempSync(join(tmpdir(), 'switchboard-idle-')), 'idle.db')}`, SESSION_SECRET: BENCH_SECRET });
  const npm = await idleTree('npm', ['start', '--silent'], env());
  const dist = await idleTree(process.execPath, ['dist/node.js'], env());
  const bare = await idleTree(process.execPath, ['bench/servers/bare-idle.mjs'], {});
  return { npmStartTree: npm.rss, npmStartProcesses: npm.processes, nodeDist: dist.rss, bare: bare.rss };
}
