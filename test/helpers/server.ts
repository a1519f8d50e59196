import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfig, type Limits } from '../../app/config.ts';
import { startNode, type NodeServer } from '../../app/platform/node.ts';

export const TEST_SECRET = 'test-session-secret-0123456789';
export const TEST_TOKEN = 'test-api-token-0123456789';

export function tempDir(prefix = 'switchboard-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A real Node server in this process on a free port, with its own database. */
export async function startServer(env: Record<string, string> = {}, limits: Partial<Limits> = {}): Promise<NodeServer> {
  const config = readConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `file:${join(tempDir(), 'test.db')}`,
      SESSION_SECRET: TEST_SECRET,
      API_TOKEN: TEST_TOKEN,
      ...env,
    },
    limits,
  );
  const server = await startNode(config);
  return { ...server, url: `http://127.0.0.1:${server.port}` };
}

export interface ChildServer {
  url: string;
  port: number;
  process: ChildProcess;
  output(): string;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The Node entry point from source (through tsx), or the one `npm start` runs after the build. */
export const SOURCE_ENTRY = ['--import', 'tsx', 'app/platform/node.ts'];
export const BUILT_ENTRY = ['dist/node.js'];

/** The real entry point as a child process, for restarts, signals and kill -9. */
export async function spawnServer(env: Record<string, string>, port = 0, entry = SOURCE_ENTRY): Promise<ChildServer> {
  const child = spawn(process.execPath, entry, {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SESSION_SECRET: TEST_SECRET, API_TOKEN: TEST_TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const actualPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
    const check = () => {
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', () => reject(new Error(`server exited:\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    process: child,
    output: () => output,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}
