import { newUser } from '../../test/helpers/clients.ts';
import { BENCH_TOKEN } from '../lib/credentials.ts';
import { TargetUnavailable, type FanoutTarget } from './fanout.ts';
import { metricSender, type Sender } from './senders.ts';
import { LOAD_USERS } from './ws-targets.ts';

const PATH = '/events?topics=dashboard';

/** Posts the bench metric once before anyone listens, so no measured post is the metric's first (which adds a card). */
async function withWarmMetric(baseUrl: string): Promise<Sender> {
  const sender = metricSender(baseUrl, BENCH_TOKEN);
  sender.send(0, 0, performance.timeOrigin + performance.now());
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (sender.failures.some((failure) => failure.includes('answered 404'))) throw new TargetUnavailable('POST /api/metrics answers 404 on this branch');
  if (sender.failures.length) throw new Error(sender.failures.join('\n'));
  return sender;
}

export const appSse: FanoutTarget = {
  name: 'app',
  server: 'servers/app.ts',
  serverEnv: (options) => ({ BENCH_DATABASE: options.database }),
  kind: 'sse',
  path: PATH,
  readyOnFirstPayload: true,
  token: 'metric',
  async prepare(baseUrl, clients) {
    await withWarmMetric(baseUrl);
    const users = [];
    for (let i = 0; i < Math.min(clients, LOAD_USERS); i++) users.push((await newUser(baseUrl)).cookie);
    return users;
  },
  sender: async (baseUrl) => metricSender(baseUrl, BENCH_TOKEN),
};

export const bareSse: FanoutTarget = {
  name: 'bare node:http',
  server: 'servers/bare-sse.ts',
  kind: 'sse',
  path: PATH,
  readyOnFirstPayload: true,
  token: 'metric',
  async prepare(baseUrl) {
    await withWarmMetric(baseUrl);
    return [];
  },
  sender: async (baseUrl) => metricSender(baseUrl, BENCH_TOKEN),
};

/** The same stream for htmx 4 clients (SPEC §8): unnamed events carrying out-of-band swaps. */
export const appSse4: FanoutTarget = { ...appSse, name: 'app, htmx 4 clients', path: `${PATH}&htmx=4` };
