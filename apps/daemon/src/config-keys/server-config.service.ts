/**
 * The server configuration (`config` of GET /1.0): local keys from this member's local database,
 * global keys from the replicated `config` table. Updates are validated as a whole first, then
 * written: global keys in one replicated transaction, local keys in one local transaction.
 */
import type { SqlStatement, TxParam } from '@app/db';
import { Injectable } from '@nestjs/common';
import { Databases } from '../database/databases';
import { goKind } from '../http/go-kind';
import { badRequest } from '../http/lxd-error';
import { configKey } from './server-config-schema';
import { hashTrustPassword } from './trust-password';

const UPSERT_CONFIG = 'INSERT INTO config (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value';

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
      // The API shows a set password as `true`; sending that back leaves it unchanged.
      if (def.hidden && raw === true) continue;
      if (raw !== null && typeof raw !== 'string') throw badRequest(`cannot set '${key}': invalid type ${goKind(raw)}`);
      const value = raw ?? '';
      if (value !== '') {
        try {
          def.validate(value);
        } catch (err) {
          throw badRequest(`Invalid value for "${key}": ${(err as Error).message}`);
        }
      }
      wanted.set(key, value === '' ? null : value);
    }
    // A hidden key sent back as `true` keeps its value (PUT too).
    const keptHidden = Object.keys(values).filter((k) => configKey(k)?.hidden && values[k] === true);
    const currentLocal = this.localValues();
    // The other members reach a clustered member at its cluster address, and the Raft membership
    // records it: as in LXD, it stays as it is (a PUT must send it back unchanged).
    if (this.databases.clustered) {
      const now = currentLocal['cluster.https_address'] ?? null;
      const next = wanted.has('cluster.https_address') ? wanted.get('cluster.https_address')! : replace ? null : now;
      if (next !== now) throw badRequest('Changing cluster.https_address is currently not supported');
    }
    const localChanges: Record<string, string | null> = {};
    const globalWanted: [string, string | null][] = [];
    for (const [key, value] of wanted) {
      if (configKey(key)!.scope !== 'local') globalWanted.push([key, value]);
      else if ((currentLocal[key] ?? null) !== value) localChanges[key] = value;
    }
    if (replace) {
      for (const k of Object.keys(currentLocal)) if (!wanted.has(k) && !keptHidden.includes(k)) localChanges[k] = null;
    }
    const changed = await this.writeGlobal(globalWanted, replace ? [...globalWanted.map(([k]) => k), ...keptHidden] : undefined);
    for (const k of Object.keys(localChanges)) changed.add(k);
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

  /**
   * Writes global keys (null: unset) and, when `keepOnly` is given, unsets every other global key
   * not in it, in one replicated transaction without reading first: each statement says whether it
   * changed a row, so a concurrent write is never undone by a stale read. A hidden key (the trust
   * password) is stored hashed, and counts as changed whenever it is given.
   */
  private async writeGlobal(keys: [string, string | null][], keepOnly?: string[]): Promise<Set<string>> {
    const statements: SqlStatement<TxParam>[] = [];
    for (const [key, value] of keys) {
      if (value === null) {
        statements.push({ sql: 'DELETE FROM config WHERE key = ?', params: [key] });
      } else if (configKey(key)!.hidden) {
        statements.push({ sql: UPSERT_CONFIG, params: [key, await hashTrustPassword(value)] });
      } else {
        statements.push({ sql: `${UPSERT_CONFIG} WHERE config.value IS NOT excluded.value`, params: [key, value] });
      }
    }
    if (keepOnly) {
      statements.push({ sql: `DELETE FROM config WHERE key NOT IN (SELECT value FROM json_each(?)) RETURNING key`, params: [JSON.stringify(keepOnly)] });
    }
    const changed = new Set<string>();
    if (statements.length === 0) return changed;
    const r = await this.databases.global.exec({ statements });
    keys.forEach(([key], i) => {
      if (r.statements[i].changes > 0) changed.add(key);
    });
    if (keepOnly) for (const row of r.statements[keys.length].rows ?? []) changed.add(String(row[0]));
    return changed;
  }

  /** Called after every change with the keys that changed (listener restarts, cluster settings). */
  onChange(listener: ConfigChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
