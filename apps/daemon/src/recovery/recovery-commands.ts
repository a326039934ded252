/**
 * The `cubed cluster …` command group. Each command's module (and the database library it needs)
 * is loaded when the command runs, so that registering the group costs the other commands nothing.
 */
import type { Command } from 'commander';
import type { RecoveryIo } from './recovery-io';

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
    .action(async (opts: { format: string }) => (await import('./list-database-command')).runListDatabase(io, opts.format));

  cluster
    .command('edit')
    .description('edit the Raft members as YAML ($EDITOR when standard input is a terminal, else read from standard input)')
    .action(async () => (await import('./edit-command')).runClusterEdit(io));

  cluster
    .command('recover-from-quorum-loss')
    .description('make this member the only voter of a cluster whose other database members are lost for good')
    .option('-q, --quiet', "don't ask for confirmation")
    .action(async (opts: { quiet?: boolean }) => (await import('./recover-command')).runRecoverFromQuorumLoss(io, { quiet: opts.quiet === true }));

  return cluster;
}
