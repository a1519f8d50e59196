import { ID_PATTERN } from './config.ts';

/** Names people and rooms go by: room names and ids (SPEC §1), display names (SPEC §3). */

/** Room names are folded to lower case, then must match ID_PATTERN. */
export function roomName(raw: string): string | null {
  const name = raw.toLowerCase();
  return ID_PATTERN.test(name) ? name : null;
}

/** Bidi embeddings, overrides, isolates and marks: they reorder the text around a name (Trojan Source). */
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
/** What renders as nothing: spaces, default-ignorables (zero-width, Hangul fillers, variation selectors), marks, braille blank. */
const INVISIBLE = /[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cf}\p{M}\u2800]/gu;

/** Display names (SPEC §3, §6): 1–32 characters after trimming; control, bidi and invisible-only text is refused. */
export function validateName(raw: unknown, max: number): { ok: true; name: string } | { ok: false; error: string } {
  if (typeof raw !== 'string') return { ok: false, error: 'Enter a name.' };
  const name = raw.trim();
  if (name.length === 0) return { ok: false, error: 'Enter a name.' };
  if (name.length > max) return { ok: false, error: `Names are at most ${max} characters.` };
  if (/[\p{Cc}\p{Zl}\p{Zp}\p{Cs}]/u.test(name)) return { ok: false, error: 'Names cannot contain control characters.' };
  if (BIDI.test(name)) return { ok: false, error: 'Names cannot contain text-direction controls (they reorder the text around them).' };
  if (name.replace(INVISIBLE, '') === '') return { ok: false, error: 'Names need at least one visible character.' };
  return { ok: true, name };
}
