/**
 * `cubed cluster edit`: the Raft members as YAML (LXD's format), edited in $EDITOR when standard
 * input is a terminal or read from standard input otherwise. A valid, changed configuration is
 * written to the global database's stored Raft membership first and then to the local database
 * (raft_nodes and, when this member's address changed, cluster.https_address), so that after a
 * crash in between the configuration still shows the old one and the same edit can be run again.
 * In the editor an invalid configuration is reported and can be corrected; from standard input it
 * fails. An unchanged configuration writes nothing.
 */
import { type RaftNodeInfo, raftNodeRoleToRole } from '@app/db';
import { type MembershipRewrite, type RaftStoreSummary, readRaftStoreSummary, replaceLocalRaftMembers, rewriteRaftMembership } from '@app/db';
import { stateDir } from '../config';
import { ClusterConfigError } from './cluster-config-error';
import { sameRaftNodes, validateClusterConfig } from './cluster-config-validation';
import { clusterConfigYaml, parseClusterConfigYaml } from './cluster-config-yaml';
import { logEntries, memberLabel, membershipText } from './membership-text';
import { raftRoleName } from './raft-role-names';
import type { RecoveryIo } from './recovery-io';
import { openRecoveryTarget, type RecoveryTarget } from './recovery-target';

export async function runClusterEdit(io: RecoveryIo): Promise<void> {
  const target = await openRecoveryTarget(stateDir(io.env));
  try {
    const summary = readRaftStoreSummary(target.globalDir);
    const next = await readEditedConfig(io, target, summary);
    if (sameRaftNodes(target.nodes, next)) {
      io.stdout('The cluster configuration is unchanged: nothing was written.\n');
      return;
    }
    const own = next.find((n) => n.id === target.self.id)!;
    const rewrite = summary.empty ? undefined : rewriteRaftMembership(target.globalDir, next.map((n) => ({ id: n.id, role: raftNodeRoleToRole(n.role) })));
    replaceLocalRaftMembers(target.local, next, own.address);
    io.stdout(editReport(target, next, rewrite));
  } finally {
    target.close();
  }
}

/** The configuration the user settled on, validated. */
async function readEditedConfig(io: RecoveryIo, target: RecoveryTarget, summary: RaftStoreSummary): Promise<RaftNodeInfo[]> {
  const shown = clusterConfigYaml(target.nodes);
  if (!io.stdinIsTerminal()) return validated(await io.readStdin(), target);
  let text = await io.editText(`${editorHeader(summary)}\n${shown}`);
  for (;;) {
    try {
      return validated(text, target);
    } catch (err) {
      if (!(err instanceof ClusterConfigError)) throw err;
      io.stderr(`Config validation error: ${err.message}\n`);
      io.stdout('Press enter to open the editor again or ctrl+c to abort change\n');
      if ((await io.readLine()) === undefined) throw new Error('Cluster configuration edit aborted');
      text = await io.editText(text);
    }
  }
}

function validated(text: string, target: RecoveryTarget): RaftNodeInfo[] {
  return validateClusterConfig(target.nodes, target.self, parseClusterConfigYaml(text));
}

function editorHeader(summary: RaftStoreSummary): string {
  if (summary.empty) return '# This member holds no copy of the global database yet (its Raft log is empty).\n';
  return `# Latest Raft log entry of this member: index ${summary.last.index} (term ${summary.last.term}), committed up to index ${summary.commitIndex}.\n`;
}

function editReport(target: RecoveryTarget, next: readonly RaftNodeInfo[], rewrite: MembershipRewrite | undefined): string {
  const lines: string[] = [];
  const before = new Map(target.nodes.map((n) => [n.id, n]));
  for (const n of next) {
    const old = before.get(n.id)!;
    const changes: string[] = [];
    if (old.address !== n.address) changes.push(`address ${old.address} -> ${n.address}`);
    if (old.role !== n.role) changes.push(`role ${raftRoleName(old.role)} -> ${raftRoleName(n.role)}`);
    if (old.name !== n.name) changes.push(`name "${old.name}" -> "${n.name}"`);
    if (changes.length > 0) lines.push(`Member ${memberLabel(old)}: ${changes.join(', ')}`);
  }
  const own = next.find((n) => n.id === target.self.id)!;
  if (own.address !== target.address) lines.push(`This member's cluster.https_address is now ${own.address}`);
  if (rewrite) {
    lines.push(
      `The Raft membership of the global database is now ${membershipText(rewrite.membership)} ` +
        `(in a snapshot at index ${rewrite.snapshot.index}, term ${rewrite.snapshot.term}; ${logEntries(rewrite.uncommittedEntries)} after it kept).`,
    );
  } else {
    lines.push('This member holds no copy of the global database yet: it learns the Raft membership from the leader.');
  }
  lines.push('Make the same change on every other member before starting the daemons again.');
  return lines.map((l) => `${l}\n`).join('');
}
