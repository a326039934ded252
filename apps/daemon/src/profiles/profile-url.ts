/**
 * A profile's API URL. Profile names may hold any character but a slash (as in LXD), so the name is
 * escaped as one path segment; a project other than the default one is named in the query.
 */
export function profileUrl(name: string, project?: string): string {
  const query = project === undefined || project === 'default' ? '' : `?project=${encodeURIComponent(project)}`;
  return `/1.0/profiles/${encodeURIComponent(name)}${query}`;
}
