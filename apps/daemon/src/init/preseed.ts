/**
 * LXD's init preseed (`lxd init --preseed`), as YAML: server config, networks, storage pools,
 * profiles, and the cluster section (bootstrap, or join with a token or the trust password).
 * Parsed strictly: an unknown key or a wrong type is an error naming it.
 */
import * as fs from 'node:fs';
import YAML from 'yaml';

export interface PreseedEntity {
  name: string;
  description?: string;
  config?: Record<string, string>;
}

export interface PreseedNetwork extends PreseedEntity {
  type?: string;
  project?: string;
}

export interface PreseedStoragePool extends PreseedEntity {
  driver: string;
}

export interface PreseedProfile extends PreseedEntity {
  devices?: Record<string, Record<string, string>>;
}

export interface PreseedMemberConfig {
  entity: string;
  name: string;
  key: string;
  value: string;
  description?: string;
}

export interface PreseedCluster {
  server_name?: string;
  enabled?: boolean;
  server_address?: string;
  cluster_address?: string;
  cluster_certificate?: string;
  cluster_certificate_path?: string;
  cluster_token?: string;
  cluster_password?: string;
  member_config?: PreseedMemberConfig[];
}

export interface Preseed {
  config?: Record<string, string>;
  networks?: PreseedNetwork[];
  storage_pools?: PreseedStoragePool[];
  profiles?: PreseedProfile[];
  cluster?: PreseedCluster;
}

export class PreseedError extends Error {
  constructor(message: string) {
    super(`Invalid preseed: ${message}`);
    this.name = 'PreseedError';
  }
}

type Obj = Record<string, unknown>;

function object(v: unknown, where: string): Obj {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new PreseedError(`${where} must be a mapping`);
  return v as Obj;
}

function only(o: Obj, keys: readonly string[], where: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new PreseedError(`unknown key "${k}" in ${where}`);
}

function string(v: unknown, where: string, required = false): string | undefined {
  if (v === undefined || v === null) {
    if (required) throw new PreseedError(`${where} is required`);
    return undefined;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') throw new PreseedError(`${where} must be a string`);
  return v;
}

function stringMap(v: unknown, where: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  const o = object(v, where);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(o)) out[k] = string(val, `${where}.${k}`, true)!;
  return out;
}

function list(v: unknown, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new PreseedError(`${where} must be a list`);
  return v;
}

export function parsePreseed(text: string, readFile: (p: string) => string = (p) => fs.readFileSync(p, 'utf8')): Preseed {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new PreseedError(`not YAML: ${(err as Error).message}`);
  }
  const root = object(doc, 'the preseed');
  only(root, ['config', 'networks', 'storage_pools', 'profiles', 'cluster', 'projects'], 'the preseed');
  if (root.projects !== undefined && list(root.projects, 'projects').length > 0) throw new PreseedError('projects other than the default one are not supported');
  const out: Preseed = {};
  if (root.config !== undefined) out.config = stringMap(root.config, 'config');
  out.networks = list(root.networks, 'networks').map((n, i) => {
    const o = object(n, `networks[${i}]`);
    only(o, ['name', 'type', 'description', 'config', 'project'], `networks[${i}]`);
    return { name: string(o.name, `networks[${i}].name`, true)!, type: string(o.type, `networks[${i}].type`), description: string(o.description, `networks[${i}].description`), config: stringMap(o.config, `networks[${i}].config`), project: string(o.project, `networks[${i}].project`) };
  });
  out.storage_pools = list(root.storage_pools, 'storage_pools').map((p, i) => {
    const o = object(p, `storage_pools[${i}]`);
    only(o, ['name', 'driver', 'description', 'config'], `storage_pools[${i}]`);
    return { name: string(o.name, `storage_pools[${i}].name`, true)!, driver: string(o.driver, `storage_pools[${i}].driver`, true)!, description: string(o.description, `storage_pools[${i}].description`), config: stringMap(o.config, `storage_pools[${i}].config`) };
  });
  out.profiles = list(root.profiles, 'profiles').map((p, i) => {
    const o = object(p, `profiles[${i}]`);
    only(o, ['name', 'description', 'config', 'devices'], `profiles[${i}]`);
    const devices: Record<string, Record<string, string>> = {};
    for (const [name, dev] of Object.entries(object(o.devices, `profiles[${i}].devices`))) devices[name] = stringMap(dev, `profiles[${i}].devices.${name}`) ?? {};
    return { name: string(o.name, `profiles[${i}].name`, true)!, description: string(o.description, `profiles[${i}].description`), config: stringMap(o.config, `profiles[${i}].config`), devices };
  });
  if (root.cluster !== undefined && root.cluster !== null) {
    const c = object(root.cluster, 'cluster');
    only(c, ['server_name', 'enabled', 'server_address', 'cluster_address', 'cluster_certificate', 'cluster_certificate_path', 'cluster_token', 'cluster_password', 'member_config'], 'cluster');
    if (c.enabled !== undefined && typeof c.enabled !== 'boolean') throw new PreseedError('cluster.enabled must be true or false');
    const cluster: PreseedCluster = {
      server_name: string(c.server_name, 'cluster.server_name'),
      enabled: c.enabled as boolean | undefined,
      server_address: string(c.server_address, 'cluster.server_address'),
      cluster_address: string(c.cluster_address, 'cluster.cluster_address'),
      cluster_certificate: string(c.cluster_certificate, 'cluster.cluster_certificate'),
      cluster_certificate_path: string(c.cluster_certificate_path, 'cluster.cluster_certificate_path'),
      cluster_token: string(c.cluster_token, 'cluster.cluster_token'),
      cluster_password: string(c.cluster_password, 'cluster.cluster_password'),
      member_config: list(c.member_config, 'cluster.member_config').map((m, i) => {
        const o = object(m, `cluster.member_config[${i}]`);
        only(o, ['entity', 'name', 'key', 'value', 'description'], `cluster.member_config[${i}]`);
        return {
          entity: string(o.entity, `cluster.member_config[${i}].entity`, true)!,
          name: string(o.name, `cluster.member_config[${i}].name`, true)!,
          key: string(o.key, `cluster.member_config[${i}].key`, true)!,
          value: string(o.value, `cluster.member_config[${i}].value`, true)!,
          description: string(o.description, `cluster.member_config[${i}].description`),
        };
      }),
    };
    if (cluster.cluster_certificate_path && !cluster.cluster_certificate) {
      try {
        cluster.cluster_certificate = readFile(cluster.cluster_certificate_path);
      } catch (err) {
        throw new PreseedError(`cannot read cluster.cluster_certificate_path ${cluster.cluster_certificate_path}: ${(err as Error).message}`);
      }
    }
    if (cluster.enabled && !cluster.server_name) throw new PreseedError('cluster.server_name is required to enable clustering');
    if (cluster.cluster_token && cluster.cluster_password) throw new PreseedError('give either cluster.cluster_token or cluster.cluster_password, not both');
    out.cluster = cluster;
  }
  return out;
}

/** Whether the preseed joins an existing cluster (rather than bootstrapping one). */
export function joins(p: Preseed): boolean {
  return !!p.cluster?.enabled && !!(p.cluster.cluster_token || p.cluster.cluster_address);
}
