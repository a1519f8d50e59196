import type { Limits } from '../config.ts';
import type { HtmxMajor } from '../ports/fragment.ts';

/** What a form sends over the socket: its fields, plus htmx's request headers (left unread). */
export type SocketInput = Record<string, unknown>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Where each htmx major puts its request headers in a `ws-send`/`hx-ws:send` message (SPEC §8):
 * htmx 2's ws extension sends `"HEADERS"`, htmx 4's hx-ws sends `"headers"`.
 */
const HEADER_FIELDS: Record<string, HtmxMajor> = { HEADERS: 2, headers: 4 };

/** The major a message shows by its headers field; null when it has none (a script, not htmx). */
export function majorOfInput(input: SocketInput): HtmxMajor | null {
  for (const [field, major] of Object.entries(HEADER_FIELDS)) {
    if (Object.hasOwn(input, field)) return major;
  }
  return null;
}

/** Parses one text frame; every failure is a sentence the user can act on. */
export function parseSocketInput(data: unknown, allowedFields: readonly string[]): Parsed<SocketInput> {
  if (typeof data !== 'string') return { ok: false, error: 'Binary messages are not accepted; send the form.' };
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, error: 'That message was not valid JSON.' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'Send a JSON object such as {"message": "hello"}.' };
  }
  const keys = Object.keys(value);
  for (const key of keys) {
    if (!(key in HEADER_FIELDS) && !allowedFields.includes(key)) return { ok: false, error: `Unknown field "${key}".` };
  }
  const headers = keys.filter((key) => key in HEADER_FIELDS);
  if (headers.length > 1) return { ok: false, error: 'Send either "HEADERS" (htmx 2) or "headers" (htmx 4), not both.' };
  for (const key of headers) {
    const field = (value as Record<string, unknown>)[key];
    if (typeof field !== 'object' || field === null || Array.isArray(field)) {
      return { ok: false, error: `The "${key}" field must be an object of request headers.` };
    }
  }
  return { ok: true, value: value as SocketInput };
}

/** Reads the `message` field: a string of 1–maxMessageChars characters after trimming. */
export function readMessageText(input: SocketInput, limits: Limits): Parsed<string> {
  const raw = input.message;
  if (raw === undefined) return { ok: false, error: 'The "message" field is missing.' };
  if (typeof raw !== 'string') return { ok: false, error: 'The "message" field must be text.' };
  const text = raw.trim();
  if (text.length === 0) return { ok: false, error: 'The message is empty.' };
  if (text.length > limits.maxMessageChars) {
    return { ok: false, error: `The message is ${text.length} characters long; the limit is ${limits.maxMessageChars}.` };
  }
  return { ok: true, value: text };
}
