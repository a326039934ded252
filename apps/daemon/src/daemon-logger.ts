import { ConsoleLogger, LogLevel } from '@nestjs/common';

// Contexts whose `log`-level lines are Nest's start-up chatter ("Mapped {/1.0, GET} route", ...).
const BOOT_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/**
 * Nest's console logger, minus the framework's start-up chatter unless `CUBED_DEBUG` is set
 * (which also enables debug and verbose levels).
 */
export class DaemonLogger extends ConsoleLogger {
  private readonly debugEnabled: boolean;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    const debugEnabled = !!env.CUBED_DEBUG;
    const logLevels: LogLevel[] = debugEnabled
      ? ['fatal', 'error', 'warn', 'log', 'debug', 'verbose']
      : ['fatal', 'error', 'warn', 'log'];
    // No ANSI colours when the log goes to a file or journald.
    super('Daemon', { logLevels, prefix: 'cubed', colors: !!process.stdout.isTTY && !env.NO_COLOR });
    this.debugEnabled = debugEnabled;
  }

  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams[optionalParams.length - 1];
    if (!this.debugEnabled && typeof context === 'string' && BOOT_CONTEXTS.has(context)) return;
    super.log(message, ...optionalParams);
  }
}
