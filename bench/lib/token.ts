/**
 * Every bench message carries `bench:PHASE:SEQ:SENT_AT` (SENT_AT from `now()`), so a load client reads
 * the send time out of the fragment it received: no side channel, nothing the server could skew.
 */
export const TOKEN = /bench:(\d+):(\d+):(\d+(?:\.\d+)?)/;

export function benchText(phase: number, seq: number, sentAt: number, size: number): string {
  return `bench:${phase}:${seq}:${sentAt.toFixed(3)} `.padEnd(size, 'x');
}
