/**
 * The server configuration (`config` of GET /1.0): local keys from this member's local database,
 * global keys from the replicated `config` table. Updates are validated as a whole first, then
 * written: global keys in one replicated transaction, local keys in one local transaction.
 */
import { Injectable } from '@nestjs/common';
import { Databases } from '../database/databases';
import { badRequest } from '../http/lxd-error';
import { configKey } from './server-config-schema';
import { hashTrustPassword } from './trust-password';

export type ConfigChangeListener = (changed: ReadonlySet<string>) => void | Promise<void>;

@Injectable()
export class ServerConfig {
  private readonly listeners = new Set<ConfigChangeListener>();

  constructor(private readonly databases: Databases) {}

  /** Global keys as stored (hashed password included), linearizable. */
  async globalValues(): Promise<Record<string, string>> {
    const rows = await this.databases.global.query<{ key: string; value: string | null }>('SELECT key, value FROM config ORDER BY key');
    const out: Record<string, string> = {};
    for (const r of rows) if (r.value !== null && r.value !== '') out[r.key] = r.value;
    return out;
  }

  localValues(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.databases.local.allConfig())) {
      if (configKey(k)?.scope === 'local' && v !== '') out[k] = v;
    }
    return out;
  }

  /** The config as the API shows it: secrets as `true`. */
  async view(): Promise<Record<string, unknown>> {
    const all: Record<string, unknown> = { ...(await this.globalValues()), ...this.localValues() };
    for (const k of Object.keys(all)) if (configKey(k)?.hidden) all[k] = true;
    return all;
  }

  /** A global key's value, or its default. */
  async get(key: string): Promise<string | undefined> {
    const def = configKey(key);
    if (def?.scope === 'local') return this.databases.local.getConfig(key) ?? def.default;
    const rows = await this.databases.global.query<{ value: string | null }>('SELECT value FROM config WHERE key = ?', [key]);
    const v = rows[0]?.value;
    return v === null || v === undefined || v === '' ? def?.default : v;
  }

  /**
   * Sets keys (a value of '' or null unsets). `replace`: keys not given are unset (PUT). Refuses
   * unknown keys and invalid values before writing anything.
   */
  async update(values: Record<string, unknown>, replace: boolean): Promise<Set<string>> {
    if (typeof values !== 'object' || values === null || Array.isArray(values)) throw badRequest('The config must be an object of keys and string values');
    const wanted = new Map<string, string | null>();
    for (const [key, raw] of Object.entries(values)) {
      const def = configKey(key);
      if (!def) throw badRequest(`Invalid option key "${key}"`);
      if (raw !== null && typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
        throw badRequest(`Invalid value for "${key}": expected a string`);
      }
      // The API shows a set password as `true`; sending that back leaves it unchanged.
      if (def.hidden && raw === true) continue;
      const value = raw === null ? '' : String(raw);
      if (value !== '') {
        try {
          def.validate(value);
        } catch (err) {
          throw badRequest(`Invalid value for "${key}": ${(err as Error).message}`);
        }
      }
      wanted.set(key, value === '' ? null : value);
    }
    const currentGlobal = await this.globalValues();
    const currentLocal = this.localValues();
    if (replace) {
      for (const k of [...Object.keys(currentGlobal), ...Object.keys(currentLocal)]) {
        if (!wanted.has(k) && !(configKey(k)?.hidden && values[k] === true)) wanted.set(k, null);
      }
    }
    const globalChanges: [string, string | null][] = [];
    const localChanges: Record<string, string | null> = {};
    const changed = new Set<string>();
    for (const [key, value] of wanted) {
      const def = configKey(key)!;
      if (def.scope === 'local') {
        if ((currentLocal[key] ?? null) === value) continue;
        localChanges[key] = value;
      } else {
        const stored = value !== null && def.hidden ? await hashTrustPassword(value) : value;
        if ((currentGlobal[key] ?? null) === value && !def.hidden) continue;
        globalChanges.push([key, stored]);
      }
      changed.add(key);
    }
    if (globalChanges.length > 0) {
      await this.databases.global.exec({
        statements: globalChanges.map(([key, value]) =>
          value === null
            ? { sql: 'DELETE FROM config WHERE key = ?', params: [key] }
            : { sql: 'INSERT INTO config (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', params: [key, value] },
        ),
      });
    }
    if (Object.keys(localChanges).length > 0) this.databases.local.setConfigs(localChanges);
    try {
      if (changed.size > 0) for (const l of [...this.listeners]) await l(changed);
    } catch (err) {
      // A local key that cannot take effect (an address that cannot be bound) is put back.
      const previous: Record<string, string | null> = {};
      for (const k of Object.keys(localChanges)) previous[k] = currentLocal[k] ?? null;
      if (Object.keys(previous).length > 0) this.databases.local.setConfigs(previous);
      throw badRequest((err as Error).message);
    }
    return changed;
  }

  /** Called after every change with the keys that changed (listener restarts, cluster settings). */
  onChange(listener: ConfigChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
