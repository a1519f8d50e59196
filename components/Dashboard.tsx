import type { FC } from 'hono/jsx';
import type { MetricPoint } from '../app/ports/store.ts';
import { Layout } from './Layout.tsx';
import { sseSwap, type HtmxMajor } from './htmx.tsx';
import type { Viewer } from './Header.tsx';

export type MetricFormat = MetricPoint['format'];

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const currency = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const percent = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** `1,247`, `$1,247.50`, `42.5%` (a percent value is the number of percent, not a fraction). */
export function formatMetric(value: number, format: MetricFormat): string {
  if (format === 'currency') return currency.format(value);
  if (format === 'percent') return `${percent.format(value)}%`;
  return integer.format(value);
}

const WIDTH = 100;
const HEIGHT = 30;

/** Small whole numbers (online counts, rooms) step from value to value; a slope between 0 and 1 would be a lie. */
export function isStepSeries(values: number[]): boolean {
  return values.length > 0 && values.every(Number.isInteger) && Math.max(...values) - Math.min(...values) <= 10;
}

/** The vertical range drawn: the series' own, and from 0 for small whole numbers so the baseline means "none". */
function scale(values: number[]): { low: number; high: number } {
  const low = Math.min(...values);
  const high = Math.max(...values);
  if (isStepSeries(values) && low >= 0) return { low: 0, high: Math.max(high, 1) };
  return { low, high };
}

/** The polyline points of a sparkline: oldest value on the left, scaled to its range; steps for small integers. */
export function sparklinePoints(values: number[]): string {
  if (values.length === 0) return '';
  const { low, high } = scale(values);
  const range = high - low;
  const y = (v: number) => +(range === 0 ? HEIGHT / 2 : HEIGHT - 1 - ((v - low) / range) * (HEIGHT - 2)).toFixed(2);
  const step = values.length > 1 ? WIDTH / (values.length - 1) : 0;
  const x = (i: number) => +(i * step).toFixed(2);
  if (values.length === 1) return `0,${y(values[0]!)} ${WIDTH},${y(values[0]!)}`;
  const stepped = isStepSeries(values);
  const points: string[] = [];
  values.forEach((v, i) => {
    if (stepped && i > 0) points.push(`${x(i)},${y(values[i - 1]!)}`);
    points.push(`${x(i)},${y(v)}`);
  });
  return points.join(' ');
}

/** Server-rendered inline SVG with its scale in words; styled from app.css (the CSP allows no inline styles). */
export const Sparkline: FC<{ values: number[]; format: MetricFormat }> = ({ values, format }) => {
  if (values.length === 0) return <p class="spark-empty">No values yet</p>;
  const { low, high } = scale(values);
  const label = `${values.length} recent value${values.length === 1 ? '' : 's'}, from ${formatMetric(Math.min(...values), format)} to ${formatMetric(Math.max(...values), format)}`;
  return (
    <>
      <svg class="sparkline" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={label}>
        <polyline points={sparklinePoints(values)} vector-effect="non-scaling-stroke" />
        <line class="baseline" x1="0" y1={HEIGHT - 1} x2={WIDTH} y2={HEIGHT - 1} vector-effect="non-scaling-stroke" />
      </svg>
      <div class="spark-scale" aria-hidden="true">
        <span>{formatMetric(high, format)}</span>
        <span>{formatMetric(low, format)}</span>
      </div>
    </>
  );
};

export interface MetricView {
  name: string;
  label: string;
  format: MetricFormat;
  /** Recent values, oldest first. */
  values: number[];
  /** When the newest value was recorded (ms since the epoch). */
  updatedAt?: number;
}

/** The data of one `NAME` event: the value and its sparkline. */
export const MetricValue: FC<{ metric: MetricView }> = ({ metric }) => (
  <>
    <span class="metric">{metric.values.length ? formatMetric(metric.values.at(-1)!, metric.format) : '–'}</span>
    <Sparkline values={metric.values} format={metric.format} />
    {metric.updatedAt ? (
      <p class="updated">
        Updated <time datetime={new Date(metric.updatedAt).toISOString()}>{new Date(metric.updatedAt).toISOString().slice(11, 16)} UTC</time>
      </p>
    ) : null}
  </>
);

export const MetricCard: FC<{ metric: MetricView; htmx?: HtmxMajor }> = ({ metric, htmx = 2 }) => (
  <div class="metric-card" id={`card-${metric.name}`}>
    <h2>{metric.label}</h2>
    <div id={metric.name} {...sseSwap(htmx, metric.name)}>
      <MetricValue metric={metric} />
    </div>
  </div>
);

/** The data of a `dashboard` event: every card, so a metric seen for the first time gets one. */
export const MetricCards: FC<{ metrics: MetricView[]; htmx?: HtmxMajor }> = ({ metrics, htmx }) => (
  <>
    {metrics.map((metric) => (
      <MetricCard metric={metric} htmx={htmx} />
    ))}
  </>
);

export const DashboardPage: FC<{ viewer: Viewer; metrics: MetricView[]; htmx?: HtmxMajor }> = ({ viewer, metrics, htmx = 2 }) => (
  <Layout title="Dashboard" viewer={viewer} topics={['dashboard']} htmx={htmx}>
    <div class="page-heading">
      <h1>Dashboard</h1>
      <p class="hint">Live values, pushed as they change.</p>
    </div>
    <div id="metric-cards" class="metrics" {...sseSwap(htmx, 'dashboard')}>
      <MetricCards metrics={metrics} htmx={htmx} />
    </div>
    <p class="hint">
      Feed it from your own systems with <code>POST /api/metrics</code>, or run <code>npm run demo:feed</code>.
    </p>
  </Layout>
);
