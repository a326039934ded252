/**
 * This member's side of the storage pools: where each pool lives on its disk (the member-specific
 * `source`, by default `<state dir>/storage-pools/<name>`), the `dir` pool objects over those
 * directories, and the member's row for every pool of the cluster (a member that joins gets one for
 * each existing pool, with the source its join request gave or the default).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { DirStoragePool, NodeCommandRunner } from '@app/runtime';
import { MemberIdentity } from '../identity/member-identity';
import { StateDir } from '../identity/state-dir';
import { badRequest, notFound } from '../http/lxd-error';
import { POOL_CREATED, StoragePoolRecord, StoragePoolStore } from './storage-pool-store';

@Injectable()
export class LocalPools {
  private readonly logger = new Logger('Storage');
  private readonly runner = new NodeCommandRunner();
  private readonly opened = new Map<string, DirStoragePool>();
  /** Sources given by a join request's member_config, applied once the member is in. */
  private pendingSources = new Map<string, string>();

  constructor(
    private readonly store: StoragePoolStore,
    private readonly identity: MemberIdentity,
    private readonly stateDir: StateDir,
  ) {
    this.identity.onRefresh(() => this.adoptClusterPools());
  }

  defaultSource(name: string): string {
    return path.join(this.stateDir.path, 'storage-pools', name);
  }

  /** This member's source for the pool. */
  sourceOf(pool: StoragePoolRecord): string {
    return pool.memberConfig.get(this.identity.node.id)?.source || this.defaultSource(pool.name);
  }

  /** Creates (or checks) the pool's directory on this member. */
  prepare(source: string): void {
    if (!path.isAbsolute(source)) throw badRequest(`Invalid source "${source}": a dir pool's source must be an absolute path`);
    try {
      fs.mkdirSync(source, { recursive: true, mode: 0o711 });
      fs.chmodSync(source, 0o711);
      fs.accessSync(source, fs.constants.W_OK);
    } catch (err) {
      throw badRequest(`Failed to create the storage pool directory "${source}": ${(err as Error).message}`);
    }
    // Unprivileged containers (a mapped uid) must be able to traverse to their root filesystems.
    for (let dir = path.dirname(source); ; dir = path.dirname(dir)) {
      if ((fs.statSync(dir).mode & 0o001) === 0) {
        throw badRequest(`The storage pool directory "${source}" is not reachable by unprivileged containers: grant everybody search permission on ${dir} (chmod o+x)`);
      }
      if (dir === path.dirname(dir)) break;
    }
  }

  /** The pool on this member, ready for volumes. */
  async open(name: string): Promise<DirStoragePool> {
    const pool = await this.store.get(name);
    if (pool.state !== POOL_CREATED) throw badRequest(`Storage pool "${name}" is pending: create it for the whole cluster first`);
    if (!pool.members.has(this.identity.node.id)) throw notFound(`Storage pool "${name}" is not available on member "${this.identity.name}"`);
    const source = this.sourceOf(pool);
    const key = `${name}\u0000${source}`;
    let opened = this.opened.get(key);
    if (!opened) {
      this.prepare(source);
      opened = new DirStoragePool(source, { runner: this.runner });
      this.opened.set(key, opened);
    }
    return opened;
  }

  /** Removes what Cubed keeps in the pool's directory on this member (the pool has no volumes left). */
  remove(pool: StoragePoolRecord): void {
    const source = this.sourceOf(pool);
    for (const key of [...this.opened.keys()]) if (key.startsWith(`${pool.name}\u0000`)) this.opened.delete(key);
    for (const sub of ['images', 'containers', 'containers-snapshots']) fs.rmSync(path.join(source, sub), { recursive: true, force: true });
    try {
      fs.rmdirSync(source);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') this.logger.warn(`storage pool ${pool.name}: left ${source} in place (${(err as Error).message})`);
    }
  }

  /** Remembers member-specific sources from a join request (`member_config` with entity storage-pool). */
  rememberJoinSources(sources: Map<string, string>): void {
    this.pendingSources = sources;
  }

  /** Gives this member every created pool it does not have yet (after joining a cluster). */
  private async adoptClusterPools(): Promise<void> {
    if (!this.identity.clustered) return;
    const pools = await this.store.list();
    const sources = this.pendingSources;
    this.pendingSources = new Map();
    for (const pool of pools) {
      if (pool.state !== POOL_CREATED || pool.members.has(this.identity.node.id)) continue;
      const source = sources.get(pool.name);
      if (source) this.prepare(source);
      await this.store.addMember(pool.name, this.identity.node.id, source ? { source } : {});
      this.logger.log(`storage pool ${pool.name} added on this member${source ? ` at ${source}` : ''}`);
    }
    for (const name of sources.keys()) {
      if (!pools.some((p) => p.name === name)) this.logger.warn(`member config for storage pool "${name}" ignored: the cluster has no such pool`);
    }
  }
}
