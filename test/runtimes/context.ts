import { newUser, SocketClient, wsUrl } from '../helpers/clients.ts';
import { tempDir } from '../helpers/server.ts';
import type { Launcher, RuntimeServer } from './launchers.ts';

export type User = { cookie: string; userId: string };

/** The running server of one runtime and what every section of the suite needs to talk to it. */
export class SuiteContext {
  readonly dataDir: string;
  server!: RuntimeServer;
  alice!: User;
  bob!: User;
  /** Console output of the servers stopped so far (the restart test replaces the first one). */
  readonly earlierOutput: string[] = [];
  private counter = 0;

  constructor(readonly launcher: Launcher) {
    this.dataDir = tempDir(`switchboard-${launcher.runtime}-`);
  }

  get runtime(): string {
    return this.launcher.runtime;
  }

  async start(): Promise<void> {
    this.server = await this.launcher.start(this.dataDir, {});
    this.alice = await newUser(this.server.url, 'Alice');
    this.bob = await newUser(this.server.url, 'Bob');
  }

  /** Stops the server and starts it again on the same data directory (with `env`); resolves with the exit code. */
  async restart(env: Record<string, string> = {}): Promise<number | null> {
    const exitCode = await this.server.stop();
    this.earlierOutput.push(this.server.output());
    this.server = await this.launcher.start(this.dataDir, env);
    return exitCode;
  }

  url(path: string): string {
    return this.server.url + path;
  }

  /** A room, lobby or metric name no other test uses. */
  fresh(): string {
    return `${this.runtime}-${process.pid}-${++this.counter}`;
  }

  async join(room: string, user: User): Promise<SocketClient> {
    const client = await SocketClient.connect(wsUrl(this.server.url, `/chat/${room}/ws`), { cookie: user.cookie });
    await client.waitForText('id="chat-messages" hx-swap-oob="innerHTML"');
    return client;
  }

  /** Sends a chat message and waits for it to come back. */
  async say(client: SocketClient, text: string): Promise<string> {
    const from = client.frames.length;
    client.sendMessage(text);
    return client.waitForText(`</strong> ${text} `, 10_000, from);
  }
}
