/** A load process for page throughput: autocannon against one URL, results back over IPC. */
import autocannon from 'autocannon';

const { url, cookie, connections, seconds } = JSON.parse(process.env.BENCH_PAGE!) as { url: string; cookie?: string; connections: number; seconds: number };

autocannon({ url, connections, duration: seconds, headers: cookie ? { cookie } : {} }, (error, result) => {
  if (error) {
    process.send!({ type: 'fatal', error: String(error) });
    return;
  }
  process.send!({
    type: 'result',
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    bytesPerResponse: result.requests.total ? result.throughput.total / result.requests.total : 0,
  });
  setTimeout(() => process.exit(0), 50);
});
