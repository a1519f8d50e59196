/** Secrets of the throwaway servers the bench starts; never used outside bench/. */
export const BENCH_SECRET = 'bench-session-secret-0123456789';
export const BENCH_TOKEN = 'bench-api-token-0123456789';
