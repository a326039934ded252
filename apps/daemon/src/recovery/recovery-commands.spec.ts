import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import YAML from 'yaml';
import { Command } from 'commander';
import { type ClusterDatabase, type ClusterTls, LocalDatabase, RaftLogStore, RaftNodeRole } from '@app/db';
import { treeContents, tempDir } from '@app/db/recovery/test-member-store';
import { eventually } from '@app/db/eventually';
import { clusterTls, freeLoopbackAddress, localRowKeys, startMember, type StoppedCluster, stoppedThreeMemberCluster, waitForLeader } from '@app/db/recovery/test-three-members';
import { Role } from '@app/raft';
import { ClusterConfigError } from './cluster-config-error';
import { clusterConfigYaml } from './cluster-config-yaml';
import { registerRecoveryCommands } from './index';
import { RECOVER_QUESTION } from './recover-command';
import { globalDirOf, localDbFileOf } from './recovery-target';
import type { RecoveryIo } from './recovery-io';

jest.setTimeout(60_000);

/** A RecoveryIo with scripted input, captured output and an editor played by functions. */
interface ScriptedInput {
  terminal?: boolean;
  /** What readStdin() returns. */
  stdin?: string;
  /** What successive readLine() calls return (then undefined). */
  lines?: string[];
  /** Successive editor sessions: each gets the text shown and returns the text saved. */
  edits?: Array<(text: string) => string>;
}

class ScriptedRecoveryIo implements RecoveryIo {
  out = '';
  err = '';
  /** The texts the editor was opened on. */
  readonly edited: string[] = [];
  private readonly lines: string[];
  private readonly edits: Array<(text: string) => string>;

  constructor(
    readonly env: NodeJS.ProcessEnv,
    private readonly input: ScriptedInput = {},
  ) {
    this.lines = [...(input.lines ?? [])];
    this.edits = [...(input.edits ?? [])];
  }

  stdout(text: string): void {
    this.out += text;
  }

  stderr(text: string): void {
    this.err += text;
  }

  stdinIsTerminal(): boolean {
    return this.input.terminal === true;
  }

  async readStdin(): Promise<string> {
    return this.input.stdin ?? '';
  }

  async readLine(): Promise<string | undefined> {
    return this.lines.shift();
  }

  async editText(text: string): Promise<string> {
    this.edited.push(text);
    const edit = this.edits.shift();
    if (!edit) throw new Error('the editor was opened more often than the test expected');
    return edit(text);
  }
}

/**
 * The state directories of the members of a real, stopped three-member cluster: database/local.db
 * naming each member's address and the Raft members, database/global/ written by the cluster.
 */
interface StoppedStateDirs {
  cluster: StoppedCluster;
  /** State directory of member id i + 1. */
  stateDirs: string[];
}

async function stoppedMemberStateDirs(rowCount: number, tls: ClusterTls): Promise<StoppedStateDirs> {
  const cluster = await stoppedThreeMemberCluster(rowCount, { tls, dirOf: (root, name) => globalDirOf(path.join(root, name)) });
  const stateDirs = cluster.members.map((m) => path.join(cluster.root, m.name));
  for (const [i, m] of cluster.members.entries()) {
    const local = LocalDatabase.open(localDbFileOf(stateDirs[i]));
    try {
      local.setConfig('cluster.https_address', m.address);
      local.replaceRaftNodes(cluster.members.map((p) => ({ id: p.id, address: p.address, role: RaftNodeRole.Voter, name: p.name })));
    } finally {
      local.close();
    }
  }
  return { cluster, stateDirs };
}

