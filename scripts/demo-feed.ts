/**
 * `npm run demo:feed`: posts sample `orders-today` and `revenue` values to the dashboard API.
 *   BASE_URL   where Switchboard runs (default http://localhost:3000)
 *   API_TOKEN  the server's API_TOKEN (required)
 *   --count N  stop after N posts (default: run until Ctrl-C); --interval MS between posts (default 1000)
 */
export {};

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number, got "${args[at + 1]}"`);
  return value;
};

const baseUrl = (process.env.BASE_URL ?? 'http://localhost:3000').replace(/\/$/, '');
const token = process.env.API_TOKEN;
const count = option('count', Infinity);
const interval = option('interval', 1000);

if (!token) {
  console.error('demo:feed: set API_TOKEN to the token the server was started with, e.g. API_TOKEN=secret npm run demo:feed');
  process.exit(1);
}

let orders = 1000 + Math.floor(Math.random() * 200);
let revenue = orders * 42.5;

for (let sent = 0; sent < count; sent++) {
  const newOrders = Math.floor(Math.random() * 12);
  orders += newOrders;
  revenue += newOrders * (20 + Math.random() * 60);
  const body = {
    metrics: [
      { name: 'orders-today', value: orders, label: 'Orders today', format: 'integer' },
      { name: 'revenue', value: Math.round(revenue * 100) / 100, label: 'Revenue today', format: 'currency' },
    ],
  };
  let res: Response;
  try {
    res = await fetch(`${baseUrl}/api/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (error) {
    console.error(`demo:feed: cannot reach ${baseUrl} (${(error as Error).message}); is the server running? Set BASE_URL if it runs elsewhere.`);
    process.exit(1);
  }
  if (res.status !== 204) {
    console.error(`demo:feed: ${baseUrl}/api/metrics answered ${res.status}: ${await res.text()}`);
    process.exit(1);
  }
  console.log(`orders-today ${orders}, revenue ${body.metrics[1]!.value}`);
  if (sent + 1 < count) await new Promise((resolve) => setTimeout(resolve, interval));
}
