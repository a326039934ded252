/** The fields of LXD API objects that cube reads (shared/api; LXD 5.0.2). */

/** GET /1.0 */
export interface ServerInfo {
  config?: Record<string, unknown> | null;
  api_extensions?: string[] | null;
  api_status?: string;
  api_version?: string;
  auth?: string;
  public?: boolean;
  auth_methods?: string[] | null;
  environment?: {
    server_clustered?: boolean;
    server_name?: string;
    server_version?: string;
    certificate_fingerprint?: string;
    [key: string]: unknown;
  };
}

/** GET /1.0/cluster */
export interface ClusterInfo {
  server_name?: string;
  enabled?: boolean;
}

/** GET /1.0/cluster/members/<name> */
export interface ClusterMemberInfo {
  server_name?: string;
  url?: string;
  roles?: string[] | null;
  database?: boolean;
  architecture?: string;
  failure_domain?: string;
  description?: string;
  status?: string;
  message?: string;
  config?: Record<string, string> | null;
  groups?: string[] | null;
}

/** GET /1.0/profiles/<name> */
export interface ProfileInfo {
  name?: string;
  description?: string;
  config?: Record<string, string> | null;
  devices?: Record<string, Record<string, string>> | null;
  used_by?: string[] | null;
}

/** GET /1.0/operations/<id> */
export interface OperationInfo {
  id?: string;
  class?: string;
  description?: string;
  created_at?: string;
  updated_at?: string;
  status?: string;
  status_code?: number;
  resources?: Record<string, string[] | null> | null;
  metadata?: Record<string, unknown> | null;
  may_cancel?: boolean;
  err?: string;
  location?: string;
}

/** GET /1.0/certificates/<fingerprint> */
export interface CertificateInfo {
  name?: string;
  type?: string;
  restricted?: boolean;
  projects?: string[] | null;
  certificate?: string;
  fingerprint?: string;
}

/** The status code of a running operation (tokens stay Running until used or revoked). */
export const RUNNING = 103;

/** Instance status codes (shared/api StatusCode). */
export const STOPPED = 102;
export const FROZEN = 110;
export const ERROR = 112;

/** GET /1.0/instances/<name> */
export interface InstanceInfo {
  architecture?: string;
  config?: Record<string, string> | null;
  devices?: Record<string, Record<string, string>> | null;
  ephemeral?: boolean;
  profiles?: string[] | null;
  stateful?: boolean;
  description?: string;
  created_at?: string;
  expanded_config?: Record<string, string> | null;
  expanded_devices?: Record<string, Record<string, string>> | null;
  name?: string;
  status?: string;
  status_code?: number;
  last_used_at?: string;
  location?: string;
  type?: string;
  project?: string;
}

/** An address of an instance's network interface. */
export interface InstanceAddressInfo {
  family?: string;
  address?: string;
  netmask?: string;
  scope?: string;
}

/** A network interface of a running instance. */
export interface InstanceNetworkInfo {
  addresses?: InstanceAddressInfo[] | null;
  counters?: {
    bytes_received?: number;
    bytes_sent?: number;
    packets_received?: number;
    packets_sent?: number;
  } | null;
  hwaddr?: string;
  host_name?: string;
  mtu?: number;
  state?: string;
  type?: string;
}

/** GET /1.0/instances/<name>/state */
export interface InstanceStateInfo {
  status?: string;
  status_code?: number;
  disk?: Record<string, { usage?: number }> | null;
  memory?: { usage?: number; usage_peak?: number; swap_usage?: number; swap_usage_peak?: number } | null;
  network?: Record<string, InstanceNetworkInfo> | null;
  pid?: number;
  processes?: number;
  cpu?: { usage?: number } | null;
}

/** GET /1.0/instances/<name>/snapshots/<snapshot> */
export interface InstanceSnapshotInfo {
  name?: string;
  created_at?: string;
  expires_at?: string;
  stateful?: boolean;
  [field: string]: unknown;
}

/** An instance with its state and snapshots (GET /1.0/instances?recursion=2, /1.0/instances/<name>?recursion=1). */
export interface InstanceFullInfo extends InstanceInfo {
  backups?: unknown[] | null;
  state?: InstanceStateInfo | null;
  snapshots?: InstanceSnapshotInfo[] | null;
}

/** GET /1.0/images/<fingerprint> */
export interface ImageInfo {
  auto_update?: boolean;
  properties?: Record<string, string> | null;
  public?: boolean;
  expires_at?: string;
  profiles?: string[] | null;
  aliases?: { name?: string; description?: string }[] | null;
  architecture?: string;
  fingerprint?: string;
  size?: number;
  type?: string;
  uploaded_at?: string;
  [field: string]: unknown;
}

/** GET /1.0/images/aliases/<name> */
export interface ImageAliasInfo {
  name?: string;
  description?: string;
  target?: string;
  type?: string;
}
