import type { Command } from 'commander';
import { withQuery } from '../api-path';
import type { CliContext } from '../cli-context';
import { CubedError } from '../cubed-error';
import { closeError, streamEvents } from '../events-socket';
import { formatEvent, parseEvent, parseLogLevel, prettyEvent } from '../event-output';

interface MonitorOptions {
  type: string[];
  pretty?: boolean;
  format: string;
  loglevel?: string;
  allProjects?: boolean;
}

/**
 * `cube monitor [<remote>:]`: prints the daemon's events as they come (lxc monitor, LXD 5.0.2): YAML by default,
 * `--format json`, or `--pretty` log lines. The websocket asks for the chosen `--type`s (GET /1.0/events?type=…,
 * comma-separated) and events of other types are dropped as well. It runs until the stream closes, which is an
 * error, as in lxc (as is an event that --pretty cannot show).
 */
export function registerMonitorCommand(program: Command, ctx: CliContext): void {
  program
    .command('monitor')
    .description('Monitor a local or remote LXD server')
    .argument('[remote]', '[<remote>:]')
    .option(
      '--type <type>',
      'Event type to listen for (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--pretty', 'Pretty rendering (short for --format=pretty)')
    .option('--all-projects', 'Show events from all projects')
    .option('--loglevel <level>', 'Minimum level for log messages (only available when using pretty format)')
    .option('-f, --format <format>', 'Format (json|pretty|yaml)', 'yaml')
    .action(async (remote: string | undefined, opts: MonitorOptions) => {
      if (!['json', 'pretty', 'yaml'].includes(opts.format)) throw new CubedError(`Invalid format: ${opts.format}`);
      const format = opts.pretty ? 'pretty' : (opts.format as 'json' | 'pretty' | 'yaml');
      if (format !== 'pretty' && opts.loglevel)
        throw new CubedError('Log level filtering can only be used with pretty formatting');
      const maxLevel = parseLogLevel(opts.loglevel || 'debug');
      const { client } = ctx.resource(remote);
      const types = opts.type;
      const path = withQuery('/1.0/events', {
        type: types.length > 0 ? types.join(',') : undefined,
        'all-projects': opts.allProjects ? 'true' : undefined,
      });
      const end = await streamEvents(client, path, (message) => {
        const event = parseEvent(message);
        if (!event || (types.length > 0 && !types.includes(event.type))) return;
        const text = format === 'pretty' ? prettyEvent(event, maxLevel) : formatEvent(event, format);
        if (text !== undefined) ctx.out(text);
      });
      throw closeError(end);
    });
}
