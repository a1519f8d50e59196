import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** SESSION_SECRET, or one generated once into data/ so identities survive restarts (SPEC §2). */
export function loadSessionSecret(configured: string | undefined, file = 'data/session-secret'): string {
  if (configured) return configured;
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  console.warn(`SESSION_SECRET is not set: generated one into ${file}. Set SESSION_SECRET when running more than one instance.`);
  return secret;
}
