import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { NODE_BUNDLE } from '../../scripts/node-bundle.mjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type Message = { type: string; [key: string]: unknown };

/** A TypeScript child with an IPC channel; its output is kept for error messages. */
export class Child {
  private output = '';
  private readonly inbox: Message[] = [];
  private waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;

  constructor(readonly process: ChildProcess, readonly name: string) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-8000);
      if (globalThis.process.env.BENCH_VERBOSE) globalThis.process.stderr.write(`[${name}] ${chunk}`);
    };
    process.stdout?.on('data', keep);
    process.stderr?.on('data', keep);
    process.on('message', (message: Message) => {
      this.inbox.push(message);
      this.wake();
    });
    this.exited = new Promise((resolve) =>
      process.once('exit', (code) => {
        this.wake();
        resolve(code);
      }),
    );
  }

  get pid(): number {
    return this.process.pid!;
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  send(message: Message): void {
    if (this.running && this.process.connected) this.process.send(message);
  }

  /** The next message of `type`, or an error naming this child when it exits or times out first. */
  async next<T extends Message>(type: string, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.inbox.findIndex((message) => message.type === type || message.type === 'fatal');
      if (index >= 0) {
        const [message] = this.inbox.splice(index, 1);
        if (message!.type === 'fatal') throw new Error(`${this.name} failed: ${message!.error}\n${this.output}`);
        return message as T;
      }
      if (!this.running) throw new Error(`${this.name} exited (code ${this.process.exitCode}) before sending "${type}":\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`${this.name} sent no "${type}" within ${timeoutMs} ms:\n${this.output}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async request<T extends Message>(message: Message, reply: string, timeoutMs?: number): Promise<T> {
    this.send(message);
    return this.next<T>(reply, timeoutMs);
  }

  /** Asks the child to stop, then kills it if it does not. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.send({ type: 'stop' });
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Resident set size in bytes, read from /proc (VmRSS) as the kernel sees it. */
  rss(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status);
    if (!kb) throw new Error(`no VmRSS for ${this.name}`);
    return Number(kb[1]) * 1024;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** The hard limit on open files: children raise their soft limit to it (10,000 sockets need 10,000 descriptors). */
export function openFilesLimit(): { soft: number; hard: number } {
  const line = /Max open files\s+(\S+)\s+(\S+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  const parse = (value: string | undefined) => (value === 'unlimited' || !value ? Infinity : Number(value));
  return { soft: parse(line?.[1]), hard: parse(line?.[2]) };
}

/**
 * Starts `bench/<script>` under tsx with `--expose-gc`, through `sh -c 'ulimit -n …; exec node …'` so the
 * child may hold more descriptors than the runner's soft limit allows. The IPC channel survives the exec.
 */
export function forkBench(script: string, name: string, env: Record<string, string> = {}): Child {
  const { hard } = openFilesLimit();
  const raise = Number.isFinite(hard) ? `ulimit -n ${hard} 2>/dev/null; ` : '';
  // The servers under test run compiled the way `npm start` runs the app (scripts/build.mjs: esbuild,
  // no tsx loader). Under tsx every named closure is wrapped in `__name()` (keepNames), which turns it
  // into a dictionary-mode function: ~250 B more per closure, ~2.6 KiB per socket that production
  // never pays.
  if (script.startsWith('servers/') && script.endsWith('.ts')) {
    const out = bundled(script);
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const child = spawn('sh', ['-c', `${raise}exec "$@"`, 'sh', process.execPath, ...profile, '--enable-source-maps', '--expose-gc', out], {
      cwd: ROOT,
      env: { ...process.env, ...env, BENCH_SERVER: script },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    return new Child(child, name);
  }
  const child = spawn('sh', ['-c', `${raise}exec "$@"`, 'sh', process.execPath, '--import', 'tsx', '--expose-gc', `bench/${script}`], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  return new Child(child, name);
}

const built = new Map<string, string>();

/**
 * `bench/servers/NAME.ts` compiled to `bench/.build/NAME.mjs` with scripts/build.mjs's options (once per run).
 * `BENCH_CPU_PROF=DIR npm run bench`: every server writes a V8 CPU profile there when it stops
 * (`node scripts/profile-top.mjs FILE` summarises one; source maps name the TypeScript files).
 */
function bundled(script: string): string {
  const known = built.get(script);
  if (known) return known;
  const out = join(ROOT, 'bench', '.build', script.replace(/^servers\//, '').replace(/\.ts$/, '.mjs'));
  buildSync({
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, 'bench', script)],
    outfile: out,
    ...NODE_BUNDLE,
    define: { __PUBLIC_DIR__: JSON.stringify('../../public'), __STORE_WORKER__: JSON.stringify('./libsql-worker.mjs') },
  });
  // The app's storage thread, beside the server that starts it (as dist/libsql-worker.js is for npm start).
  buildSync({
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, 'app', 'store', 'libsql-worker.ts')],
    outfile: join(ROOT, 'bench', '.build', 'libsql-worker.mjs'),
    ...NODE_BUNDLE,
  });
  // Started through a one-line entry, so the bundled app/platform/node.ts does not take the bundle
  // for `npm start`'s entry point (it starts itself when it is the main module).
  const entry = out.replace(/\.mjs$/, '.main.mjs');
  writeFileSync(entry, `await import(${JSON.stringify(pathToFileURL(out).href)});\n`);
  built.set(script, entry);
  return entry;
}
