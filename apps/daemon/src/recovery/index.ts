/**
 * `cubed cluster …`: low-level administration of the cluster database with the daemon stopped,
 * after LXD's `lxd cluster` commands: list-database, edit and recover-from-quorum-loss.
 */
import type { Command } from 'commander';
import { runClusterEdit } from './edit-command';
import { runListDatabase } from './list-database-command';
import { runRecoverFromQuorumLoss } from './recover-command';
import type { RecoveryIo } from './recovery-io';

export type { RecoveryIo } from './recovery-io';
export { processRecoveryIo } from './process-recovery-io';
export { RecoveryRefusedError } from './recovery-refused-error';
export { ClusterConfigError } from './cluster-config-error';
export { runListDatabase } from './list-database-command';
export { runClusterEdit } from './edit-command';
export { runRecoverFromQuorumLoss } from './recover-command';
export type { RecoverOptions } from './recover-command';

/** Adds the `cluster` command group to `program`; returns it. */
export function registerRecoveryCommands(program: Command, io: RecoveryIo): Command {
  const cluster = program
    .command('cluster')
    .description('low-level administration of the cluster database, with the daemon stopped');

  cluster
    .command('list-database')
    .alias('ls')
    .description("print the Raft members of this member's local database")
    .option('-f, --format <format>', 'output format (csv|json|table|yaml|compact)', 'table')
    .action((opts: { format: string }) => runListDatabase(io, opts.format));

  cluster
    .command('edit')
    .description('edit the Raft members as YAML ($EDITOR when standard input is a terminal, else read from standard input)')
    .action(() => runClusterEdit(io));

  cluster
    .command('recover-from-quorum-loss')
    .description('make this member the only voter of a cluster whose other database members are lost for good')
    .option('-q, --quiet', "don't ask for confirmation")
    .action((opts: { quiet?: boolean }) => runRecoverFromQuorumLoss(io, { quiet: opts.quiet === true }));

  return cluster;
}
