import type { PresenceReads } from '../ports/presence.ts';

/** Users connected anywhere right now: every presence topic (rooms, lobbies and SSE streams). */
export async function onlineUserIds(platform: { presence: PresenceReads }): Promise<string[]> {
  const users = new Set<string>();
  for (const topic of (await platform.presence.counts()).keys()) {
    for (const entry of await platform.presence.list(topic)) users.add(entry.userId);
  }
  return [...users];
}
