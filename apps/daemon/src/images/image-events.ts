/** The `source` of image lifecycle events: the entity's URL, with `?project=` outside the default project. */
function withProject(url: string, project: string): string {
  return project === 'default' ? url : `${url}?project=${encodeURIComponent(project)}`;
}

export function imageSource(fingerprint: string, project: string): string {
  return withProject(`/1.0/images/${fingerprint}`, project);
}

export function aliasSource(name: string, project: string): string {
  return withProject(`/1.0/images/aliases/${encodeURIComponent(name)}`, project);
}
