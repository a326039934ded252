/**
 * The LXD API extensions this daemon implements, in LXD's order. A client relies on an extension
 * only when the server lists it, so the list names only what works.
 */
export const API_EXTENSIONS: readonly string[] = [
  'etag',
  'patch',
  'https_allowed_credentials',
  'certificate_update',
  'operation_description',
  'clustering',
  'projects',
  'event_lifecycle',
  'clustering_join',
  'clustering_server_address',
  'event_location',
  'clustering_roles',
  'clustering_architecture',
  'api_os',
  'clustering_failure_domains',
  'clustering_join_token',
  'clustering_description',
  'event_lifecycle_requestor_address',
  'clustering_evacuation',
  'clustering_config',
  'database_leader',
  'clustering_groups',
  'certificate_token',
  'cluster_join_token_expiry',
];