/** Starts the member of `stateDir` with the address and peers its local database names, as the daemon does. */
function startFromStateDir(stateDir: string, tls: ClusterTls): Promise<ClusterDatabase> {
  const local = LocalDatabase.open(localDbFileOf(stateDir));
  let address: string | undefined;
  let nodes;
  try {
    address = local.getConfig('cluster.https_address');
    nodes = local.raftNodes();
  } finally {
    local.close();
  }
  const self = nodes.find((n) => n.address === address);
  if (!address || !self) throw new Error(`${stateDir}: the local database does not name this member among its Raft members`);
  return startMember({ id: self.id, name: self.name, address, dir: globalDirOf(stateDir) }, nodes, tls);
}

interface Run {
  io: ScriptedRecoveryIo;
  error?: Error;
}

async function run(stateDir: string, args: string[], input: ScriptedInput = {}): Promise<Run> {
  const io = new ScriptedRecoveryIo({ CUBED_DIR: stateDir }, input);
  const program = new Command('cubed').exitOverride().configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  registerRecoveryCommands(program, io);
  try {
    await program.parseAsync(args, { from: 'user' });
    return { io };
  } catch (err) {
    return { io, error: err as Error };
  }
}

async function succeed(stateDir: string, args: string[], input: ScriptedInput = {}): Promise<ScriptedRecoveryIo> {
  const r = await run(stateDir, args, input);
  if (r.error) throw r.error;
  return r.io;
}

function readLocal(stateDir: string) {
  const local = LocalDatabase.open(localDbFileOf(stateDir));
  try {
    return { address: local.getConfig('cluster.https_address'), nodes: local.raftNodes() };
  } finally {
    local.close();
  }
}

function setLocal(stateDir: string, address: string, nodes: { id: number; address: string; role: RaftNodeRole; name: string }[]): void {
  const local = LocalDatabase.open(localDbFileOf(stateDir));
  try {
    local.setConfig('cluster.https_address', address);
    local.replaceRaftNodes(nodes);
  } finally {
    local.close();
  }
}

/** The YAML of the three members with some fields replaced. */
function editedYaml(dirs: StoppedStateDirs, change: (members: Record<string, unknown>[]) => unknown): string {
  const members: Record<string, unknown>[] = dirs.cluster.members.map((m) => ({ id: m.id, name: m.name, address: m.address, role: 'voter' }));
  const result = change(members);
  return YAML.stringify(result === undefined ? { members } : result);
}

