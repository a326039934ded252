/**
 * npm run cluster:up [-- --dir <dir>] [--port <port>] [--trust-password <password>] [--netns]
 *
 * Starts a local 4-member Cubed cluster on 127.0.0.1–127.0.0.4 (port 8443, or the first port from
 * 8443 on that is free on all four addresses), with its state in /tmp/cubed-local-cluster (or
 * $CUBED_CLUSTER_DIR, or --dir). With --netns every member runs in its own network namespace on
 * 192.168.0.11–14 instead, as separate hosts would, and the cluster gets a Fan network with a
 * busybox container on every member, pinging across members. The daemons keep running after this
 * script exits; `npm run cluster:down` stops them (and their containers) and removes everything.
 */
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { assertSocketPathsFit, DEFAULT_STATE_DIR, resolveStateDir, stateLayout } from './cluster-state';
import { pingAcross, setUpFanDemo } from './fan-demo';
import { guardInterrupts } from './interrupt-guard';
import { LOCAL_MEMBER_NAMES, type LocalCluster, startLocalCluster } from './local-cluster';
import { assertBuilt, findRepo, type RepoPaths } from './repo-paths';
import { claimStateDir } from './state-dir';
import { stopAllDaemons } from './tear-down';

const say = (line: string): void => console.log(line);

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid port "${text}"`);
  return port;
}

/** `cube cluster list` on member 1; `lxc cluster list` if the client cannot do it. */
function printMemberList(repo: RepoPaths, cluster: LocalCluster): void {
  const first = cluster.members[0];
  const cube = spawnSync(repo.cube, ['cluster', 'list'], { env: { ...process.env, CUBED_DIR: first.dir }, stdio: 'inherit' });
  if (cube.status === 0) return;
  say(`(bin/cube cluster list failed with ${cube.error?.message ?? `exit ${cube.status}`}; lxc cluster list instead)`);
  const lxc = spawnSync('lxc', ['cluster', 'list'], { env: { ...process.env, LXD_DIR: first.dir }, stdio: 'inherit' });
  if (lxc.status !== 0) say(`(lxc cluster list failed too: ${lxc.error?.message ?? `exit ${lxc.status}`})`);
}

/** How the user's shell (npm's INIT_CWD) reaches `file`: relative inside the checkout, else absolute. */
function fromShell(file: string): string {
  const relative = path.relative(process.env.INIT_CWD ?? process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

function printUsage(repo: RepoPaths, cluster: LocalCluster): void {
  const cube = fromShell(repo.cube);
  const dir = cluster.layout.dir;
  const envPrefix = dir === DEFAULT_STATE_DIR ? '' : `CUBED_CLUSTER_DIR=${dir} `;
  const [m1, m2] = cluster.members;
  say('');
  say(`Local cluster: ${cluster.members.length} members, state in ${dir}, daemon logs in ${dir}/logs`);
  for (const m of cluster.members) say(`  ${m.name}  https://${m.address}  CUBED_DIR=${m.dir}  pid ${m.pid}  (${m.joinBy})`);
  say('');
  say('Use it (any member works; each has its own unix socket):');
  say(`  CUBED_DIR=${m1.dir} ${cube} cluster list`);
  say(`  CUBED_DIR=${m2.dir} ${cube} profile list`);
  say(`  LXD_DIR=${m1.dir} lxc cluster list`);
  say(`  LXD_DIR=${m2.dir} lxc profile create p1`);
  // In --netns mode the members' addresses exist only in their namespaces.
  const via = cluster.state.netns?.length ? `ip netns exec ${cluster.state.netns[cluster.state.netns.length - 1]} ` : '';
  say(`  ${via}lxc remote add local-cluster https://${m1.address} --password '${cluster.state.trust_password}' --accept-certificate   # over HTTPS`);
  if (via) say(`  LXD_DIR=${m1.dir} lxc exec c-m1 -- ping -c 1 240.0.13.2    # containers reach each other over the Fan`);
  say('Stop it and remove its state:');
  say(`  ${envPrefix}npm run cluster:down`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, port: { type: 'string' }, 'trust-password': { type: 'string' }, netns: { type: 'boolean' } },
    allowPositionals: false,
  });
  const repo = findRepo();
  assertBuilt(repo);
  const layout = stateLayout(resolveStateDir(values.dir));
  assertSocketPathsFit(layout, [...LOCAL_MEMBER_NAMES]);
  const port = parsePort(values.port ?? process.env.CUBED_CLUSTER_PORT);
  const trustPassword = values['trust-password'] || crypto.randomBytes(12).toString('base64url');
  const state = claimStateDir(layout, trustPassword, (dir) => say(`${dir} holds a previous cluster whose daemons are all stopped: removing it`));
  say(`Starting a ${LOCAL_MEMBER_NAMES.length}-member Cubed cluster in ${layout.dir}`);
  const stopStarted = async (): Promise<void> => {
    for (const s of await stopAllDaemons(repo, layout.dir)) say(`  ${s.member}: stopped (${s.method}, ${(s.ms / 1000).toFixed(1)} s)`);
  };
  const abort = new AbortController();
  const guard = guardInterrupts(async () => {
    abort.abort();
    await stopStarted();
    say(`Daemons stopped; their logs are in ${layout.dir}/logs (npm run cluster:down removes the directory)`);
  }, say);
  let cluster: LocalCluster;
  try {
    cluster = await startLocalCluster({ repo, layout, state, port, netns: values.netns === true, log: (line) => say(`  ${line}`), signal: abort.signal });
  } catch (err) {
    if (abort.signal.aborted) return; // the interrupt guard stops the members and exits
    guard.release();
    say(`cluster:up failed: ${(err as Error).message}`);
    say('Stopping the members that were started:');
    await stopStarted();
    say(`Their logs are kept in ${layout.dir}/logs; npm run cluster:down removes the directory`);
    process.exitCode = 1;
    return;
  }
  guard.release();
  say('');
  printMemberList(repo, cluster);
  if (values.netns) {
    try {
      await showFan(repo, cluster);
    } catch (err) {
      say(`cluster:up: the Fan demonstration failed: ${(err as Error).message}`);
      process.exitCode = 1;
    }
  }
  printUsage(repo, cluster);
}

/** The Fan network, a container per member, `cube list` and a ping from one member's container to another's. */
async function showFan(repo: RepoPaths, cluster: LocalCluster): Promise<void> {
  say('');
  const containers = await setUpFanDemo(repo, cluster.members, path.join(cluster.layout.dir, 'demo'), (line) => say(`  ${line}`));
  say('');
  const env = { ...process.env, CUBED_DIR: cluster.members[0].dir };
  const list = spawnSync(repo.cube, ['list'], { env, stdio: 'inherit' });
  if (list.status !== 0) spawnSync('lxc', ['list'], { env: { ...process.env, LXD_DIR: cluster.members[0].dir }, stdio: 'inherit' });
  say('');
  if (!pingAcross(cluster.members, containers[0], containers[1], say)) throw new Error(`${containers[0].name} could not ping ${containers[1].name} (${containers[1].address})`);
}

main().catch((err: unknown) => {
  console.error(`cluster:up: ${(err as Error).message}`);
  process.exit(1);
});
