/**
 * The project whose images a request sees: the project itself when its `features.images` is
 * true, else `default`, as in LXD. An unknown project is a 404.
 */
import type { ConsistentReader } from '@app/db';
import { notFound } from '../http/lxd-error';

export function requestedProject(project: string | undefined): string {
  return project === undefined || project === '' ? 'default' : project;
}

export async function imageProjectOf(reader: ConsistentReader, project: string | undefined): Promise<string> {
  const name = requestedProject(project);
  const rows = await reader.query<{ images: string | null }>(
    `SELECT (SELECT value FROM projects_config c WHERE c.project_id = p.id AND c.key = 'features.images') AS images FROM projects p WHERE p.name = ?`,
    [name],
  );
  if (!rows[0]) throw notFound('Project not found');
  return rows[0].images === 'true' ? name : 'default';
}