describe('cubed cluster', () => {
  let tls: ClusterTls;
  let dirs: StoppedStateDirs;
  const running: ClusterDatabase[] = [];
  const servers: net.Server[] = [];

  beforeAll(async () => {
    tls = await clusterTls();
  });
  beforeEach(async () => {
    dirs = await stoppedMemberStateDirs(20, tls);
  });
  afterEach(async () => {
    for (const c of running.splice(0)) await c.close();
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
    fs.rmSync(dirs.cluster.root, { recursive: true, force: true });
  });

  describe('list-database', () => {
    beforeEach(() => {
      setLocal(dirs.stateDirs[0], '10.0.0.1:8443', [
        { id: 1, address: '10.0.0.1:8443', role: RaftNodeRole.Voter, name: 'm1' },
        { id: 2, address: '10.0.0.2:8443', role: RaftNodeRole.Standby, name: 'm2' },
        { id: 3, address: '10.0.0.3:8443', role: RaftNodeRole.Spare, name: '' },
      ]);
    });

    it('prints the Raft members of the local database as an lxc table', async () => {
      const io = await succeed(dirs.stateDirs[0], ['cluster', 'list-database']);
      expect(io.out).toBe(
        [
          '+----+------+---------------+----------+',
          '| ID | NAME |    ADDRESS    |   ROLE   |',
          '+----+------+---------------+----------+',
          '| 1  | m1   | 10.0.0.1:8443 | voter    |',
          '+----+------+---------------+----------+',
          '| 2  | m2   | 10.0.0.2:8443 | stand-by |',
          '+----+------+---------------+----------+',
          '| 3  |      | 10.0.0.3:8443 | spare    |',
          '+----+------+---------------+----------+',
          '',
        ].join('\n'),
      );
      expect((await succeed(dirs.stateDirs[0], ['cluster', 'ls'])).out).toBe(io.out);
    });

    it('prints the other lxc formats', async () => {
      const members = [
        { id: 1, name: 'm1', address: '10.0.0.1:8443', role: 'voter' },
        { id: 2, name: 'm2', address: '10.0.0.2:8443', role: 'stand-by' },
        { id: 3, name: '', address: '10.0.0.3:8443', role: 'spare' },
      ];
      expect((await succeed(dirs.stateDirs[0], ['cluster', 'list-database', '--format', 'csv'])).out).toBe(
        '1,m1,10.0.0.1:8443,voter\n2,m2,10.0.0.2:8443,stand-by\n3,,10.0.0.3:8443,spare\n',
      );
      expect(JSON.parse((await succeed(dirs.stateDirs[0], ['cluster', 'list-database', '-f', 'json'])).out)).toEqual(members);
      expect(YAML.parse((await succeed(dirs.stateDirs[0], ['cluster', 'list-database', '-f', 'yaml'])).out)).toEqual(members);
      const compact = (await succeed(dirs.stateDirs[0], ['cluster', 'list-database', '-f', 'compact'])).out;
      expect(compact.split('\n')[0].trim().split(/\s+/)).toEqual(['ID', 'NAME', 'ADDRESS', 'ROLE']);
      const bad = await run(dirs.stateDirs[0], ['cluster', 'list-database', '-f', 'xml']);
      expect(bad.error?.message).toBe('Invalid format "xml"');
    });
  });

  describe('refuses', () => {
    const COMMANDS = [['list-database'], ['edit'], ['recover-from-quorum-loss', '--quiet']];

    it.each(COMMANDS)('%s while a daemon answers on the unix socket, writing nothing', async (...args) => {
      const stateDir = dirs.stateDirs[0];
      const socket = path.join(stateDir, 'unix.socket');
      const server = net.createServer((c) => c.end());
      servers.push(server);
      await new Promise<void>((r) => server.listen(socket, r));
      const before = treeContents(stateDir);
      const r = await run(stateDir, ['cluster', ...args], { stdin: editedYaml(dirs, () => undefined) });
      expect(r.error?.message).toBe(`The cubed daemon is running (it answers on ${socket}), please stop it first`);
      expect(treeContents(stateDir)).toEqual(before);
    });

    it.each(COMMANDS)('%s on a state directory without a local database, creating nothing', async (...args) => {
      const stateDir = tempDir('cubed-empty-state-');
      try {
        const r = await run(stateDir, ['cluster', ...args]);
        expect(r.error?.message).toBe(`${stateDir} holds no cluster database: ${localDbFileOf(stateDir)} does not exist`);
        expect(fs.readdirSync(stateDir)).toEqual([]);
      } finally {
        fs.rmSync(stateDir, { recursive: true, force: true });
      }
    });

    it.each(COMMANDS)('%s on a member that is not clustered', async (...args) => {
      const stateDir = tempDir('cubed-standalone-state-');
      try {
        fs.mkdirSync(path.dirname(localDbFileOf(stateDir)), { recursive: true });
        LocalDatabase.open(localDbFileOf(stateDir)).close();
        const r = await run(stateDir, ['cluster', ...args]);
        expect(r.error?.message).toBe(`This server isn't clustered: its local database ${localDbFileOf(stateDir)} has no "cluster.https_address"`);
      } finally {
        fs.rmSync(stateDir, { recursive: true, force: true });
      }
    });

    it.each(COMMANDS)('%s on a member whose global database has no Raft state', async (...args) => {
      const stateDir = dirs.stateDirs[1];
      fs.rmSync(globalDirOf(stateDir), { recursive: true });
      const r = await run(stateDir, ['cluster', ...args]);
      expect(r.error?.message).toBe(`${stateDir} holds no cluster database: ${path.join(globalDirOf(stateDir), 'raft')} holds no Raft state`);
      expect(fs.existsSync(globalDirOf(stateDir))).toBe(false);
    });
  });

  describe('edit', () => {
    it('changes an address from standard input on every member: started with the new addresses, the members form the cluster again', async () => {
      const newAddress = await freeLoopbackAddress();
      const [m1, m2] = dirs.cluster.members;
      const yaml = editedYaml(dirs, (members) => {
        members[1].address = newAddress;
      });
      const outs: string[] = [];
      for (const stateDir of dirs.stateDirs) outs.push((await succeed(stateDir, ['cluster', 'edit'], { stdin: yaml })).out);
      expect(outs[0]).toContain(`Member m2 (id 2, ${m2.address}): address ${m2.address} -> ${newAddress}\n`);
      expect(outs[0]).toMatch(/The Raft membership of the global database is now 1 voter, 2 voter, 3 voter \(in a snapshot at index \d+, term \d+; \d+ log entr(y|ies) after it kept\)\.\n/);
      expect(outs[0]).toContain('Make the same change on every other member before starting the daemons again.\n');
      expect(outs[0]).not.toContain('cluster.https_address');
      expect(outs[1]).toContain(`This member's cluster.https_address is now ${newAddress}\n`);
      expect(readLocal(dirs.stateDirs[1])).toEqual({
        address: newAddress,
        nodes: dirs.cluster.members.map((m) => ({ id: m.id, name: m.name, address: m.id === 2 ? newAddress : m.address, role: RaftNodeRole.Voter })),
      });
      expect(readLocal(dirs.stateDirs[0]).address).toBe(m1.address);

      for (const stateDir of dirs.stateDirs) running.push(await startFromStateDir(stateDir, tls));
      await waitForLeader(running);
      for (const c of running) await c.ready(15_000);
      const rows = await running[1].db.query<{ key: string }>("SELECT key FROM config WHERE key LIKE 'user.row%' ORDER BY key");
      expect(rows.map((r) => r.key)).toEqual(dirs.cluster.rows);
      // A write through the member that moved, and through another one: all members apply both.
      await running[1].db.exec({ statements: [{ sql: 'INSERT INTO config (key, value) VALUES (?, ?)', params: ['user.row900', 'moved'] }] });
      await running[2].db.exec({ statements: [{ sql: 'INSERT INTO config (key, value) VALUES (?, ?)', params: ['user.row901', 'other'] }] });
      for (const c of running) {
        await eventually(() => localRowKeys(c).includes('user.row901') && localRowKeys(c).includes('user.row900'), `member ${c.driver.id} applying the writes`);
      }
      expect(running.every((c) => c.db.status().members.every((m) => m.reachable))).toBe(true);
    });

    it('opens the editor on a terminal, reports an invalid configuration and lets the user correct it', async () => {
      const duplicate = (text: string): string => text.replace(dirs.cluster.members[2].address, dirs.cluster.members[1].address);
      const standby3 = (text: string): string => {
        const doc = YAML.parse(text) as { members: { id: number; role: string; address: string }[] };
        doc.members[2].role = 'stand-by';
        doc.members[2].address = dirs.cluster.members[2].address;
        return YAML.stringify(doc);
      };
      const shown = clusterConfigYaml(dirs.cluster.members.map((m) => ({ id: m.id, name: m.name, address: m.address, role: RaftNodeRole.Voter })));
      for (const stateDir of dirs.stateDirs) {
        const io = await succeed(stateDir, ['cluster', 'edit'], { terminal: true, edits: [duplicate, standby3], lines: [''] });
        expect(io.edited).toHaveLength(2);
        expect(io.edited[0]).toMatch(/^# Latest Raft log entry of this member: index \d+ \(term \d+\), committed up to index \d+\.\n\nmembers:\n- id: 1\n  name: m1\n/);
        expect(io.edited[0]).toContain(shown);
        expect(io.edited[1]).toBe(duplicate(io.edited[0]));
        expect(io.err).toBe(`Config validation error: members 2 and 3 have the same address ${dirs.cluster.members[1].address}\n`);
        expect(io.out).toContain('Press enter to open the editor again or ctrl+c to abort change\n');
        expect(io.out).toContain(`Member m3 (id 3, ${dirs.cluster.members[2].address}): role voter -> stand-by\n`);
        expect(io.out).toContain('The Raft membership of the global database is now 1 voter, 2 voter, 3 stand-by');
      }
      for (const stateDir of dirs.stateDirs) running.push(await startFromStateDir(stateDir, tls));
      const leader = await waitForLeader(running);
      expect(leader.driver.id).not.toBe(3);
      for (const c of running) {
        expect(c.driver.membership()).toEqual([
          { id: 1, role: Role.Voter },
          { id: 2, role: Role.Voter },
          { id: 3, role: Role.Standby },
        ]);
      }
      await running[2].db.exec({ statements: [{ sql: 'INSERT INTO config (key, value) VALUES (?, ?)', params: ['user.row902', 'standby'] }] });
      for (const c of running) await eventually(() => localRowKeys(c).includes('user.row902'), `member ${c.driver.id} applying the write`);
    });

    it('aborts in the editor when the input ends instead of enter', async () => {
      const stateDir = dirs.stateDirs[0];
      const before = treeContents(stateDir);
      const r = await run(stateDir, ['cluster', 'edit'], { terminal: true, edits: [() => 'members: ['] });
      expect(r.error?.message).toBe('Cluster configuration edit aborted');
      expect(r.io.err).toMatch(/^Config validation error: the YAML cannot be read: /);
      expect(treeContents(stateDir)).toEqual(before);
    });

    it('writes nothing when the configuration is unchanged', async () => {
      const stateDir = dirs.stateDirs[0];
      const before = treeContents(stateDir);
      const shown = clusterConfigYaml(readLocal(stateDir).nodes);
      const io = await succeed(stateDir, ['cluster', 'edit'], { stdin: shown });
      expect(io.out).toBe('The cluster configuration is unchanged: nothing was written.\n');
      // A name left out keeps the current one.
      const noNames = editedYaml(dirs, (members) => members.forEach((m) => delete m.name));
      expect((await succeed(stateDir, ['cluster', 'edit'], { stdin: noNames })).out).toBe(io.out);
      expect(treeContents(stateDir)).toEqual(before);
    });

    it.each<[string, (dirs: StoppedStateDirs) => string, string]>([
      ['YAML that cannot be read', () => 'members: [', 'the YAML cannot be read: '],
      ['no members list', () => 'nodes: []\n', 'the configuration has no "members" list'],
      ['a member that is not a mapping', (d) => editedYaml(d, (m) => ({ members: [...m, 'x'] })), 'member #4 is not a mapping of id, name, address and role'],
      ['an id that is not a positive integer', (d) => editedYaml(d, (m) => void (m[2].id = 'three')), 'member #3: the id "three" is not a positive integer'],
      ['a missing address', (d) => editedYaml(d, (m) => void delete m[1].address), 'member 2: the address is missing'],
      ['an address without a port', (d) => editedYaml(d, (m) => void (m[1].address = 'localhost')), 'member 2: invalid address "localhost": expected host:port'],
      ['a bad port', (d) => editedYaml(d, (m) => void (m[1].address = '127.0.0.1:99999')), 'member 2: invalid address "127.0.0.1:99999": the port "99999" is not a number from 1 to 65535'],
      ['an unbracketed IPv6 address', (d) => editedYaml(d, (m) => void (m[1].address = '::1:8443')), 'member 2: invalid address "::1:8443": an IPv6 address must be written in brackets, as [address]:port'],
      ['an unknown role', (d) => editedYaml(d, (m) => void (m[1].role = 'leader')), 'member 2: unknown role "leader" (expected voter, stand-by, spare)'],
      ['an unknown key', (d) => editedYaml(d, (m) => void (m[1].adress = 'x')), 'member 2: unknown key "adress"'],
      ['a duplicate id', (d) => editedYaml(d, (m) => void (m[2].id = 2)), 'member 2 appears more than once'],
      ['a duplicate address', (d) => editedYaml(d, (m) => void (m[2].address = m[0].address)), `members 1 and 3 have the same address`],
      ['no voter', (d) => editedYaml(d, (m) => m.forEach((x) => (x.role = 'stand-by'))), 'at least one member must be a voter'],
      ['too few voters', (d) => editedYaml(d, (m) => void (m[1].role = m[2].role = 'spare')), 'a cluster of 3 members needs at least 2 voters'],
      ['this member missing', (d) => editedYaml(d, (m) => ({ members: m.slice(1) })), 'this member (id 1, m1) is missing: it must stay in the configuration'],
      ['an added member', (d) => editedYaml(d, (m) => ({ members: [...m, { id: 4, address: '127.0.0.1:1', role: 'spare' }] })), 'adding cluster members is not supported (unknown id 4)'],
      ['a removed member', (d) => editedYaml(d, (m) => ({ members: m.slice(0, 2) })), 'removing cluster members is not supported (member 3 is missing)'],
      ['a changed name', (d) => editedYaml(d, (m) => void (m[1].name = 'other')), 'member 2: changing the name (m2 to other) is not supported'],
    ])('refuses %s with a clear error and changes nothing', async (_what, yamlOf, message) => {
      const stateDir = dirs.stateDirs[0];
      const before = treeContents(stateDir);
      const r = await run(stateDir, ['cluster', 'edit'], { stdin: yamlOf(dirs) });
      expect(r.error).toBeInstanceOf(ClusterConfigError);
      expect(r.error?.message).toContain(message);
      expect(treeContents(stateDir)).toEqual(before);
    });

    it('refuses a spare becoming a voter, and lists every problem at once', async () => {
      const stateDir = dirs.stateDirs[0];
      const nodes = readLocal(stateDir).nodes.map((n) => (n.id === 3 ? { ...n, role: RaftNodeRole.Spare } : n));
      setLocal(stateDir, dirs.cluster.members[0].address, nodes);
      const before = treeContents(stateDir);
      const r = await run(stateDir, ['cluster', 'edit'], {
        stdin: editedYaml(dirs, (m) => {
          m[1].address = 'nowhere';
          m[1].role = 'boss';
        }),
      });
      expect((r.error as ClusterConfigError).problems).toEqual([
        'member 2: invalid address "nowhere": expected host:port',
        'member 2: unknown role "boss" (expected voter, stand-by, spare)',
      ]);
      const spare = await run(stateDir, ['cluster', 'edit'], { stdin: editedYaml(dirs, () => undefined) });
      expect(spare.error?.message).toBe('member 3: a spare cannot become a voter (it holds no up-to-date copy of the database); make it a stand-by first');
      expect(treeContents(stateDir)).toEqual(before);
    });
  });

  describe('on a member that never received the Raft log', () => {
    beforeEach(() => {
      fs.rmSync(globalDirOf(dirs.stateDirs[2]), { recursive: true });
      RaftLogStore.open(path.join(globalDirOf(dirs.stateDirs[2]), 'raft')).close();
    });

    it('edit changes only the local Raft members', async () => {
      const stateDir = dirs.stateDirs[2];
      const io = await succeed(stateDir, ['cluster', 'edit'], { stdin: editedYaml(dirs, (m) => void (m[0].address = '127.0.0.1:1')) });
      expect(io.out).toContain('This member holds no copy of the global database yet: it learns the Raft membership from the leader.\n');
      expect(readLocal(stateDir).nodes.map((n) => n.address)).toEqual(['127.0.0.1:1', dirs.cluster.members[1].address, dirs.cluster.members[2].address]);
    });

    it('recover-from-quorum-loss refuses', async () => {
      const stateDir = dirs.stateDirs[2];
      const before = treeContents(stateDir);
      const r = await run(stateDir, ['cluster', 'recover-from-quorum-loss', '--quiet']);
      expect(r.error?.message).toBe('This member holds no copy of the global database (its Raft log is empty): recover from a member that does');
      expect(treeContents(stateDir)).toEqual(before);
    });
  });

  describe('recover-from-quorum-loss', () => {
    it('--quiet makes this member the only voter: started alone it leads, with every row, and commits new writes', async () => {
      const stateDir = dirs.stateDirs[2];
      const [m1, m2, m3] = dirs.cluster.members;
      const io = await succeed(stateDir, ['cluster', 'recover-from-quorum-loss', '--quiet']);
      const lines = io.out.split('\n');
      expect(lines[0]).toBe(`m3 (id 3, ${m3.address}) is now the only voter of the global database.`);
      expect(lines[1]).toBe(`Removed from the Raft membership: m1 (id 1, ${m1.address}, voter), m2 (id 2, ${m2.address}, voter).`);
      expect(lines[2]).toMatch(/^The global database holds every entry committed up to index \d+ \(term \d+\)(, \d+ of them applied just now)?\.$/);
      expect(lines[3]).toMatch(
        /^((A later log entry was|\d+ later log entries were) not known to be committed: they are kept, and committed when the daemon starts\.|No log entry after it was waiting to be committed\.)$/,
      );
      expect(lines.slice(4)).toEqual(['Start the daemon: it leads the cluster alone.', '']);
      expect(readLocal(stateDir)).toEqual({ address: m3.address, nodes: [{ id: 3, address: m3.address, role: RaftNodeRole.Voter, name: 'm3' }] });
      expect((await succeed(stateDir, ['cluster', 'list-database', '-f', 'csv'])).out).toBe(`3,m3,${m3.address},voter\n`);

      const alone = await startFromStateDir(stateDir, tls);
      running.push(alone);
      await waitForLeader([alone]);
      await alone.ready(15_000);
      expect(alone.driver.membership()).toEqual([{ id: 3, role: Role.Voter }]);
      const rows = await alone.db.query<{ key: string }>("SELECT key FROM config WHERE key LIKE 'user.row%' ORDER BY key");
      expect(rows.map((r) => r.key)).toEqual(dirs.cluster.rows);
      const w = await alone.db.exec({ statements: [{ sql: 'INSERT INTO config (key, value) VALUES (?, ?)', params: ['user.recovered', 'yes'] }] });
      expect(w.changes).toBe(1);
    });

    it('asks first and does nothing unless the answer is yes', async () => {
      const stateDir = dirs.stateDirs[0];
      const before = treeContents(stateDir);
      for (const lines of [['no'], [], ['y']]) {
        const r = await run(stateDir, ['cluster', 'recover-from-quorum-loss'], { lines });
        expect(r.error?.message).toBe('Recover operation aborted');
        expect(r.io.out.endsWith(`\n\n${RECOVER_QUESTION}`)).toBe(true);
        expect(r.io.out).toMatch(new RegExp(`This member is m1 \\(id 1, ${dirs.cluster.members[0].address}\\); its Raft log ends at index \\d+ \\(term \\d+\\) and is committed up to index \\d+\\.`));
        expect(treeContents(stateDir)).toEqual(before);
      }
      const yes = await succeed(stateDir, ['cluster', 'recover-from-quorum-loss'], { lines: [' YES '] });
      expect(yes.out).toContain('m1 (id 1, ');
      expect(yes.out).toContain(') is now the only voter of the global database.\n');
      expect(readLocal(stateDir).nodes.map((n) => n.id)).toEqual([1]);
    });
  });
});
