import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { socketPathFor } from '../local-socket';
import { runSqlCommand } from '../sql-command';

/** `cube sql <local|global> <query>`: administrator SQL on the local daemon (its unix socket only, like `lxd sql`). */
export function registerSqlCommand(program: Command, ctx: CliContext): void {
  program
    .command('sql')
    .description('Run a SQL query against the local or global database of the local daemon')
    .argument('<database>', 'local or global')
    .argument('<query>', 'SQL, "-" to read it from standard input, ".dump", ".schema" or ".checksums"')
    .option('-f, --format <format>', 'Format (sql|csv|json|table|yaml|compact)', 'sql')
    .action(async (database: string, query: string, opts: { format: string }) => {
      await runSqlCommand(socketPathFor(ctx.io.env), database, query, opts.format, {
        stdout: (text) => ctx.out(text),
        readStdin: () => ctx.io.stdin.readAll(),
      });
    });
}
