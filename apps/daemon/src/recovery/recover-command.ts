/**
 * `cubed cluster recover-from-quorum-loss [--quiet]`: for a cluster whose other database members
 * are gone for good, makes this member the only voter of the global database. As LXD does, the
 * other members are removed from the Raft membership and from the local raft_nodes (their records
 * in the global database stay, for inspection and later removal). Every log entry this member
 * holds is kept: those not known to be committed are committed when the daemon starts and leads
 * alone. Asks for confirmation unless --quiet.
 */
import { RaftNodeRole } from '@app/db';
import { readRaftStoreSummary, replaceLocalRaftMembers, rewriteRaftMembership } from '@app/db';
import { Role } from '@app/raft';
import { stateDir } from '../config';
import { memberLabel } from './membership-text';
import { membershipRoleName } from './raft-role-names';
import type { RecoveryIo } from './recovery-io';
import { RecoveryRefusedError } from './recovery-refused-error';
import { openRecoveryTarget } from './recovery-target';

export interface RecoverOptions {
  /** Do not ask for confirmation. */
  quiet: boolean;
}

export const RECOVER_QUESTION = 'Do you want to proceed? (yes/no): ';

export async function runRecoverFromQuorumLoss(io: RecoveryIo, opts: RecoverOptions): Promise<void> {
  const target = await openRecoveryTarget(stateDir(io.env));
  try {
    const summary = readRaftStoreSummary(target.globalDir);
    if (summary.empty) {
      throw new RecoveryRefusedError(
        'This member holds no copy of the global database (its Raft log is empty): recover from a member that does',
      );
    }
    if (!opts.quiet) {
      io.stdout(
        [
          'Go on only if this member is the last database member of the cluster that is left, and the',
          'other database members are lost for good: their daemons must never run again with the state',
          'they hold now.',
          '',
          'This member becomes the only voter of the global database: the other members leave its Raft',
          "membership and this member's list of Raft members. What the global database records about them",
          'is kept, to be inspected or removed later.',
          '',
          `This member is ${memberLabel(target.self)}; its Raft log ends at index ${summary.last.index} ` +
            `(term ${summary.last.term}) and is committed up to index ${summary.commitIndex}.`,
          '',
          RECOVER_QUESTION,
        ].join('\n'),
      );
      const answer = await io.readLine();
      if ((answer ?? '').trim().toLowerCase() !== 'yes') throw new Error('Recover operation aborted');
    }

    const result = rewriteRaftMembership(target.globalDir, [{ id: target.self.id, role: Role.Voter }]);
    replaceLocalRaftMembers(target.local, [{ ...target.self, role: RaftNodeRole.Voter }], target.address);

    const known = new Map(target.nodes.map((n) => [n.id, n]));
    const removed = result.previousMembership
      .filter((m) => m.id !== target.self.id)
      .map((m) => {
        const n = known.get(m.id);
        return n ? memberLabel(n, membershipRoleName(m.role)) : `id ${m.id} (${membershipRoleName(m.role)})`;
      });
    const lines = [
      `${memberLabel(target.self)} is now the only voter of the global database.`,
      removed.length > 0 ? `Removed from the Raft membership: ${removed.join(', ')}.` : 'No other member was in the Raft membership.',
      `The global database holds every entry committed up to index ${result.snapshot.index} (term ${result.snapshot.term})` +
        (result.appliedEntries > 0 ? `, ${result.appliedEntries} of them applied just now` : '') +
        '.',
      result.uncommittedEntries > 0
        ? `${result.uncommittedEntries === 1 ? 'A later log entry was' : `${result.uncommittedEntries} later log entries were`} not known to be committed: ` +
          'they are kept, and committed when the daemon starts.'
        : 'No log entry after it was waiting to be committed.',
      'Start the daemon: it leads the cluster alone.',
    ];
    io.stdout(lines.map((l) => `${l}\n`).join(''));
  } finally {
    target.close();
  }
}
