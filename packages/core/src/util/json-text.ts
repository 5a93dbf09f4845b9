const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/** The index just past the string that opens at `start` (a quote) in JSON text. */
function skipString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === BACKSLASH) i += 1;
    else if (code === QUOTE) return i + 1;
  }
  return text.length;
}

/** Whether `text` holds more than `limit` brackets that open: if not, it cannot nest deeper than `limit`. */
function opensMoreThan(text: string, limit: number): boolean {
  let count = 0;
  for (const bracket of ['{', '[']) {
    for (let at = text.indexOf(bracket); at !== -1; at = text.indexOf(bracket, at + 1)) if ((count += 1) > limit) return true;
  }
  return false;
}

/**
 * Whether JSON text nests objects and arrays more than `limit` deep. Reads until it knows, no
 * further; a body with few brackets (any single CRM event) is cleared by a native search alone.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  if (!opensMoreThan(text, limit)) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) i = skipString(text, i) - 1;
    else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      if ((depth += 1) > limit) return true;
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) depth -= 1;
  }
  return false;
}

/**
 * The exact text of each item of a JSON array (valid JSON, as `JSON.parse` accepted it), for
 * what parsing loses: integers past 2^53, and the bytes an item was signed as.
 */
export function arrayItemTexts(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) i = skipString(text, i) - 1;
    else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      depth += 1;
      if (depth === 1) start = i + 1;
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      depth -= 1;
      if (depth === 0) items.push(text.slice(start, i).trim());
    } else if (code === COMMA && depth === 1) {
      items.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  return items.length === 1 && items[0] === '' ? [] : items;
}
