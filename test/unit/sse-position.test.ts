import { describe, expect, it } from 'vitest';
import { formatPositions, parsePositions } from '../../app/realtime/sse-position.ts';

describe('SPEC 4.6 composite event ids', () => {
  it('round-trips the position of every topic', () => {
    const positions = new Map([
      ['rooms', 1732400000000123],
      ['dashboard', 1732400000000456],
      ['user', 42],
    ]);
    const id = formatPositions(positions);
    expect(id).toBe('rooms:1732400000000123,dashboard:1732400000000456,user:42');
    expect(parsePositions(id)).toEqual(positions);
  });

  it('ignores malformed parts and over-long ids instead of trusting them', () => {
    expect(parsePositions('rooms:12,bogus,user:-1,dashboard:1e9,x:99999999999999999999')).toEqual(new Map([['rooms', 12]]));
    expect(parsePositions('rooms:1,'.repeat(100))).toEqual(new Map());
    expect(parsePositions(undefined)).toEqual(new Map());
    expect(parsePositions('')).toEqual(new Map());
  });
});
