import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort, tempDir } from './server.ts';

export interface RedisServer {
  url: string;
  port: number;
  /** Kills the server (SIGKILL by default) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and directory. */
  restart(): Promise<void>;
}

/**
 * A private `redis-server` on a free port. Defaults to no persistence (`--save "" --appendonly no`);
 * pass `persistent` for `appendonly yes` + `appendfsync always` in a temp directory.
 * Fails loudly when redis-server is not installed: the cluster suite cannot run without it.
 */
export async function startRedis(options: { persistent?: boolean; port?: number } = {}): Promise<RedisServer> {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error('redis-server is not installed: the cluster tests need it (Debian: apt-get install redis-server)');
  }
  const port = options.port ?? (await freePort());
  const dir = tempDir('switchboard-redis-');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no', '--protected-mode', 'no'];
  args.push(...(options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
  let child: ChildProcess | undefined;

  const start = async () => {
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
      proc.stdout!.on('data', (chunk) => {
        output += chunk;
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.stderr!.on('data', (chunk) => (output += chunk));
      proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${output}`)));
    });
  };

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill(signal);
    await exited;
  };

  await start();
  return { url: `redis://127.0.0.1:${port}`, port, kill, restart: start };
}
