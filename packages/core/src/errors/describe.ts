/**
 * A one-line description of anything a handler or a store may throw. Never throws itself:
 * `String()` fails on `Object.create(null)` and on objects whose `toString` throws.
 */
export function describeThrown(value: unknown): string {
  try {
    if (value instanceof Error) return value.message || value.name;
    return String(value);
  } catch {
    return `a value that cannot be converted to text (${Object.prototype.toString.call(value)})`;
  }
}
