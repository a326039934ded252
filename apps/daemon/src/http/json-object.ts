/**
 * Whether `value` is a JSON object: not null, not an array (`typeof [] === 'object'`, and a PUT of
 * `[]` taken as an object with no fields would replace everything with nothing).
 */
export function isJsonObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
