import { describe, expect, it } from 'vitest';
import { whenClosing } from '../../app/realtime/closing.ts';

describe('SPEC 6 shutdown ends streams', () => {
  it('runs every registered listener once on abort, not the ones removed, and at once when already aborted', () => {
    const lifecycle = new AbortController();
    const ran: string[] = [];
    whenClosing(lifecycle.signal, () => ran.push('a'));
    const stop = whenClosing(lifecycle.signal, () => ran.push('b'));
    whenClosing(lifecycle.signal, () => ran.push('c'));
    stop();
    lifecycle.abort();
    lifecycle.abort();
    expect(ran).toEqual(['a', 'c']);
    whenClosing(lifecycle.signal, () => ran.push('late'));
    expect(ran).toEqual(['a', 'c', 'late']);
  });
});
