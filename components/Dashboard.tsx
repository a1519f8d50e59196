import type { FC } from 'hono/jsx';
import type { MetricPoint } from '../app/store/store.ts';
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

/** The polyline points of a sparkline: oldest value on the left, scaled to the series' own range. */
export function sparklinePoints(values: number[]): string {
  if (values.length === 0) return '';
  const min = Math.min(...values);
  const range = Math.max(...values) - min;
  const y = (v: number) => (range === 0 ? HEIGHT / 2 : HEIGHT - 1 - ((v - min) / range) * (HEIGHT - 2));
  const step = values.length > 1 ? WIDTH / (values.length - 1) : 0;
  const points = values.map((v, i) => `${+(i * step).toFixed(2)},${+y(v).toFixed(2)}`);
  if (values.length === 1) points.push(`${WIDTH},${+y(values[0]!).toFixed(2)}`);
  return points.join(' ');
}

/** Server-rendered inline SVG; styled from app.css (the CSP allows no inline styles). */
export const Sparkline: FC<{ values: number[]; format: MetricFormat }> = ({ values, format }) => {
  const label = values.length
    ? `${values.length} recent value${values.length === 1 ? "" : "s"}, from ${formatMetric(Math.min(...values), format)} to ${formatMetric(Math.max(...values), format)}`
    : 'No values yet';
  return (
    <svg class="sparkline" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={label}>
      <polyline points={sparklinePoints(values)} vector-effect="non-scaling-stroke" />
    </svg>
  );
};

export interface MetricView {
  name: string;
  label: string;
  format: MetricFormat;
  /** Recent values, oldest first. */
  values: number[];
}

/** The data of one `NAME` event: the value and its sparkline. */
export const MetricValue: FC<{ metric: MetricView }> = ({ metric }) => (
  <>
    <span class="metric">{metric.values.length ? formatMetric(metric.values.at(-1)!, metric.format) : '–'}</span>
    <Sparkline values={metric.values} format={metric.format} />
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
    <h1>Dashboard</h1>
    <div id="metric-cards" class="metrics" {...sseSwap(htmx, 'dashboard')}>
      <MetricCards metrics={metrics} htmx={htmx} />
    </div>
    <p class="hint">
      Feed it from your own systems with <code>POST /api/metrics</code>, or run <code>npm run demo:feed</code>.
    </p>
  </Layout>
);
