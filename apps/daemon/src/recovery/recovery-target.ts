/**
 * The member a recovery command works on: its state directory, checked to hold a cluster database
 * (a local database naming this member's cluster address among its Raft members, and the global
 * database's Raft state) while no daemon answers on its unix socket.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalDatabase, type RaftNodeInfo } from '@app/db';
import { CLUSTER_ADDRESS_KEY, hasRaftState, raftStoreDir } from '@app/db';
import { unixSocketPath } from '../config';
import { daemonAnswers } from './daemon-probe';
import { RecoveryRefusedError } from './recovery-refused-error';

export interface RecoveryTarget {
  readonly stateDir: string;
  readonly localDbFile: string;
  /** Directory of global.db and raft/. */
  readonly globalDir: string;
  readonly local: LocalDatabase;
  /** This member's cluster address (cluster.https_address). */
  readonly address: string;
  /** This member's entry among the Raft members. */
  readonly self: RaftNodeInfo;
  /** The Raft members the local database knows, by id. */
  readonly nodes: RaftNodeInfo[];
  close(): void;
}

export function localDbFileOf(stateDir: string): string {
  return path.join(stateDir, 'database', 'local.db');
}

export function globalDirOf(stateDir: string): string {
  return path.join(stateDir, 'database', 'global');
}

/** Throws RecoveryRefusedError when the daemon of `stateDir` answers on its unix socket. */
export async function refuseWhileDaemonRuns(stateDir: string): Promise<void> {
  const socket = unixSocketPath(stateDir);
  if (await daemonAnswers(socket)) {
    throw new RecoveryRefusedError(`The cubed daemon is running (it answers on ${socket}), please stop it first`);
  }
}

export async function openRecoveryTarget(stateDir: string): Promise<RecoveryTarget> {
  await refuseWhileDaemonRuns(stateDir);
  const localDbFile = localDbFileOf(stateDir);
  if (!fs.existsSync(localDbFile)) {
    throw new RecoveryRefusedError(`${stateDir} holds no cluster database: ${localDbFile} does not exist`);
  }
  const local = LocalDatabase.open(localDbFile);
  try {
    const address = local.getConfig(CLUSTER_ADDRESS_KEY);
    if (!address) {
      throw new RecoveryRefusedError(`This server isn't clustered: its local database ${localDbFile} has no "${CLUSTER_ADDRESS_KEY}"`);
    }
    const nodes = local.raftNodes();
    if (nodes.length === 0) throw new RecoveryRefusedError(`This server isn't clustered: its local database ${localDbFile} lists no Raft members`);
    const self = nodes.find((n) => n.address === address);
    if (!self) {
      throw new RecoveryRefusedError(
        `The local database's ${CLUSTER_ADDRESS_KEY} ${address} is not among its Raft members (${nodes.map((n) => `${n.id}=${n.address}`).join(', ')})`,
      );
    }
    const globalDir = globalDirOf(stateDir);
    if (!hasRaftState(globalDir)) {
      throw new RecoveryRefusedError(`${stateDir} holds no cluster database: ${raftStoreDir(globalDir)} holds no Raft state`);
    }
    return { stateDir, localDbFile, globalDir, local, address, self, nodes, close: () => local.close() };
  } catch (err) {
    local.close();
    throw err;
  }
}
