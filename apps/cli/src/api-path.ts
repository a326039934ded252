/**
 * An API path with query parameters added the way LXD's Go client adds them: parameters already in `path` win,
 * and the query is written with its keys sorted (url.Values.Encode). Parameters whose value is undefined are
 * left out.
 */
export function withQuery(path: string, params: Record<string, string | undefined>): string {
  const [base, query = ''] = splitQuery(path);
  const merged = new URLSearchParams(query);
  let changed = false;
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || merged.has(key)) continue;
    merged.set(key, value);
    changed = true;
  }
  if (!changed) return path;
  merged.sort();
  return `${base}?${merged.toString()}`;
}

/** `path` without its query string (`/1.0/operations/x?project=default` → `/1.0/operations/x`). */
export function withoutQuery(path: string): string {
  return splitQuery(path)[0];
}

/** A path segment with everything but unreserved characters percent-encoded, as url.PathEscape does. */
export function pathSegment(name: string): string {
  return encodeURIComponent(name);
}

function splitQuery(path: string): [string, string | undefined] {
  const i = path.indexOf('?');
  return i < 0 ? [path, undefined] : [path.slice(0, i), path.slice(i + 1)];
}
