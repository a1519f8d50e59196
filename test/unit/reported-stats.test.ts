import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReportedStats, type StatDeltas } from '../../app/platform/worker/reported-stats.ts';

/** A turn of the event loop without running timers (fake timers hold setTimeout, not microtasks). */
const settle = () => Promise.resolve().then(() => Promise.resolve());

describe('Workers /metrics: what a request or room object reports to the stats object', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends a gauge change at once, and a busy counter as one report per interval, not one per fragment', async () => {
    vi.useFakeTimers();
    const reports: StatDeltas[] = [];
    const kept: Array<Promise<unknown>> = [];
    const reported = new ReportedStats(async (deltas) => void reports.push(deltas), {}, (work) => kept.push(work), 500);
    reported.stats.openStreams++;
    await settle();
    expect(reports).toEqual([{ openStreams: 1 }]);
    // 200 fragments in 200 turns: nothing goes out until the interval is over, then their sum.
    for (let i = 0; i < 200; i++) {
      reported.stats.eventsSent++;
      await settle();
    }
    expect(reports).toHaveLength(1);
    expect(kept).toHaveLength(1);
    vi.advanceTimersByTime(500);
    await settle();
    expect(reports).toEqual([{ openStreams: 1 }, { eventsSent: 200 }]);
    // The request was kept (waitUntil) until then, and no longer.
    await expect(kept[0]).resolves.toBeUndefined();
    // A gauge change takes the waiting counters along at once.
    reported.stats.eventsSent += 3;
    reported.stats.openStreams--;
    await settle();
    expect(reports.at(-1)).toEqual({ eventsSent: 3, openStreams: -1 });
    vi.advanceTimersByTime(500);
    await settle();
    expect(reports).toHaveLength(3);
  });

  it('ending a request gives its gauges back with whatever counters wait, and reports nothing of its gauges after', async () => {
    vi.useFakeTimers();
    const reports: StatDeltas[] = [];
    const reported = new ReportedStats(async (deltas) => void reports.push(deltas), {}, () => {}, 500);
    reported.stats.openStreams++;
    await settle();
    reported.stats.eventsSent += 5;
    reported.end();
    expect(reports).toEqual([{ openStreams: 1 }, { eventsSent: 5, openStreams: -1 }]);
    // The stream's own clean-up runs later: already given back, not reported twice.
    reported.stats.openStreams--;
    vi.advanceTimersByTime(1000);
    await settle();
    expect(reports).toHaveLength(2);
  });

  it('a report that fails, or throws at once, is a warning, never an unhandled rejection', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let calls = 0;
      const reported = new ReportedStats(() => {
        if (++calls === 1) throw new Error('torn down');
        return Promise.reject(new Error('Network connection lost.'));
      });
      reported.stats.openSockets++;
      await settle();
      reported.stats.openSockets--;
      await settle();
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(calls).toBe(2);
      expect(warn.mock.calls.map((call) => String(call[0]))).toEqual([
        'a /metrics report was lost (torn down)',
        'a /metrics report was lost (Network connection lost.)',
      ]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      warn.mockRestore();
    }
  });
});
