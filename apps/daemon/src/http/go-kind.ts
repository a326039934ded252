/**
 * The kind Go's reflection gives a value decoded from JSON, as LXD's errors name it ("cannot set
 * 'user.x': invalid type bool").
 */
export function goKind(value: unknown): string {
  if (value === null || value === undefined) return 'invalid';
  if (typeof value === 'number') return 'float64';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'string';
  return Array.isArray(value) ? 'slice' : 'map';
}
