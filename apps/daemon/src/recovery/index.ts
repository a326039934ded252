/**
 * `cubed cluster …`: low-level administration of the cluster database with the daemon stopped,
 * after LXD's `lxd cluster` commands: list-database, edit and recover-from-quorum-loss.
 */
export { registerRecoveryCommands } from './recovery-commands';
export type { RecoveryIo } from './recovery-io';
export { processRecoveryIo } from './process-recovery-io';
export { RecoveryRefusedError } from './recovery-refused-error';
export { ClusterConfigError } from './cluster-config-error';
export { runListDatabase } from './list-database-command';
export { runClusterEdit } from './edit-command';
export { runRecoverFromQuorumLoss } from './recover-command';
export type { RecoverOptions } from './recover-command';
