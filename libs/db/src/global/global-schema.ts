/**
 * The global (cluster-wide) database schema, modelled on LXD's cluster schema, as an ordered list
 * of updates. Update N (1-based) takes the schema from version N-1 to N; it is applied through Raft
 * as one replicated transaction that also records `INSERT INTO schema (version, updated_at)`. The
 * UNIQUE version makes a migration run once: a duplicated proposal (two members migrating at the
 * same time, a retried proposal) fails on the constraint and its whole transaction rolls back.
 *
 * No column defaults to the clock (CURRENT_TIMESTAMP and friends would differ between replicas):
 * timestamps are passed as parameters, as ISO 8601 UTC strings.
 *
 * Never edit a released update: append a new one.
 */
import type { GlobalStateMachine } from './global-state-machine';
import type { ReplicatedTx } from './replicated-tx';

const SCHEMA_TABLE = `CREATE TABLE IF NOT EXISTS schema (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  version INTEGER NOT NULL,
  updated_at DATETIME NOT NULL,
  UNIQUE (version)
)`;

/** Refuses an update applied before its predecessors (a duplicate still fails on UNIQUE). */
const SCHEMA_ORDER_TRIGGER = `CREATE TRIGGER IF NOT EXISTS schema_updates_in_order BEFORE INSERT ON schema
WHEN NEW.version > (SELECT COALESCE(MAX(version), 0) + 1 FROM schema)
BEGIN
  SELECT RAISE(ABORT, 'schema update applied before its predecessors');
END`;

