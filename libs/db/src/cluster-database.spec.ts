import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { Role } from '@app/raft';
import { ClusterDatabase } from './cluster-database';
import { eventually } from './eventually';
import { GLOBAL_SCHEMA_VERSION } from './global/global-schema';
import { LEADER } from './global/replicated-tx';
import { TxFailedError } from './replication/db-errors';
import { newClusterClient } from './transport/cluster-service';
import { clusterChannelCredentials } from './transport/cluster-credentials';
import type { ClusterTls } from './transport/cluster-tls';
import { generateSelfSigned } from './transport/self-signed';

jest.setTimeout(30_000);

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('ClusterDatabase over gRPC with mutual TLS', () => {
  let root: string;
  let clusterTls: ClusterTls;
  const members: ClusterDatabase[] = [];
  let addresses: string[];
  const httpSockets: tls.TLSSocket[] = [];
  /** Opens member i (0-based) on its directory: the first time, or again after it was closed. */
  let openMember: (i: number) => Promise<ClusterDatabase>;

  beforeAll(async () => {
    clusterTls = await generateSelfSigned({ commonName: 'cubed-cluster-test', ipAddresses: ['127.0.0.1'] });
  });

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-cdb-'));
    addresses = [];
    for (let i = 0; i < 3; i++) addresses.push(`127.0.0.1:${await freePort()}`);
    const peers = addresses.map((address, i) => ({ id: i + 1, address, name: `m${i + 1}` }));
    const bootstrap = peers.map((p) => ({ id: p.id, role: Role.Voter }));
    openMember = (i) => {
      const p = peers[i];
      return ClusterDatabase.open({
        dir: path.join(root, p.name),
        id: p.id,
        peers,
        bootstrap,
        network: {
          address: p.address,
          tls: clusterTls,
          http: (socket) => {
            httpSockets.push(socket);
            socket.end('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n');
          },
        },
      });
    };
    for (let i = 0; i < peers.length; i++) members.push(await openMember(i));
  });

  afterEach(async () => {
    for (const m of members.splice(0)) await m.close();
    for (const s of httpSockets.splice(0)) s.destroy();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('runs the schema migrations once, through the log, and replicates writes from every member', async () => {
    await Promise.all(members.map((m) => m.ready(15_000)));
    for (const m of members) {
      expect(m.db.stateMachine.query('SELECT version FROM schema ORDER BY version').map((r) => r.version)).toEqual(
        Array.from({ length: GLOBAL_SCHEMA_VERSION }, (_, i) => i + 1),
      );
    }
    // One write through each member, each forwarded to the leader where needed.
    const results = await Promise.all(
      members.map((m, i) => m.db.exec({ statements: [{ sql: 'INSERT INTO config (key, value) VALUES (?, ?)', params: [`k${i}`, LEADER.now] }] })),
    );
    expect(results.every((r) => r.changes === 1)).toBe(true);
    for (const m of members) {
      const rows = await m.db.query<{ key: string }>("SELECT key FROM config WHERE key LIKE 'k%' ORDER BY key");
      expect(rows.map((r) => r.key)).toEqual(['k0', 'k1', 'k2']);
    }
    // Errors cross the wire typed.
    const follower = members.find((m) => !m.driver.isLeader())!;
    const err = await follower.db.exec({ statements: [{ sql: 'INSERT INTO config (key, value) VALUES (?, ?)', params: ['k0', 'again'] }] }).catch((e) => e);
    expect(err).toBeInstanceOf(TxFailedError);
    expect((err as TxFailedError).sqlCode).toBe('SQLITE_CONSTRAINT_UNIQUE');
    const status = follower.db.status();
    expect(status.members.every((m) => m.reachable)).toBe(true);
    expect(status.leader?.name).toMatch(/^m[123]$/);
  });

  it('counts a member that stopped and started again as reachable, also on a member it has nothing to tell', async () => {
    await Promise.all(members.map((m) => m.ready(15_000)));
    const leader = members.findIndex((m) => m.driver.isLeader());
    const [stopped, observer] = [0, 1, 2].filter((i) => i !== leader);
    const sees = (i: number) => members[observer].db.status().members.find((m) => m.id === i + 1)!.reachable;
    await members[stopped].close(); // it says it is leaving
    await eventually(() => !sees(stopped), 'the observer counting the stopped member unreachable', 5000);
    members[stopped] = await openMember(stopped);
    // A follower sends nothing to another follower: only its stream's first frame says it is back.
    await eventually(() => sees(stopped), 'the observer counting the restarted member reachable again', 5000);
  });

  it('lets only the cluster certificate speak gRPC and hands HTTP/1.1 to the REST API', async () => {
    await members[0].ready(15_000);
    // A client with another certificate: the connection is refused.
    const stranger = await generateSelfSigned({ commonName: 'stranger' });
    const client = newClusterClient(addresses[0], clusterChannelCredentials(stranger));
    const state = await new Promise<grpc.connectivityState>((resolve) => {
      client.waitForReady(Date.now() + 2000, () => resolve(client.getChannel().getConnectivityState(false)));
    });
    expect(state).not.toBe(grpc.connectivityState.READY);
    client.close();
    // An HTTP/1.1 client reaches the http handler.
    const [host, port] = addresses[0].split(':');
    const reply = await new Promise<string>((resolve, reject) => {
      const s = tls.connect({ host, port: Number(port), rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
        expect(s.alpnProtocol).toBe('http/1.1');
        s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      });
      let data = '';
      s.on('data', (d) => (data += d.toString()));
      s.on('end', () => resolve(data));
      s.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 204/);
  });
});
