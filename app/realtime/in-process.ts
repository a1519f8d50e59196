import type { Locks, MetricSeries } from '../ports/platform.ts';
import type { MetricPoint, Store } from '../ports/store.ts';

/**
 * The small ports where one process (Node and Deno without Redis) or one Durable Object is the
 * only writer of its state: nothing to lock, nothing shared to re-read.
 */

/** No other process shares the state: work runs directly, as a room's own queue already orders one process. */
export const inProcessLocks: Locks = {
  exclusive: (_name, work) => work(),
};

/** The dashboard's pushed series, read from the store once and then kept current by the board in memory. */
export class InProcessMetricSeries implements MetricSeries {
  private loaded: Promise<Map<string, MetricPoint[]>> | undefined;

  constructor(private readonly store: Pick<Store, 'metricSeries'>) {}

  pushed(points: number): Promise<Map<string, MetricPoint[]>> {
    return (this.loaded ??= this.store.metricSeries(points));
  }

  refreshBuiltIn(inMemory: () => Promise<void>): Promise<void> {
    return inMemory();
  }
}
