/**
 * One SSE stream merges several topics, so its event id records where it is in each of them:
 * `rooms:1732400000000123,dashboard:1732400000000456,user:42`. A reconnect hands the last id back
 * (Last-Event-ID header or ?lastEventId=) and every topic resumes from its own position.
 */
export type Positions = Map<string, number>;

const MAX_ID_CHARS = 512;
const PART = /^([a-z]{1,16}):(\d{1,20})$/;

export function formatPositions(positions: Positions): string {
  return [...positions].map(([key, position]) => `${key}:${position}`).join(',');
}

/** Reads an id sent back by a client; anything malformed is ignored, so that topic starts afresh. */
export function parsePositions(raw: string | null | undefined): Positions {
  const positions: Positions = new Map();
  if (!raw || raw.length > MAX_ID_CHARS) return positions;
  for (const part of raw.split(',')) {
    const match = PART.exec(part.trim());
    if (!match) continue;
    const value = Number(match[2]);
    if (Number.isSafeInteger(value)) positions.set(match[1]!, value);
  }
  return positions;
}
