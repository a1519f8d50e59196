import { describe, expect, it } from 'vitest';
import { readConfig } from '../../app/config.ts';
import type { Platform } from '../../app/ports/platform.ts';
import { InProcessMetricSeries } from '../../app/realtime/in-process.ts';
import { MetricBoard } from '../../app/realtime/metric-board.tsx';
import type { MetricPoint } from '../../app/ports/store.ts';

// The topic object (recordMetrics) and RemoteBoard pass this value on as it is (typed Promise<string | null>),
// so it crosses RPC as data on Workers; the API answers 400 with it (api.test.ts, conformance-events.ts).
describe('a refused metric is a value, not an exception', () => {
  it('MetricBoard answers why it refused a metric past the maximum, and stores nothing of it', async () => {
    const stored: MetricPoint[] = [];
    const closing = new AbortController();
    const store = {
      metricSeries: async () => new Map<string, MetricPoint[]>(),
      addMetric: async (point: MetricPoint) => void stored.push(point),
    };
    const platform = {
      config: readConfig({}, { maxMetrics: 1 }),
      store,
      metrics: new InProcessMetricSeries(store),
      hub: { subscribe: () => () => {}, publish: async (_topic: string, event: string) => ({ id: stored.length, event }) },
      closing: closing.signal,
    } as unknown as Platform;
    const board = new MetricBoard(platform);
    try {
      expect(await board.record([{ name: 'first', value: 1 }])).toBeNull();
      expect(await board.record([{ name: 'second', value: 2 }])).toBe('the dashboard holds at most 1 metrics; "second" would be one more');
      expect(stored.map((point) => point.name)).toEqual(['first']);
    } finally {
      closing.abort();
    }
  });
});
