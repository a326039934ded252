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
