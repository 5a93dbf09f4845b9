/** Longest delivery id, event name, tenant or indexed record id, in UTF-16 units: at most 1,500 UTF-8 bytes, inside Postgres' index entries (about 2,700). */
export const MAX_KEY_LENGTH = 500;

const CONTROL_CHARACTER = /[\u0000-\u001f]/;

/** Whether every store can key on this text: not longer than `MAX_KEY_LENGTH`, no control character (Postgres cannot keep U+0000). */
export function isStorableKey(text: string): boolean {
  return text.length <= MAX_KEY_LENGTH && !CONTROL_CHARACTER.test(text);
}
