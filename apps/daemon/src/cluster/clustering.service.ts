/**
 * A member's clustering lifecycle:
 * - bootstrap: a standalone member becomes the first member of a new cluster (its certificate
 *   becomes the cluster certificate, its Raft node id 1 goes on the network);
 * - join (on the newcomer): it presents a join token or the trust password to a member, which has
 *   the leader admit it; it receives the cluster certificate and the Raft members and starts an
 *   empty replica that the leader fills;
 * - admit (on the leader): checks the token (used up in the same transaction) or the password,
 *   records the member, trusts its certificate and adds it to Raft as a standby (the leader's
 *   rebalancer later makes it a voter when the cluster needs one);
 * - remove, rename; leave (on a member that was removed: back to standalone).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { certificateFingerprint, type ClusterTls, GLOBAL_SCHEMA_VERSION, LEADER, NotLeaderError, RaftNodeRole, type SqlStatement, TxFailedError, type TxParam } from '@app/db';
import { Role } from '@app/raft';
import { ServerConfig } from '../config-keys/server-config.service';
import { verifyTrustPassword } from '../config-keys/trust-password';
import { Databases } from '../database/databases';
import { CLUSTER_CERT_FILE, CLUSTER_KEY_FILE, readClusterTls } from '../database/cluster-tls-files';
import { EventBus } from '../events/event-bus';
import { badRequest, forbidden, LxdError, notFound } from '../http/lxd-error';
import { MemberIdentity } from '../identity/member-identity';
import { writeFileAtomically } from '../identity/server-certificate';
import { ServerTls } from '../identity/server-tls';
import { Endpoints } from '../network/endpoints.provider';
import { canonicalAddress } from '../network/network-endpoints';
import { CERT_TYPE_SERVER } from '../trust/certificate-types';
import { Tokens } from '../trust/tokens';
import { StateDir } from '../identity/state-dir';
import { TrustStore } from '../trust/trust-store';
import { architectureId } from './architectures';
import { decodeJoinToken } from './join-token';
import { PeerClient } from './peer-client';
import { fromRaftMemberJson, type RaftMemberJson, rememberRaftMembers, toRaftMemberJson } from './raft-members';

/** How long a member to be removed without --force has to answer. */
const REACHABLE_WITHIN_MS = 3000;

/** What a newcomer sends to be admitted (POST /internal/cluster/accept). */
export interface AdmissionRequest {
  name: string;
  address: string;
  architecture: string;
  certificate: string;
  secret?: string;
  password?: string;
}

export interface AdmissionReply {
  id: number;
  cluster_certificate: string;
  cluster_key: string;
  members: RaftMemberJson[];
}

export interface JoinRequest {
  serverName: string;
  serverAddress: string;
  clusterAddress?: string;
  clusterCertificate?: string;
  clusterToken?: string;
  clusterPassword?: string;
}

const API_EXTENSIONS_COUNT = 0;

