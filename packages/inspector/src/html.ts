/** HTML that is safe to send: built only by `html`, which escapes every value it is given. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Control and format characters other than newline and tab: shown as `\u{202E}`, so the page
 * shows what was signed (a right-to-left override would otherwise draw `gnp.exe` as `exe.png`).
 */
const INVISIBLE = /(?![\n\t])[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/** Escapes text for HTML content and quoted attribute values; invisible characters are spelled out. */
export const escape = (value: string): string =>
  value
    .replace(INVISIBLE, (char) => `\\u{${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}}`)
    .replace(/[&<>"']/g, (char) => ESCAPES[char]!);

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escape(String(value));
}

/**
 * A template tag: `html\`<td>${payload}</td>\`` escapes `payload` (a CRM's signed body may
 * hold `<script>`); nested `html` fragments and arrays of them are kept as they are.
 */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let text = strings[0]!;
  values.forEach((value, index) => (text += render(value) + strings[index + 1]!));
  return new Html(text);
}
