/**
 * Runs `listener` when the platform begins shutting down. One abort listener per signal however
 * many streams are open (thousands of listeners on one AbortSignal would each cost a slot).
 */
const listeners = new WeakMap<AbortSignal, Set<() => void>>();

export function whenClosing(signal: AbortSignal, listener: () => void): () => void {
  if (signal.aborted) {
    listener();
    return () => {};
  }
  let set = listeners.get(signal);
  if (!set) {
    const fresh = new Set<() => void>();
    listeners.set(signal, (set = fresh));
    signal.addEventListener('abort', () => {
      for (const run of [...fresh]) run();
      fresh.clear();
    }, { once: true });
  }
  set.add(listener);
  return () => void set.delete(listener);
}
