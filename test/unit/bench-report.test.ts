import { describe, expect, it } from 'vitest';
import { issueTargets, type Row } from '../../bench/lib/report.ts';

const row = (section: string, measure: string, ratio: number, met: boolean): Row => ({
  section,
  measure,
  unit: 'ms',
  app: ratio,
  baselines: [{ name: 'bare', value: 1, ratio }],
  target: { text: 'target', met },
});

describe('issue 12 bench: the target table reads each target from its own scenario', () => {
  it('takes the disk row from the disk scenario, not from the htmx 4 section that also starts with "WebSocket fan-out, "', () => {
    const rows = [
      row('WebSocket fan-out', 'latency p99 (ms)', 0.8, true),
      row('WebSocket fan-out, htmx 4 clients', 'latency p99 (ms)', 4.2, false),
      row('WebSocket fan-out, 2 disk neighbours (8 MiB + fsync, loop)', 'latency p99 (ms)', 1.1, true),
    ];
    const targets = issueTargets(rows);
    expect(targets.find((t) => t.measure.startsWith('WS fan-out p99'))).toMatchObject({ value: '0.80×', met: true });
    expect(targets.find((t) => t.measure.includes('disk-heavy'))).toMatchObject({ value: '1.10×', met: true });
  });

  it('says "not run" for a scenario that did not run', () => {
    const targets = issueTargets([row('WebSocket fan-out, htmx 4 clients', 'latency p99 (ms)', 4.2, false)]);
    expect(targets.find((t) => t.measure.includes('disk-heavy'))).toMatchObject({ value: 'not run', met: null });
  });
});
