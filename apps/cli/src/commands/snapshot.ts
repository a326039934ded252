import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { CubedError } from '../cubed-error';
import { toGoJson } from '../go-shapes';
import { GO_ZERO_TIME } from '../go-time';
import { instancePath, snapshotPath, splitSnapshotName } from '../instance-paths';
import { InstanceSnapshotsPost } from '../lxd-shapes';

interface SnapshotOptions {
  stateful?: boolean;
  reuse?: boolean;
  expiry: boolean;
}

/**
 * `cube snapshot [<remote>:]<instance> [<snapshot name>]` (lxc snapshot): POST /1.0/instances/<name>/snapshots
 * `{name, stateful, expires_at}`; without a name the server picks one (`snap0`, …). `<instance>/<snapshot>` names
 * both at once. --reuse deletes a snapshot of that name first; --no-expiry sends the zero time as `expires_at`, so
 * that the instance's `snapshots.expiry` does not apply.
 */
export function registerSnapshotCommand(program: Command, ctx: CliContext): void {
  program
    .command('snapshot')
    .description('Create instance snapshots')
    .argument('<instance>', '[<remote>:]<instance>')
    .argument('[snapshot]', '<snapshot name>')
    .option('--stateful', "Whether or not to snapshot the instance's running state")
    .option('--no-expiry', 'Ignore any configured auto-expiry for the instance')
    .option('--reuse', 'If the snapshot name already exists, delete and create a new one')
    .action(async (arg: string, snapshotArg: string | undefined, opts: SnapshotOptions) => {
      const { client, name: fullName } = ctx.resource(arg);
      const parts = splitSnapshotName(fullName);
      const instance = parts.instance;
      let snapshot = parts.snapshot;
      if (snapshot !== undefined && snapshotArg !== undefined) {
        throw new CubedError(`Invalid instance name: ${fullName}`);
      }
      snapshot ??= snapshotArg ?? '';
      if (opts.reuse && snapshot !== '') {
        let exists = true;
        try {
          await client.get(snapshotPath(instance, snapshot));
        } catch {
          exists = false;
        }
        if (exists) await client.perform('DELETE', snapshotPath(instance, snapshot));
      }
      const request = toGoJson(
        { name: snapshot, stateful: opts.stateful === true, expires_at: opts.expiry ? null : GO_ZERO_TIME },
        InstanceSnapshotsPost,
      );
      await client.perform('POST', `${instancePath(instance)}/snapshots`, request);
    });
}
