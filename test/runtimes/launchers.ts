import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort, TEST_SECRET, TEST_TOKEN } from '../helpers/server.ts';
import { HOST_AUTH_ENV } from '../helpers/host-tokens.ts';

/** One real server process of one runtime, on a free port, over a data directory that outlives it. */
export interface RuntimeServer {
  url: string;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code once the process is gone. */
  stop(): Promise<number | null>;
}

export interface Launcher {
  runtime: 'node' | 'deno' | 'workerd';
  /** Starts the runtime's own entry point; the same `dataDir` brings back the same state. */
  start(dataDir: string, env: Record<string, string>): Promise<RuntimeServer>;
  /** What SIGTERM does to open sockets (SPEC §6); workerd's dev server has no graceful hand-off. */
  onStop: { closeCode: number; exitCode: number } | null;
  /** Whether the server pings sockets every HEARTBEAT_MS; Workers cannot send ping frames (SPEC §6). */
  pingsSockets: boolean;
}

const START_TIMEOUT_MS = 30_000;

/** The settings every runtime gets in the suite. */
/** The match's default beat: a player leaving right after "starting!" (LOBBY_GRACE_MS later) is still inside the countdown on a loaded machine. */
export const SUITE_ENV = {
  SESSION_SECRET: TEST_SECRET,
  API_TOKEN: TEST_TOKEN,
  HISTORY_LIMIT: '3',
  LOBBY_GRACE_MS: '300',
  HEARTBEAT_MS: '1000',
  MATCH_TEMPO_MS: '1000',
  MATCH_ROUNDS: '2',
  ...HOST_AUTH_ENV,
};

function run(command: string, args: string[], env: Record<string, string>, ready: (output: string) => string | null): Promise<RuntimeServer> {
  const child: ChildProcess = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} ${why}:\n${output}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const url = ready(output);
      if (!url) return;
      clearTimeout(timer);
      resolve({
        url,
        output: () => output,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          const code = await exited;
          // Whatever the runtime left behind in its process group (wrangler's workerd) goes too.
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // The group is already gone.
          }
          return code;
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => fail(`exited with ${code} before it was ready`));
    child.once('error', (error) => fail(`could not be started: ${error.message}`));
  });
}

const listening = (output: string) => {
  const match = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
  return match ? `http://127.0.0.1:${match[1]}` : null;
};

const localEnv = (dataDir: string, env: Record<string, string>) => ({
  PORT: '0',
  HOST: '127.0.0.1',
  DATABASE_URL: `file:${join(dataDir, 'switchboard.db')}`,
  ...SUITE_ENV,
  ...env,
});

export const node: Launcher = {
  runtime: 'node',
  onStop: { closeCode: 1012, exitCode: 0 },
  pingsSockets: true,
  start: (dataDir, env) => run(process.execPath, ['--import', 'tsx', 'app/platform/node.ts'], localEnv(dataDir, env), listening),
};

export const deno: Launcher = {
  runtime: 'deno',
  onStop: { closeCode: 1012, exitCode: 0 },
  pingsSockets: true,
  start: (dataDir, env) => run('node_modules/.bin/deno', ['run', '-A', 'app/platform/deno.ts'], localEnv(dataDir, env), listening),
};

export const workerd: Launcher = {
  runtime: 'workerd',
  onStop: null,
  pingsSockets: false,
  async start(dataDir, env) {
    const port = await freePort();
    // EXPOSE_APP_BUILDS: answers say how many times the isolate built the app (conformance-events.ts).
    const vars = Object.entries({ ...SUITE_ENV, EXPOSE_APP_BUILDS: 'true', ...env }).flatMap(([key, value]) => ['--var', `${key}:${value}`]);
    // Through the README's own command, which must take a second --ip from its caller (`npm run dev:worker -- --ip X`).
    const args = ['run', '--silent', 'dev:worker', '--', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', dataDir, '--show-interactive-dev-session=false', '--inspector-port', String(await freePort()), ...vars];
    const childEnv = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', NO_COLOR: '1' };
    return run('npm', args, childEnv, (output) => (/Ready on http/.test(output) ? `http://127.0.0.1:${port}` : null));
  },
};
