/**
 * A private network for daemons that must each have their own addresses and ports: one network
 * namespace per member, each with one veth into a bridge that lives in a hub namespace of its own.
 * Nothing is added to the caller's namespace and there is no route out, so all traffic stays in
 * these namespaces. Names carry a prefix with the creating process's pid, so parallel runs do not
 * collide and leftovers of a run that was killed can be recognised and removed.
 */
import { isAlive } from '../../deploy/local-cluster/process-control';
import { runCommand } from './run-command';

const NAME_PREFIX = 'cbl';
const STALE = new RegExp(`^${NAME_PREFIX}([0-9a-z]+)-(h|\\d+)$`);

export interface NamespaceMember {
  netns: string;
  /** Its IPv4 address on the private network. */
  ip: string;
}

export interface NamespaceNetwork {
  hub: string;
  members: NamespaceMember[];
  destroy(): Promise<void>;
}

const ip = (args: string[]): Promise<string> => runCommand('ip', args, { timeoutMs: 10_000 });

async function listNamespaces(): Promise<string[]> {
  const out = await ip(['netns', 'list']);
  return out
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => n !== '');
}

async function deleteNamespaces(names: string[]): Promise<void> {
  const existing = new Set(await listNamespaces());
  const failures: string[] = [];
  for (const n of names.filter((x) => existing.has(x))) {
    await ip(['netns', 'del', n]).catch((err: Error) => failures.push(err.message));
  }
  if (failures.length) throw new Error(`could not delete network namespaces: ${failures.join('; ')}`);
}

/** Deletes namespaces left by earlier runs whose process is gone; the names removed. */
export async function removeStaleNamespaces(): Promise<string[]> {
  const stale = (await listNamespaces()).filter((n) => {
    const m = STALE.exec(n);
    return m !== null && !isAlive(parseInt(m[1], 36));
  });
  await deleteNamespaces(stale);
  return stale;
}

const ownPrefix = (): string => `${NAME_PREFIX}${process.pid.toString(36)}-`;

/** Deletes every namespace this process created (whether or not its creation finished). */
export async function removeOwnNamespaces(): Promise<void> {
  const own = (await listNamespaces()).filter((n) => n.startsWith(ownPrefix()));
  // Members before the hub, whose bridge their veths are plugged into.
  await deleteNamespaces(own.sort((a, b) => (a.endsWith('-h') ? 1 : 0) - (b.endsWith('-h') ? 1 : 0)));
}

/** `count` member namespaces with 10.210.0.1 … 10.210.0.<count>/24, joined by a bridge in a hub namespace. */
export async function createNamespaceNetwork(count: number): Promise<NamespaceNetwork> {
  const prefix = ownPrefix();
  const hub = `${prefix}h`;
  const created: string[] = [];
  const destroy = (): Promise<void> => deleteNamespaces([...created].reverse());
  try {
    await ip(['netns', 'add', hub]);
    created.push(hub);
    await ip(['-n', hub, 'link', 'set', 'lo', 'up']);
    await ip(['-n', hub, 'link', 'add', 'br0', 'type', 'bridge']);
    await ip(['-n', hub, 'link', 'set', 'br0', 'up']);
    const members: NamespaceMember[] = [];
    for (let i = 1; i <= count; i++) {
      const netns = `${prefix}${i}`;
      const memberIp = `10.210.0.${i}`;
      await ip(['netns', 'add', netns]);
      created.push(netns);
      await ip(['link', 'add', `${prefix}v${i}`, 'netns', hub, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
      await ip(['-n', hub, 'link', 'set', `${prefix}v${i}`, 'master', 'br0', 'up']);
      await ip(['-n', netns, 'addr', 'add', `${memberIp}/24`, 'dev', 'eth0']);
      await ip(['-n', netns, 'link', 'set', 'eth0', 'up']);
      await ip(['-n', netns, 'link', 'set', 'lo', 'up']);
      members.push({ netns, ip: memberIp });
    }
    return { hub, members, destroy };
  } catch (err) {
    await destroy().catch(() => undefined);
    throw err;
  }
}
