import { ID_PATTERN, type Limits } from '../config.ts';
import type { MetricPoint, NotificationLevel } from '../ports/store.ts';
import type { MetricInput } from '../realtime/metric-board.tsx';

type MetricFormat = MetricPoint['format'];

/** Every failure is a sentence naming the field, sent as `{"error": "..."}` (SPEC §5). */
export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const shown = (v: unknown) => JSON.stringify(v)?.slice(0, 80) ?? String(v);

function unknownField(body: Record<string, unknown>, allowed: readonly string[], prefix: string): string | null {
  const extra = Object.keys(body).find((key) => !allowed.includes(key));
  return extra === undefined ? null : `unknown field "${prefix}${extra}"; allowed: ${allowed.join(', ')}`;
}

function readId(body: Record<string, unknown>, field: string, label = field): Checked<string> {
  const value = body[field];
  if (value === undefined) return fail(`"${label}" is required`);
  if (typeof value !== 'string') return fail(`"${label}" must be a string, got ${shown(value)}`);
  if (!ID_PATTERN.test(value)) return fail(`"${label}" must be 1–64 characters of a-z, 0-9, _ and -, got ${shown(value)}`);
  return ok(value);
}

function readText(body: Record<string, unknown>, field: string, max: number): Checked<string> {
  const value = body[field];
  if (value === undefined) return fail(`"${field}" is required`);
  if (typeof value !== 'string') return fail(`"${field}" must be a string, got ${shown(value)}`);
  const text = value.trim();
  if (text.length === 0) return fail(`"${field}" is empty`);
  if (text.length > max) return fail(`"${field}" is ${text.length} characters long; the limit is ${max}`);
  return ok(text);
}

function readEnum<T extends string>(body: Record<string, unknown>, field: string, values: readonly T[]): Checked<T | undefined> {
  const value = body[field];
  if (value === undefined) return ok(undefined);
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
    return fail(`"${field}" must be one of ${values.map((v) => `"${v}"`).join(', ')}, got ${shown(value)}`);
  }
  return ok(value as T);
}

const METRIC_FIELDS = ['name', 'value', 'label', 'format'] as const;
const FORMATS: readonly MetricFormat[] = ['integer', 'currency', 'percent'];

function readMetric(raw: unknown, prefix: string, limits: Limits, reserved: (name: string) => string | null): Checked<MetricInput> {
  if (!isObject(raw)) return fail(`${prefix ? `"${prefix.slice(0, -1)}"` : 'the body'} must be a JSON object like {"name": "orders-today", "value": 42}`);
  const extra = unknownField(raw, METRIC_FIELDS, prefix);
  if (extra) return fail(extra);
  const name = readId(raw, 'name', `${prefix}name`);
  if (!name.ok) return name;
  const why = reserved(name.value);
  if (why) return fail(`"${prefix}name" "${name.value}" is reserved: ${why}`);
  const value = raw.value;
  if (value === undefined) return fail(`"${prefix}value" is required`);
  if (typeof value !== 'number' || !Number.isFinite(value)) return fail(`"${prefix}value" must be a finite number, got ${shown(value)}`);
  if (Math.abs(value) > limits.maxMetricMagnitude) {
    return fail(`"${prefix}value" must be between -${limits.maxMetricMagnitude} and ${limits.maxMetricMagnitude}, got ${shown(value)}`);
  }
  let label: string | undefined;
  if (raw.label !== undefined) {
    const checked = readText(raw, 'label', limits.maxLabelChars);
    if (!checked.ok) return fail(checked.error.replace('"label"', `"${prefix}label"`));
    label = checked.value;
  }
  const format = readEnum(raw, 'format', FORMATS);
  if (!format.ok) return fail(format.error.replace('"format"', `"${prefix}format"`));
  return ok({ name: name.value, value, label, format: format.value });
}

/** `{"name","value","label"?,"format"?}` or `{"metrics":[…]}`. */
export function readMetrics(body: unknown, limits: Limits, reserved: (name: string) => string | null): Checked<MetricInput[]> {
  if (!isObject(body) || !('metrics' in body)) {
    const one = readMetric(body, '', limits, reserved);
    return one.ok ? ok([one.value]) : one;
  }
  const extra = unknownField(body, ['metrics'], '');
  if (extra) return fail(extra);
  const list = body.metrics;
  if (!Array.isArray(list)) return fail(`"metrics" must be an array of metric objects, got ${shown(list)}`);
  if (list.length === 0) return fail('"metrics" is empty');
  if (list.length > limits.maxMetricBatch) return fail(`"metrics" has ${list.length} entries; the limit is ${limits.maxMetricBatch}`);
  const metrics: MetricInput[] = [];
  for (const [i, item] of list.entries()) {
    const one = readMetric(item, `metrics[${i}].`, limits, reserved);
    if (!one.ok) return one;
    metrics.push(one.value);
  }
  return ok(metrics);
}

export type NotifyInput = { to: { user: string } | { all: true }; text: string; level: NotificationLevel };

const USER_ID = /^[A-Za-z0-9_.@:-]{1,64}$/;
const LEVELS: readonly NotificationLevel[] = ['info', 'success', 'warning', 'error'];

/** `{"user": ID | "all": true, "text", "level"?}`. */
export function readNotify(body: unknown, limits: Limits): Checked<NotifyInput> {
  if (!isObject(body)) return fail('the body must be a JSON object like {"user": "ID", "text": "..."}');
  const extra = unknownField(body, ['user', 'all', 'text', 'level'], '');
  if (extra) return fail(extra);
  if (body.user !== undefined && body.all !== undefined) return fail('give either "user" or "all", not both');
  let to: NotifyInput['to'];
  if (body.all !== undefined) {
    if (body.all !== true) return fail(`"all" must be true, got ${shown(body.all)}`);
    to = { all: true };
  } else {
    if (body.user === undefined) return fail('"user" is required (a user id, shown on /notifications), or "all": true');
    if (typeof body.user !== 'string') return fail(`"user" must be a string, got ${shown(body.user)}`);
    if (!USER_ID.test(body.user)) return fail(`"user" must be a user id (as shown on /notifications), got ${shown(body.user)}`);
    to = { user: body.user };
  }
  const text = readText(body, 'text', limits.maxMessageChars);
  if (!text.ok) return text;
  const level = readEnum(body, 'level', LEVELS);
  if (!level.ok) return level;
  return ok({ to, text: text.value, level: level.value ?? 'info' });
}

/** `{"name","text"}` of a bot message. */
export function readBotMessage(body: unknown, limits: Limits): Checked<{ name: string; text: string }> {
  if (!isObject(body)) return fail('the body must be a JSON object like {"name": "deploy-bot", "text": "..."}');
  const extra = unknownField(body, ['name', 'text'], '');
  if (extra) return fail(extra);
  const name = readId(body, 'name');
  if (!name.ok) return name;
  const text = readText(body, 'text', limits.maxMessageChars);
  if (!text.ok) return text;
  return ok({ name: name.value, text: text.value });
}

/** `PUT /api/rooms/:room`: `{"private": true|false}`. */
export function readRoomSettings(body: unknown): Checked<{ private: boolean }> {
  if (!isObject(body)) return fail('the body must be a JSON object like {"private": true}');
  const extra = unknownField(body, ['private'], '');
  if (extra) return fail(extra);
  if (typeof body.private !== 'boolean') return fail(`"private" must be true or false, got ${shown(body.private)}`);
  return ok({ private: body.private });
}
