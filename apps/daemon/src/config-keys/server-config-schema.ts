/**
 * The server configuration keys Cubed knows, as LXD defines them: where each lives (`local` in the
 * member's local database, `global` in the replicated config table), how it is validated, and its
 * default. `core.trust_password` is stored hashed and shown as `true`.
 */
export type ConfigScope = 'local' | 'global';

export interface ConfigKey {
  scope: ConfigScope;
  /** Throws an Error with a user-facing message when `value` is not acceptable. */
  validate(value: string): void;
  default?: string;
  /** Shown as `true` when set (a secret). */
  hidden?: boolean;
}

const any = (): void => undefined;

export function validAddress(value: string): void {
  if (value === '') return;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]*)(?::(\d{1,5}))?$/.exec(value);
  if (!m) throw new Error(`Invalid address "${value}": expected host:port, [ipv6]:port or :port`);
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) throw new Error(`Invalid port in "${value}"`);
}

function integer(min: number, max = Number.MAX_SAFE_INTEGER, extra?: (n: number) => string | undefined) {
  return (value: string): void => {
    if (!/^-?\d+$/.test(value)) throw new Error(`Invalid value "${value}": expected an integer`);
    const n = Number(value);
    if (n < min || n > max) throw new Error(`Invalid value ${n}: ${max === Number.MAX_SAFE_INTEGER ? `must be at least ${min}` : `must be between ${min} and ${max}`}`);
    const problem = extra?.(n);
    if (problem) throw new Error(problem);
  };
}

function bool(value: string): void {
  if (!['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', ''].includes(value.toLowerCase())) throw new Error(`Invalid value "${value}": expected true or false`);
}

/** LXD durations: a number and a unit (S, M, H, d, w, m, y), e.g. "3H". */
export function parseDurationMs(value: string): number {
  const m = /^(\d+)\s*([SMHdwmy])$/.exec(value.trim());
  if (!m) throw new Error(`Invalid duration "${value}": expected a number and a unit (S, M, H, d, w, m or y), e.g. 3H`);
  const unit: Record<string, number> = { S: 1e3, M: 60e3, H: 3600e3, d: 86400e3, w: 7 * 86400e3, m: 30 * 86400e3, y: 365 * 86400e3 };
  return Number(m[1]) * unit[m[2]];
}

export const SERVER_CONFIG: Record<string, ConfigKey> = {
  'core.https_address': { scope: 'local', validate: validAddress },
  'cluster.https_address': { scope: 'local', validate: validAddress },
  'core.debug_address': { scope: 'local', validate: validAddress },
  'core.metrics_address': { scope: 'local', validate: validAddress },
  'storage.backups_volume': { scope: 'local', validate: any },
  'storage.images_volume': { scope: 'local', validate: any },
  'core.trust_password': { scope: 'global', validate: any, hidden: true },
  'core.trust_ca_certificates': { scope: 'global', validate: bool, default: 'false' },
  'core.https_allowed_headers': { scope: 'global', validate: any },
  'core.https_allowed_methods': { scope: 'global', validate: any },
  'core.https_allowed_origin': { scope: 'global', validate: any },
  'core.https_allowed_credentials': { scope: 'global', validate: bool },
  'core.proxy_http': { scope: 'global', validate: any },
  'core.proxy_https': { scope: 'global', validate: any },
  'core.proxy_ignore_hosts': { scope: 'global', validate: any },
  'core.shutdown_timeout': { scope: 'global', validate: integer(0), default: '5' },
  'cluster.max_voters': {
    scope: 'global',
    validate: integer(3, 101, (n) => (n % 2 === 0 ? `Invalid value ${n}: the number of voters must be odd` : undefined)),
    default: '3',
  },
  'cluster.max_standby': { scope: 'global', validate: integer(0, 5), default: '2' },
  'cluster.offline_threshold': { scope: 'global', validate: integer(2), default: '20' },
  'cluster.join_token_expiry': { scope: 'global', validate: (v) => void parseDurationMs(v), default: '3H' },
  'cluster.images_minimal_replica': { scope: 'global', validate: integer(-1), default: '3' },
  'images.auto_update_cached': { scope: 'global', validate: bool, default: 'true' },
  'images.auto_update_interval': { scope: 'global', validate: integer(0), default: '6' },
  'images.compression_algorithm': { scope: 'global', validate: any, default: 'gzip' },
  'images.remote_cache_expiry': { scope: 'global', validate: integer(0), default: '10' },
  'backups.compression_algorithm': { scope: 'global', validate: any, default: 'gzip' },
  /** Rank placement candidates by their free memory and CPU load as well as by their instance count. */
  'scheduler.resource_aware': { scope: 'global', validate: bool, default: 'false' },
};

/** The definition of `key`, or undefined for unknown keys (user.* keys are free-form, global). */
export function configKey(key: string): ConfigKey | undefined {
  if (key.startsWith('user.') && key.length > 5) return { scope: 'global', validate: any };
  return SERVER_CONFIG[key];
}