@Injectable()
export class Clustering {
  private readonly logger = new Logger('Cluster');
  /** Bootstrap, join and leave change what the member is: one at a time. */
  private transition: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly databases: Databases,
    private readonly config: ServerConfig,
    private readonly identity: MemberIdentity,
    private readonly tokens: Tokens,
    private readonly peers: PeerClient,
    private readonly endpoints: Endpoints,
    private readonly stateDir: StateDir,
    private readonly serverTls: ServerTls,
    private readonly trust: TrustStore,
    private readonly events: EventBus,
  ) {}

  // ------------------------------------------------------------------ bootstrap

  /** Makes this standalone member the first member of a new cluster, named `name`. */
  bootstrap(name: string): Promise<void> {
    return this.exclusively(() => this.bootstrapNow(name));
  }

  join(req: JoinRequest): Promise<void> {
    return this.exclusively(() => this.joinNow(req));
  }

  /** This member was removed from its cluster: it becomes a standalone server with an empty global database. */
  leave(): Promise<void> {
    return this.exclusively(() => this.leaveNow());
  }

  private exclusively<T>(work: () => Promise<T>): Promise<T> {
    const next = this.transition.then(work, work);
    this.transition = next.catch(() => undefined);
    return next;
  }

  private async bootstrapNow(name: string): Promise<void> {
    if (this.databases.clustered) throw badRequest('This server is already clustered');
    validMemberName(name);
    const address = canonicalAddress(this.databases.local.getConfig('cluster.https_address') || this.databases.local.getConfig('core.https_address') || '');
    if (!address || /^\[::\]:|^0\.0\.0\.0:/.test(address)) {
      throw badRequest('This server is not available on the network: set core.https_address (or cluster.https_address) to a specific address first');
    }
    // The member's own certificate becomes the cluster's.
    writeFileAtomically(path.join(this.stateDir.path, CLUSTER_KEY_FILE), this.serverTls.tls.keyPem, 0o600);
    writeFileAtomically(path.join(this.stateDir.path, CLUSTER_CERT_FILE), this.serverTls.tls.certPem, 0o644);
    await this.databases.global.exec({
      statements: [
        // The standalone row (id 1) becomes the first member's, so that its instances stay where they are.
        { sql: 'DELETE FROM nodes WHERE id <> 1', params: [] },
        {
          sql: `INSERT INTO nodes (id, name, address, schema, api_extensions, arch, heartbeat, state) VALUES (1, ?, ?, ?, ?, ?, ?, 0)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, address = excluded.address, schema = excluded.schema,
                  api_extensions = excluded.api_extensions, arch = excluded.arch, heartbeat = excluded.heartbeat`,
          params: [name, address, GLOBAL_SCHEMA_VERSION, API_EXTENSIONS_COUNT, architectureId(os.machine()), LEADER.now],
        },
        { sql: 'INSERT OR IGNORE INTO nodes_cluster_groups (node_id, group_id) VALUES (1, 1)', params: [] },
        // Trusted as a member, as every member that joins is (LXD lists them all as type server).
        trustMemberCertificate(name, this.serverTls.tls.certPem),
      ],
    });
    this.databases.local.setConfigs({ 'cluster.https_address': address });
    this.databases.local.replaceRaftNodes([{ id: 1, address, role: RaftNodeRole.Voter, name }]);
    await this.switchDatabase(false);
    this.logger.log(`bootstrapped a cluster as member ${name} on ${address}`);
  }

  // ------------------------------------------------------------------ join (newcomer side)

  private async joinNow(req: JoinRequest): Promise<void> {
    if (this.databases.clustered) throw badRequest('This server is already clustered');
    validMemberName(req.serverName);
    // Joining replaces this server's global database with the cluster's.
    const [instances] = await this.databases.global.query<{ n: number }>('SELECT count(*) AS n FROM instances');
    if (Number(instances?.n ?? 0) > 0) throw badRequest('This server has instances: only a server without instances can join a cluster');
    const serverAddress = canonicalAddress(req.serverAddress || this.databases.local.getConfig('core.https_address') || '');
    if (!serverAddress || /^\[::\]:|^0\.0\.0\.0:/.test(serverAddress)) throw badRequest('A specific server_address is needed to join a cluster');
    let secret: string | undefined;
    let fingerprint: string;
    let targets: string[];
    if (req.clusterToken) {
      const token = decodeJoinToken(req.clusterToken);
      if (token.server_name !== req.serverName) {
        throw badRequest(`The join token is for member "${token.server_name}", not "${req.serverName}"`);
      }
      if (token.expires_at && Date.parse(token.expires_at) <= Date.now()) throw badRequest(`The join token expired at ${token.expires_at}`);
      secret = token.secret;
      fingerprint = token.fingerprint;
      targets = req.clusterAddress ? [canonicalAddress(req.clusterAddress), ...token.addresses] : token.addresses;
    } else if (req.clusterPassword !== undefined) {
      if (!req.clusterAddress) throw badRequest('cluster_address is needed to join with a trust password');
      if (!req.clusterCertificate) throw badRequest("cluster_certificate is needed to join with a trust password: it is how the cluster's identity is checked");
      fingerprint = certificateFingerprint(req.clusterCertificate);
      targets = [canonicalAddress(req.clusterAddress)];
    } else {
      throw badRequest('A cluster_token or a cluster_password is needed to join a cluster');
    }
    if (req.clusterCertificate && certificateFingerprint(req.clusterCertificate) !== fingerprint) {
      throw badRequest('The cluster_certificate does not match the fingerprint of the join token');
    }
    const request: AdmissionRequest = {
      name: req.serverName,
      address: serverAddress,
      architecture: os.machine(),
      certificate: this.serverTls.tls.certPem,
      ...(secret !== undefined ? { secret } : { password: req.clusterPassword }),
    };
    let reply: AdmissionReply | undefined;
    let lastError: Error | undefined;
    for (const target of targets) {
      try {
        reply = await this.peers.lxd<AdmissionReply>(target, 'POST', '/internal/cluster/accept', request, {
          tls: this.serverTls.tls,
          serverFingerprint: fingerprint,
          timeoutMs: 30_000,
        });
        break;
      } catch (err) {
        lastError = err as Error;
        // A refusal is final; only unreachable members make us try the next address.
        if (err instanceof LxdError && err.statusCode !== 503) break;
      }
    }
    if (!reply) {
      if (lastError instanceof LxdError) throw lastError;
      throw new LxdError(503, `Failed to join the cluster: ${lastError?.message ?? 'no member could be reached'}`);
    }
    const clusterTls: ClusterTls = { certPem: reply.cluster_certificate, keyPem: reply.cluster_key };
    if (certificateFingerprint(clusterTls.certPem) !== fingerprint) throw badRequest('The cluster sent a certificate that does not match its fingerprint');
    writeFileAtomically(path.join(this.stateDir.path, CLUSTER_KEY_FILE), clusterTls.keyPem, 0o600);
    writeFileAtomically(path.join(this.stateDir.path, CLUSTER_CERT_FILE), clusterTls.certPem, 0o644);
    const local = this.databases.local;
    const settings: Record<string, string> = { 'cluster.https_address': serverAddress };
    if (!local.getConfig('core.https_address')) settings['core.https_address'] = serverAddress;
    local.setConfigs(settings);
    local.replaceRaftNodes(reply.members.map(fromRaftMemberJson));
    await this.switchDatabase(true);
    this.logger.log(`joined the cluster as member ${req.serverName} (id ${reply.id}) on ${serverAddress}`);
  }

  // ------------------------------------------------------------------ admission (leader side)

  /** Admits a newcomer; on a member that is not the leader, the request is passed to the leader. */
  async admit(req: AdmissionRequest): Promise<AdmissionReply> {
    if (!this.databases.clustered) throw badRequest('This server is not clustered');
    for (const [field, value] of Object.entries({ name: req.name, address: req.address, certificate: req.certificate })) {
      if (typeof value !== 'string' || value === '') throw badRequest(`The admission request lacks its ${field}`);
    }
    validMemberName(req.name);
    if (!this.databases.cluster.driver.isLeader()) {
      const leader = this.databases.global.leader();
      if (!leader) throw new LxdError(503, 'The cluster has no database leader to admit the new member');
      return this.peers.lxd<AdmissionReply>(leader.address, 'POST', '/internal/cluster/accept', req, { timeoutMs: 30_000 });
    }
    const db = this.databases.global;
    const address = canonicalAddress(req.address);
    const [byName, byAddress] = await Promise.all([
      db.query('SELECT 1 FROM nodes WHERE name = ?', [req.name]),
      db.query('SELECT 1 FROM nodes WHERE address = ?', [address]),
    ]);
    if (byName.length) throw badRequest(`The cluster already has a member with name: ${req.name}`);
    if (byAddress.length) throw badRequest(`The cluster already has a member with address: ${address}`);
    let consume: SqlStatement<TxParam>[] = [];
    let tokenOperation: string | undefined;
    if (req.secret !== undefined) {
      const checked = await this.tokens.check('cluster-member', req.name, req.secret);
      consume = checked.consume;
      tokenOperation = checked.operationUuid;
    } else {
      const stored = (await this.config.globalValues())['core.trust_password'];
      if (!stored) throw forbidden('The cluster has no trust password: join with a token (cube cluster add <name>)');
      if (!(await verifyTrustPassword(req.password ?? '', stored))) throw forbidden('The trust password is not valid');
    }
    let fingerprint: string;
    try {
      fingerprint = certificateFingerprint(req.certificate);
    } catch {
      throw badRequest('The newcomer sent a certificate that cannot be read');
    }
    let id: number;
    try {
      const r = await db.exec({
        statements: [
          ...consume,
          {
            sql: 'INSERT INTO nodes (name, address, schema, api_extensions, arch, heartbeat, state) VALUES (?, ?, ?, ?, ?, ?, 0)',
            params: [req.name, address, GLOBAL_SCHEMA_VERSION, API_EXTENSIONS_COUNT, architectureId(req.architecture), LEADER.now],
          },
          { sql: 'INSERT INTO nodes_cluster_groups (node_id, group_id) SELECT id, 1 FROM nodes WHERE name = ?', params: [req.name] },
          trustMemberCertificate(req.name, req.certificate, fingerprint),
          { sql: 'SELECT id FROM nodes WHERE name = ?', params: [req.name] },
        ],
      });
      id = Number(r.statements[r.statements.length - 1].rows?.[0]?.[0]);
    } catch (err) {
      if (err instanceof TxFailedError && err.sqlCode === 'EXPECTATION_FAILED') throw forbidden('The join token was used meanwhile');
      if (err instanceof TxFailedError && /UNIQUE/.test(err.message)) throw badRequest(`The cluster already has a member with that name or address: ${err.message}`);
      throw err;
    }
    // Ends the token operation if it runs here; the member that issued it sees the token gone.
    if (tokenOperation) this.tokens.finishOperation(tokenOperation);
    // The leader must know where the newcomer is before it replicates to it.
    const members = [...this.databases.local.raftNodes().filter((n) => n.id !== id), { id, address, role: RaftNodeRole.Standby, name: req.name }];
    rememberRaftMembers(this.databases.local, this.databases, members);
    try {
      await db.addMember(id, Role.Standby, 10_000);
    } catch (err) {
      if (err instanceof NotLeaderError) throw new LxdError(503, 'Leadership moved while admitting the member: try again');
      throw err;
    }
    const tls = this.clusterTls();
    this.events.publish('lifecycle', { action: 'cluster-member-added', source: `/1.0/cluster/members/${req.name}`, requestor: { username: '', protocol: 'cluster', address: '' } });
    return {
      id,
      cluster_certificate: tls.certPem,
      cluster_key: tls.keyPem,
      members: members.map(toRaftMemberJson),
    };
  }

  // ------------------------------------------------------------------ removal and renaming

  /** Removes a member (on the leader; others pass the request on). */
  async remove(name: string, force: boolean): Promise<void> {
    if (!this.databases.clustered) throw badRequest('This server is not clustered');
    if (!this.databases.cluster.driver.isLeader()) {
      const leader = this.databases.global.leader();
      if (!leader) throw new LxdError(503, 'The cluster has no database leader');
      await this.peers.lxd(leader.address, 'DELETE', `/1.0/cluster/members/${encodeURIComponent(name)}${force ? '?force=1' : ''}`);
      return;
    }
    const db = this.databases.global;
    const rows = await db.query<{ id: number; address: string }>('SELECT id, address FROM nodes WHERE name = ?', [name]);
    if (!rows[0]) throw notFound('Cluster member not found');
    const { id, address } = rows[0];
    const all = await db.query<{ n: number }>('SELECT count(*) AS n FROM nodes');
    if (Number(all[0].n) === 1) throw badRequest('The last member of a cluster cannot be removed');
    if (id === this.databases.cluster.driver.id) {
      // The leader leaves: it hands leadership to another voter first, which then removes it.
      const next = db.status().members.find((m) => m.id !== id && m.role === Role.Voter && m.reachable);
      if (!next) throw badRequest('No other voter can take over the database leadership');
      await db.transferLeadership(next.id, 10_000);
      const leader = db.leader();
      if (!leader) throw new LxdError(503, 'Leadership moved: try again');
      await this.peers.lxd(leader.address, 'DELETE', `/1.0/cluster/members/${encodeURIComponent(name)}${force ? '?force=1' : ''}`);
      return;
    }
    if (!force) {
      const instances = await db.query<{ n: number }>('SELECT count(*) AS n FROM instances WHERE node_id = ?', [id]);
      if (Number(instances[0].n) > 0) throw badRequest(`Member "${name}" still has instances: move or delete them first, or remove it with --force`);
      // It must hear that it was removed, or it would go on as a member of a cluster that has
      // forgotten it. --force removes a member that is gone for good.
      await this.peers.lxd(address, 'GET', '/1.0', undefined, { timeoutMs: REACHABLE_WITHIN_MS }).catch((err: Error) => {
        throw badRequest(`Member "${name}" cannot be reached (${err.message}): remove it with --force if it is gone for good`);
      });
    }
    if (db.status().members.some((m) => m.id === id)) await db.removeMember(id, 10_000);
    await db.exec({
      statements: [
        { sql: "DELETE FROM certificates WHERE type = ? AND name = ?", params: [CERT_TYPE_SERVER, name] },
        { sql: 'DELETE FROM nodes WHERE id = ?', params: [id] },
      ],
    });
    rememberRaftMembers(
      this.databases.local,
      this.databases,
      this.databases.local.raftNodes().filter((n) => n.id !== id),
    );
    // Tell the member, if it is there, that it no longer belongs: it goes back to standalone.
    try {
      await this.peers.lxd(address, 'POST', '/internal/cluster/removed', {}, { timeoutMs: 5000 });
    } catch (err) {
      if (!force) this.logger.warn(`member ${name} was removed but could not be told: ${(err as Error).message}`);
    }
    this.events.publish('lifecycle', { action: 'cluster-member-removed', source: `/1.0/cluster/members/${name}`, requestor: { username: '', protocol: 'cluster', address: '' } });
  }

  /**
   * Renames a member and its server certificate's entry in one transaction. The renamed member
   * takes its new name at once when it is this one, else once told (or, if it cannot be told, at
   * the next heartbeat that names it).
   */
  async rename(from: string, to: string): Promise<void> {
    validMemberName(to);
    const db = this.databases.global;
    const [renamed] = await db.query<{ id: number; address: string }>('SELECT id, address FROM nodes WHERE name = ?', [from]);
    if (!renamed) throw notFound('Cluster member not found');
    try {
      await db.exec({
        statements: [
          { sql: 'UPDATE nodes SET name = ? WHERE id = ? AND name = ?', params: [to, renamed.id, from], expect: 1 },
          { sql: 'UPDATE certificates SET name = ? WHERE type = ? AND name = ?', params: [to, CERT_TYPE_SERVER, from] },
        ],
      });
    } catch (err) {
      if (err instanceof TxFailedError && err.sqlCode === 'EXPECTATION_FAILED') throw notFound('Cluster member not found');
      if (err instanceof TxFailedError && /UNIQUE/.test(err.message)) throw badRequest(`The cluster already has a member with name: ${to}`);
      throw err;
    }
    if (renamed.id === this.identity.id) {
      await this.identity.refresh();
      return;
    }
    // Not awaited: a member that does not answer learns its name from a heartbeat instead.
    this.peers
      .lxd(renamed.address, 'POST', '/internal/cluster/renamed', {}, { timeoutMs: 5000 })
      .catch((err: Error) => this.logger.warn(`member ${to} was renamed but could not be told: ${err.message}`));
  }

  private async leaveNow(): Promise<void> {
    if (!this.databases.clustered) return;
    this.databases.local.setConfigs({ 'cluster.https_address': null });
    this.databases.local.replaceRaftNodes([]);
    fs.rmSync(path.join(this.stateDir.path, CLUSTER_CERT_FILE), { force: true });
    fs.rmSync(path.join(this.stateDir.path, CLUSTER_KEY_FILE), { force: true });
    await this.switchDatabase(true);
    this.logger.log('removed from the cluster: running standalone');
  }

  clusterTls(): ClusterTls {
    return readClusterTls(this.stateDir.path);
  }

  /** Reopens the global database for the member's new state and re-keys its ports. */
  private async switchDatabase(wipe: boolean): Promise<void> {
    this.trust.reset();
    this.peers.reset();
    await this.databases.reopen({ wipe });
    await this.endpoints.reconfigure();
    await this.databases.cluster.ready(60_000);
    await this.identity.refresh();
  }

}

/** Member names: what LXD accepts as a host name label. */
export function validMemberName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') throw badRequest('No member name provided (server_name)');
  if (!/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/.test(name)) {
    throw badRequest(`Invalid member name "${name}": letters, digits and dashes only, not starting or ending with a dash, at most 63 characters`);
  }
}

/** The statement that trusts a member's own server certificate, under the member's name. */
function trustMemberCertificate(name: string, certificatePem: string, fingerprint = certificateFingerprint(certificatePem)): SqlStatement<TxParam> {
  return {
    sql: `INSERT INTO certificates (fingerprint, type, name, certificate, restricted) VALUES (?, ?, ?, ?, 0)
          ON CONFLICT (fingerprint) DO UPDATE SET type = excluded.type, name = excluded.name, certificate = excluded.certificate`,
    params: [fingerprint, CERT_TYPE_SERVER, name, certificatePem],
  };
}
