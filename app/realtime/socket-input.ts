import type { Limits } from '../config.ts';

/** What `ws-send` sends: the form's fields plus htmx's HEADERS. */
export type SocketInput = Record<string, unknown>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

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
  for (const key of Object.keys(value)) {
    if (key !== 'HEADERS' && !allowedFields.includes(key)) return { ok: false, error: `Unknown field "${key}".` };
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
