import { describe, expect, it } from 'vitest';
import { Histogram } from '../../bench/lib/histogram.ts';
import { benchMetricValue, benchText, readToken } from '../../bench/lib/token.ts';
import { NaiveChatHistory } from '../../bench/servers/chat-html.ts';
import { render } from '../../components/render.ts';
import { NewMessage } from '../../components/Chat.tsx';
import { MetricValue } from '../../components/Dashboard.tsx';
import { NaiveMetricSeries } from '../../bench/servers/metric-html.ts';

describe('bench latency histogram', () => {
  it('gives percentiles within 0.5% and merges across processes', () => {
    const a = new Histogram();
    const b = new Histogram();
    for (let ms = 1; ms <= 1000; ms++) (ms % 2 ? a : b).record(ms);
    const merged = new Histogram();
    merged.merge(a.toJSON());
    merged.merge(JSON.parse(JSON.stringify(b.toJSON())));
    expect(merged.count).toBe(1000);
    expect(merged.max).toBe(1000);
    expect(merged.percentile(0.5)).toBeCloseTo(500, -1);
    expect(Math.abs(merged.percentile(0.5) - 500) / 500).toBeLessThan(0.006);
    expect(Math.abs(merged.percentile(0.99) - 990) / 990).toBeLessThan(0.006);
    expect(merged.percentile(1)).toBe(1000);
    expect(new Histogram().percentile(0.5)).toBeNaN();
  });
});

describe('bench tokens: the send time travels inside the fragment', () => {
  it('reads phase and send time back out of a rendered chat message', () => {
    const sentAt = 1_795_000_000_123.456;
    const text = benchText(3, 17, sentAt, 100);
    expect(text).toHaveLength(100);
    const html = render(<NewMessage message={{ id: 9, room: 'general', userId: 'u', name: 'Load', text, at: Date.now() }} dropId={null} />);
    expect(readToken(html, 'chat', sentAt + 5)).toEqual({ phase: 3, sentAt });
    expect(readToken('<div>no token</div>', 'chat', sentAt)).toBeNull();
  });

  it('reads phase and send time out of a dashboard value rendered as a grouped integer, across the µs wrap', () => {
    for (const sentAt of [1_795_000_000_123.456, 1_700_000_099_999.999]) {
      const value = benchMetricValue(2, sentAt);
      const shown = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(value);
      const token = readToken(`bench\n<span class="metric">${shown}</span><svg></svg>`, 'metric', sentAt + 12.5)!;
      expect(token.phase).toBe(2);
      expect(token.sentAt).toBeCloseTo(sentAt, 2);
    }
    expect(readToken(`other-metric\n<span class="metric">200,000,000,001</span>`, 'metric', 0)).toBeNull();
  });
});

describe('bench baselines send the same bytes as the app', () => {
  it('the naive chat server builds the NewMessage fragment byte for byte', () => {
    const history = new NaiveChatHistory('general', 2);
    const at = Date.UTC(2026, 10, 23, 22, 5);
    const texts = ['one <b>&', 'two "quoted"', "three 'single'"];
    texts.forEach((text, i) => {
      const id = i + 1;
      const expected = render(<NewMessage message={{ id, room: 'general', userId: 'u', name: 'Load', text, at }} dropId={id > 2 ? id - 2 : null} />);
      expect(history.messageHtml('Load', text, at)).toBe(expected);
    });
  });
});

describe('bench SSE baseline writes the same bytes as the dashboard', () => {
  it('the bare SSE server builds the MetricValue fragment byte for byte, as the series grows past 30', () => {
    const series = new NaiveMetricSeries();
    const values: number[] = [];
    for (let i = 0; i < 35; i++) {
      const value = benchMetricValue(1 + (i % 2), 1_795_000_000_000 + i * 137.25);
      series.push(value);
      values.push(value);
      if (values.length > 30) values.shift();
      const expected = render(<MetricValue metric={{ name: 'bench', label: 'bench', format: 'integer', values: [...values] }} />);
      expect(series.html()).toBe(expected);
    }
  });
  it('the bare SSE server adds the "Updated" line the app renders for a pushed value (it stores when each was recorded)', () => {
    const series = new NaiveMetricSeries();
    const values: number[] = [];
    for (let i = 0; i < 3; i++) {
      const value = benchMetricValue(1, 1_795_000_000_000 + i * 137.25);
      const at = Date.UTC(2026, 10, 23, 22, 5 + i, 7);
      series.push(value, at);
      values.push(value);
      const expected = render(<MetricValue metric={{ name: 'bench', label: 'bench', format: 'integer', values: [...values], updatedAt: at }} />);
      expect(expected).toContain('class="updated"');
      expect(series.html()).toBe(expected);
    }
  });
});