const UPDATE_1: string[] = [
  `CREATE TABLE config (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  key TEXT NOT NULL,
  value TEXT,
  UNIQUE (key)
)`,

  // Cluster members.
  `CREATE TABLE nodes_failure_domains (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  name TEXT NOT NULL,
  UNIQUE (name)
)`,
  `CREATE TABLE nodes (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL,
  schema INTEGER NOT NULL,
  api_extensions INTEGER NOT NULL,
  heartbeat DATETIME,
  state INTEGER NOT NULL DEFAULT 0,
  arch INTEGER NOT NULL,
  failure_domain_id INTEGER DEFAULT NULL,
  UNIQUE (name),
  UNIQUE (address),
  FOREIGN KEY (failure_domain_id) REFERENCES nodes_failure_domains (id) ON DELETE SET NULL
)`,
  `CREATE TABLE nodes_roles (
  node_id INTEGER NOT NULL,
  role INTEGER NOT NULL,
  UNIQUE (node_id, role),
  FOREIGN KEY (node_id) REFERENCES nodes (id) ON DELETE CASCADE
)`,
  `CREATE TABLE nodes_config (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  node_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  UNIQUE (node_id, key),
  FOREIGN KEY (node_id) REFERENCES nodes (id) ON DELETE CASCADE
)`,
  `CREATE TABLE cluster_groups (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  UNIQUE (name)
)`,
  `CREATE TABLE nodes_cluster_groups (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  node_id INTEGER NOT NULL,
  group_id INTEGER NOT NULL,
  UNIQUE (node_id, group_id),
  FOREIGN KEY (node_id) REFERENCES nodes (id) ON DELETE CASCADE,
  FOREIGN KEY (group_id) REFERENCES cluster_groups (id) ON DELETE CASCADE
)`,
  `INSERT INTO cluster_groups (id, name, description) VALUES (1, 'default', 'Default cluster group')`,

  // Projects.
  `CREATE TABLE projects (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  UNIQUE (name)
)`,
  `CREATE TABLE projects_config (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  project_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT,
  UNIQUE (project_id, key),
  FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
)`,
  `INSERT INTO projects (id, name, description) VALUES (1, 'default', 'Default project')`,
  `INSERT INTO projects_config (project_id, key, value) VALUES
  (1, 'features.images', 'true'),
  (1, 'features.profiles', 'true'),
  (1, 'features.storage.volumes', 'true'),
  (1, 'features.storage.buckets', 'true'),
  (1, 'features.networks', 'true')`,

  // Profiles.
  `CREATE TABLE profiles (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  project_id INTEGER NOT NULL,
  UNIQUE (project_id, name),
  FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
)`,
  `CREATE INDEX profiles_project_id_idx ON profiles (project_id)`,
  `CREATE TABLE profiles_config (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  profile_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT,
  UNIQUE (profile_id, key),
  FOREIGN KEY (profile_id) REFERENCES profiles (id) ON DELETE CASCADE
)`,
  `CREATE TABLE profiles_devices (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  profile_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  type INTEGER NOT NULL DEFAULT 0,
  UNIQUE (profile_id, name),
  FOREIGN KEY (profile_id) REFERENCES profiles (id) ON DELETE CASCADE
)`,
  `CREATE TABLE profiles_devices_config (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  profile_device_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT,
  UNIQUE (profile_device_id, key),
  FOREIGN KEY (profile_device_id) REFERENCES profiles_devices (id) ON DELETE CASCADE
)`,
  `INSERT INTO profiles (id, name, description, project_id) VALUES (1, 'default', 'Default profile', 1)`,

  // Instances (containers and virtual machines) and their snapshots.
  `CREATE TABLE instances (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  node_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  architecture INTEGER NOT NULL,
  type INTEGER NOT NULL,
  ephemeral INTEGER NOT NULL DEFAULT 0,
  creation_date DATETIME NOT NULL,
  stateful INTEGER NOT NULL DEFAULT 0,
  last_use_date DATETIME,
  description TEXT NOT NULL DEFAULT '',
  project_id INTEGER NOT NULL,
  expiry_date DATETIME,
  UNIQUE (project_id, name),
  FOREIGN KEY (node_id) REFERENCES nodes (id) ON DELETE CASCADE,
  FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
)`,
  `CREATE INDEX instances_node_id_idx ON instances (node_id)`,
  `CREATE INDEX instances_project_id_and_node_id_idx ON instances (project_id, node_id)`,
  `CREATE TABLE instances_config (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  instance_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT,
  UNIQUE (instance_id, key),
  FOREIGN KEY (instance_id) REFERENCES instances (id) ON DELETE CASCADE
)`,
  `CREATE TABLE instances_devices (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  instance_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  type INTEGER NOT NULL DEFAULT 0,
  UNIQUE (instance_id, name),
  FOREIGN KEY (instance_id) REFERENCES instances (id) ON DELETE CASCADE
)`,
  `CREATE TABLE instances_devices_config (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  instance_device_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT,
  UNIQUE (instance_device_id, key),
  FOREIGN KEY (instance_device_id) REFERENCES instances_devices (id) ON DELETE CASCADE
)`,
  `CREATE TABLE instances_profiles (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  instance_id INTEGER NOT NULL,
  profile_id INTEGER NOT NULL,
  apply_order INTEGER NOT NULL DEFAULT 0,
  UNIQUE (instance_id, profile_id),
  FOREIGN KEY (instance_id) REFERENCES instances (id) ON DELETE CASCADE,
  FOREIGN KEY (profile_id) REFERENCES profiles (id) ON DELETE CASCADE
)`,
  `CREATE TABLE instances_snapshots (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  instance_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  creation_date DATETIME NOT NULL,
  stateful INTEGER NOT NULL DEFAULT 0,
  description TEXT NOT NULL DEFAULT '',
  expiry_date DATETIME,
  UNIQUE (instance_id, name),
  FOREIGN KEY (instance_id) REFERENCES instances (id) ON DELETE CASCADE
)`,
  `CREATE TABLE instances_snapshots_config (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  instance_snapshot_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT,
  UNIQUE (instance_snapshot_id, key),
  FOREIGN KEY (instance_snapshot_id) REFERENCES instances_snapshots (id) ON DELETE CASCADE
)`,
  `CREATE TABLE instances_snapshots_devices (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  instance_snapshot_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  type INTEGER NOT NULL DEFAULT 0,
  UNIQUE (instance_snapshot_id, name),
  FOREIGN KEY (instance_snapshot_id) REFERENCES instances_snapshots (id) ON DELETE CASCADE
)`,
  `CREATE TABLE instances_snapshots_devices_config (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  instance_snapshot_device_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT,
  UNIQUE (instance_snapshot_device_id, key),
  FOREIGN KEY (instance_snapshot_device_id) REFERENCES instances_snapshots_devices (id) ON DELETE CASCADE
)`,

  // Images.
  `CREATE TABLE images (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  fingerprint TEXT NOT NULL,
  filename TEXT NOT NULL,
  size INTEGER NOT NULL,
  public INTEGER NOT NULL DEFAULT 0,
  architecture INTEGER NOT NULL,
  creation_date DATETIME,
  expiry_date DATETIME,
  upload_date DATETIME NOT NULL,
  cached INTEGER NOT NULL DEFAULT 0,
  last_use_date DATETIME,
  auto_update INTEGER NOT NULL DEFAULT 0,
  project_id INTEGER NOT NULL,
  type INTEGER NOT NULL DEFAULT 0,
  UNIQUE (project_id, fingerprint),
  FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
)`,
  `CREATE INDEX images_project_id_idx ON images (project_id)`,
  `CREATE TABLE images_aliases (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  name TEXT NOT NULL,
  image_id INTEGER NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  project_id INTEGER NOT NULL,
  UNIQUE (project_id, name),
  FOREIGN KEY (image_id) REFERENCES images (id) ON DELETE CASCADE,
  FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
)`,
  `CREATE TABLE images_properties (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  image_id INTEGER NOT NULL,
  type INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT,
  UNIQUE (image_id, key),
  FOREIGN KEY (image_id) REFERENCES images (id) ON DELETE CASCADE
)`,
  `CREATE TABLE images_nodes (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  image_id INTEGER NOT NULL,
  node_id INTEGER NOT NULL,
  UNIQUE (image_id, node_id),
  FOREIGN KEY (image_id) REFERENCES images (id) ON DELETE CASCADE,
  FOREIGN KEY (node_id) REFERENCES nodes (id) ON DELETE CASCADE
)`,

  // Networks.
  `CREATE TABLE networks (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  project_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  state INTEGER NOT NULL DEFAULT 0,
  type INTEGER NOT NULL DEFAULT 0,
  UNIQUE (project_id, name),
  FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
)`,
  `CREATE TABLE networks_config (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  network_id INTEGER NOT NULL,
  node_id INTEGER,
  key TEXT NOT NULL,
  value TEXT,
  UNIQUE (network_id, node_id, key),
  FOREIGN KEY (network_id) REFERENCES networks (id) ON DELETE CASCADE,
  FOREIGN KEY (node_id) REFERENCES nodes (id) ON DELETE CASCADE
)`,
  `CREATE TABLE networks_nodes (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  network_id INTEGER NOT NULL,
  node_id INTEGER NOT NULL,
  state INTEGER NOT NULL DEFAULT 0,
  UNIQUE (network_id, node_id),
  FOREIGN KEY (network_id) REFERENCES networks (id) ON DELETE CASCADE,
  FOREIGN KEY (node_id) REFERENCES nodes (id) ON DELETE CASCADE
)`,

  // Storage.
  `CREATE TABLE storage_pools (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  name TEXT NOT NULL,
  driver TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  state INTEGER NOT NULL DEFAULT 0,
  UNIQUE (name)
)`,
  `CREATE TABLE storage_pools_config (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  storage_pool_id INTEGER NOT NULL,
  node_id INTEGER,
  key TEXT NOT NULL,
  value TEXT,
  UNIQUE (storage_pool_id, node_id, key),
  FOREIGN KEY (storage_pool_id) REFERENCES storage_pools (id) ON DELETE CASCADE,
  FOREIGN KEY (node_id) REFERENCES nodes (id) ON DELETE CASCADE
)`,
  `CREATE TABLE storage_pools_nodes (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  storage_pool_id INTEGER NOT NULL,
  node_id INTEGER NOT NULL,
  state INTEGER NOT NULL DEFAULT 0,
  UNIQUE (storage_pool_id, node_id),
  FOREIGN KEY (storage_pool_id) REFERENCES storage_pools (id) ON DELETE CASCADE,
  FOREIGN KEY (node_id) REFERENCES nodes (id) ON DELETE CASCADE
)`,
  `CREATE TABLE storage_volumes (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  name TEXT NOT NULL,
  storage_pool_id INTEGER NOT NULL,
  node_id INTEGER,
  type INTEGER NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  project_id INTEGER NOT NULL,
  content_type INTEGER NOT NULL DEFAULT 0,
  creation_date DATETIME NOT NULL,
  UNIQUE (storage_pool_id, node_id, project_id, name, type),
  FOREIGN KEY (storage_pool_id) REFERENCES storage_pools (id) ON DELETE CASCADE,
  FOREIGN KEY (node_id) REFERENCES nodes (id) ON DELETE CASCADE,
  FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
)`,
  `CREATE TABLE storage_volumes_config (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  storage_volume_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT,
  UNIQUE (storage_volume_id, key),
  FOREIGN KEY (storage_volume_id) REFERENCES storage_volumes (id) ON DELETE CASCADE
)`,

  // Trust.
  `CREATE TABLE certificates (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  fingerprint TEXT NOT NULL,
  type INTEGER NOT NULL,
  name TEXT NOT NULL,
  certificate TEXT NOT NULL,
  restricted INTEGER NOT NULL DEFAULT 0,
  UNIQUE (fingerprint)
)`,
  `CREATE TABLE certificates_projects (
  certificate_id INTEGER NOT NULL,
  project_id INTEGER NOT NULL,
  UNIQUE (certificate_id, project_id),
  FOREIGN KEY (certificate_id) REFERENCES certificates (id) ON DELETE CASCADE,
  FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
)`,

  // Background operations and the member running each.
  `CREATE TABLE operations (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  uuid TEXT NOT NULL,
  node_id INTEGER NOT NULL,
  type INTEGER NOT NULL DEFAULT 0,
  project_id INTEGER,
  UNIQUE (uuid),
  FOREIGN KEY (node_id) REFERENCES nodes (id) ON DELETE CASCADE,
  FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
)`,
];

