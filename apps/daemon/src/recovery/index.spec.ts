import { Command } from 'commander';
import { registerRecoveryCommands } from './index';
import type { RecoveryIo } from './recovery-io';

describe('registerRecoveryCommands', () => {
  it('adds the cluster group with its three commands and their options', async () => {
    const program = new Command('cubed').exitOverride();
    let help = '';
    program.configureOutput({ writeOut: (s) => (help += s), writeErr: (s) => (help += s) });
    const unused = (): never => {
      throw new Error('no command runs in this test');
    };
    const io: RecoveryIo = { env: {}, stdout: unused, stderr: unused, stdinIsTerminal: unused, readStdin: unused, readLine: unused, editText: unused };
    const cluster = registerRecoveryCommands(program, io);
    expect(cluster.name()).toBe('cluster');
    expect(program.commands.map((c) => c.name())).toEqual(['cluster']);
    expect(cluster.commands.map((c) => [c.name(), c.aliases(), c.options.map((o) => o.flags)])).toEqual([
      ['list-database', ['ls'], ['-f, --format <format>']],
      ['edit', [], []],
      ['recover-from-quorum-loss', [], ['-q, --quiet']],
    ]);
    await expect(program.parseAsync(['cluster', '--help'], { from: 'user' })).rejects.toMatchObject({ code: 'commander.helpDisplayed' });
    expect(help).toContain('list-database|ls');
    expect(help).toContain('recover-from-quorum-loss');
  });
});
