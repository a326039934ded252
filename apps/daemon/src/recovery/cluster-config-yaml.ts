/**
 * The cluster configuration as `lxd cluster edit` shows it:
 *
 *     members:
 *     - id: 1
 *       name: m1
 *       address: 10.0.0.1:8443
 *       role: voter
 *
 * one entry per Raft member (`name` left out when unknown), roles spelled voter, stand-by, spare.
 * Parsing checks the form of every entry; validateClusterConfig checks the entries against the
 * current configuration.
 */
import YAML from 'yaml';
import type { RaftNodeInfo, RaftNodeRole } from '@app/db';
import { yamlDocument } from '../../../cli/src/render';
import { clusterAddressProblem } from './cluster-address';
import { ClusterConfigError } from './cluster-config-error';
import { parseRaftRoleName, RAFT_ROLE_NAMES, raftRoleName, type RaftRoleName } from './raft-role-names';

/** One member as written in the YAML. */
export interface ClusterConfigMember {
  id: number;
  name: string;
  address: string;
  role: RaftNodeRole;
}

interface YamlMember {
  id: number;
  name?: string;
  address: string;
  role: RaftRoleName;
}

const MEMBER_KEYS = new Set(['id', 'name', 'address', 'role']);

export function clusterConfigYaml(nodes: readonly RaftNodeInfo[]): string {
  const members = [...nodes]
    .sort((a, b) => a.id - b.id)
    .map((n): YamlMember => ({ id: n.id, ...(n.name ? { name: n.name } : {}), address: n.address, role: raftRoleName(n.role) }));
  return yamlDocument({ members });
}

/** Reads the YAML; throws ClusterConfigError listing every problem of form. */
export function parseClusterConfigYaml(text: string): ClusterConfigMember[] {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new ClusterConfigError([`the YAML cannot be read: ${(err as Error).message.trim()}`]);
  }
  if (!isMapping(doc) || !('members' in doc)) throw new ClusterConfigError(['the configuration has no "members" list']);
  const problems: string[] = [];
  for (const key of Object.keys(doc)) if (key !== 'members') problems.push(`unknown key "${key}" (only "members" is known)`);
  const list = doc.members;
  if (!Array.isArray(list)) throw new ClusterConfigError([...problems, '"members" is not a list']);
  const members: ClusterConfigMember[] = [];
  list.forEach((item: unknown, i) => {
    const member = parseMember(item, i + 1, problems);
    if (member) members.push(member);
  });
  if (problems.length > 0) throw new ClusterConfigError(problems);
  return members;
}

function parseMember(item: unknown, position: number, problems: string[]): ClusterConfigMember | undefined {
  if (!isMapping(item)) {
    problems.push(`member #${position} is not a mapping of id, name, address and role`);
    return undefined;
  }
  const { id, name, address, role } = item;
  const validId = typeof id === 'number' && Number.isSafeInteger(id) && id > 0;
  const label = validId ? `member ${id}` : `member #${position}`;
  const before = problems.length;
  for (const key of Object.keys(item)) if (!MEMBER_KEYS.has(key)) problems.push(`${label}: unknown key "${key}"`);
  if (id === undefined || id === null) problems.push(`${label}: the id is missing`);
  else if (!validId) problems.push(`${label}: the id ${JSON.stringify(id)} is not a positive integer`);
  if (name !== undefined && name !== null && typeof name !== 'string') problems.push(`${label}: the name must be a string`);
  if (address === undefined || address === null || address === '') problems.push(`${label}: the address is missing`);
  else if (typeof address !== 'string') problems.push(`${label}: the address must be a string, as host:port`);
  else {
    const problem = clusterAddressProblem(address);
    if (problem) problems.push(`${label}: invalid address "${address}": ${problem}`);
  }
  const parsedRole = typeof role === 'string' ? parseRaftRoleName(role) : undefined;
  if (role === undefined || role === null) problems.push(`${label}: the role is missing (${RAFT_ROLE_NAMES.join(', ')})`);
  else if (parsedRole === undefined) problems.push(`${label}: unknown role ${JSON.stringify(role)} (expected ${RAFT_ROLE_NAMES.join(', ')})`);
  if (problems.length > before) return undefined;
  return { id: id as number, name: typeof name === 'string' ? name : '', address: address as string, role: parsedRole! };
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