const UPDATE_2: string[] = [
  `CREATE TABLE warnings (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  node_id INTEGER,
  project_id INTEGER,
  entity_type_code INTEGER,
  entity_id INTEGER,
  uuid TEXT NOT NULL,
  type_code INTEGER NOT NULL,
  status INTEGER NOT NULL,
  first_seen_date DATETIME NOT NULL,
  last_seen_date DATETIME NOT NULL,
  updated_date DATETIME,
  last_message TEXT NOT NULL,
  count INTEGER NOT NULL,
  UNIQUE (uuid),
  FOREIGN KEY (node_id) REFERENCES nodes (id) ON DELETE CASCADE,
  FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
)`,
  `CREATE UNIQUE INDEX warnings_unique_node_id_project_id_entity_type_code_entity_id_type_code
  ON warnings (IFNULL(node_id, -1), IFNULL(project_id, -1), entity_type_code, entity_id, type_code)`,
];

/**
 * Single-use, expiring tokens: to join the cluster (kind `cluster-member`, name = the new member's)
 * or to add a client certificate (kind `certificate`, name = the client's). The secret is kept as
 * its SHA-256; using a token deletes its row in the same transaction that admits the newcomer.
 * `operation_uuid` is the token operation on the member that issued it (`node_id`, 0 when the
 * issuer is not clustered).
 */
const UPDATE_3: string[] = [
  `CREATE TABLE tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  operation_uuid TEXT NOT NULL,
  node_id INTEGER NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL,
  expires_at DATETIME NOT NULL,
  UNIQUE (kind, name),
  UNIQUE (operation_uuid)
)`,
];

/** The schema updates, oldest first: GLOBAL_SCHEMA_UPDATES[n - 1] takes version n - 1 to n. */
export const GLOBAL_SCHEMA_UPDATES: ReadonlyArray<ReadonlyArray<string>> = [UPDATE_1, UPDATE_2, UPDATE_3];

/** The version this code's schema is at. */
export const GLOBAL_SCHEMA_VERSION = GLOBAL_SCHEMA_UPDATES.length;

/**
 * The updates from `currentVersion` to GLOBAL_SCHEMA_VERSION, one replicated transaction each, to be
 * proposed in order. Each first records its version (`nowIso` as updated_at), so a duplicate fails
 * at once on UNIQUE (version) and changes nothing.
 */
export function migrationTxs(currentVersion: number, nowIso: string): ReplicatedTx[] {
  if (!Number.isSafeInteger(currentVersion) || currentVersion < 0) throw new RangeError(`global schema: bad current version ${currentVersion}`);
  if (currentVersion > GLOBAL_SCHEMA_VERSION) {
    throw new Error(`global schema: the database is at version ${currentVersion}, newer than this member's ${GLOBAL_SCHEMA_VERSION}; upgrade this member`);
  }
  const txs: ReplicatedTx[] = [];
  for (let version = currentVersion + 1; version <= GLOBAL_SCHEMA_VERSION; version++) {
    txs.push({
      statements: [
        // Idempotent, so that version 1 can record itself (no-ops afterwards); the trigger refuses
        // an update whose predecessors have not been applied.
        { sql: SCHEMA_TABLE, params: [] },
        { sql: SCHEMA_ORDER_TRIGGER, params: [] },
        { sql: 'INSERT INTO schema (version, updated_at) VALUES (?, ?)', params: [version, nowIso] },
        ...GLOBAL_SCHEMA_UPDATES[version - 1].map((sql) => ({ sql, params: [] })),
      ],
    });
  }
  return txs;
}

/** The schema version of a global database (0 for an empty one). */
export function schemaVersion(sm: Pick<GlobalStateMachine, 'query'>): number {
  const [exists] = sm.query<{ n: number }>("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name = 'schema'");
  if (!exists || Number(exists.n) === 0) return 0;
  const [row] = sm.query<{ v: number | bigint | null }>('SELECT MAX(version) AS v FROM schema');
  return row?.v === null || row?.v === undefined ? 0 : Number(row.v);
}
