import { any, bool, extend, int, list, map, str, struct, time } from './go-shapes';

/** The shapes of the LXD 5.0.2 API objects cube prints or sends (shared/api), fields in declaration order. */

const stringMap = map(str);
const stringList = list(str);

export const ServerPut = struct('api.ServerPut', [['config', map(any)]]);

const ServerStorageDriverInfo = struct('api.ServerStorageDriverInfo', [
  ['Name', str, { yaml: 'name' }],
  ['Version', str, { yaml: 'version' }],
  ['Remote', bool, { yaml: 'remote' }],
]);

const ServerEnvironment = struct('api.ServerEnvironment', [
  ['addresses', stringList],
  ['architectures', stringList],
  ['certificate', str],
  ['certificate_fingerprint', str],
  ['driver', str],
  ['driver_version', str],
  ['firewall', str],
  ['kernel', str],
  ['kernel_architecture', str],
  ['kernel_features', stringMap],
  ['kernel_version', str],
  ['lxc_features', stringMap],
  ['os_name', str],
  ['os_version', str],
  ['project', str],
  ['server', str],
  ['server_clustered', bool],
  ['server_event_mode', str],
  ['server_name', str],
  ['server_pid', int],
  ['server_version', str],
  ['storage', str],
  ['storage_version', str],
  ['storage_supported_drivers', list(ServerStorageDriverInfo)],
]);

/** GET /1.0. */
export const Server = extend('api.Server', ServerPut, [
  ['api_extensions', stringList],
  ['api_status', str],
  ['api_version', str],
  ['auth', str],
  ['public', bool],
  ['auth_methods', stringList],
  ['environment', ServerEnvironment],
]);

/** GET /1.0/cluster. */
export const Cluster = struct('api.Cluster', [
  ['server_name', str],
  ['enabled', bool],
  [
    'member_config',
    list(
      struct('api.ClusterMemberConfigKey', [
        ['entity', str],
        ['name', str],
        ['key', str],
        ['value', str],
        ['description', str],
      ]),
    ),
  ],
]);

/** PUT /1.0/cluster/members/<name>. */
export const ClusterMemberPut = struct('api.ClusterMemberPut', [
  ['roles', stringList],
  ['failure_domain', str],
  ['description', str],
  ['config', stringMap],
  ['groups', stringList],
]);

/** GET /1.0/cluster/members/<name>. */
export const ClusterMember = extend('api.ClusterMember', ClusterMemberPut, [
  ['server_name', str],
  ['url', str],
  ['database', bool],
  ['status', str],
  ['message', str],
  ['architecture', str],
]);

/** PUT /1.0/profiles/<name>. */
export const ProfilePut = struct('api.ProfilePut', [
  ['config', stringMap],
  ['description', str],
  ['devices', map(stringMap)],
]);

/** POST /1.0/profiles. */
export const ProfilesPost = extend('api.ProfilesPost', ProfilePut, [['name', str]]);

/** GET /1.0/profiles/<name>. */
export const Profile = extend('api.Profile', ProfilePut, [
  ['name', str],
  ['used_by', stringList],
]);

/** PUT /1.0/certificates/<fingerprint>. */
export const CertificatePut = struct('api.CertificatePut', [
  ['name', str],
  ['type', str],
  ['restricted', bool],
  ['projects', stringList],
  ['certificate', str],
]);

/** POST /1.0/certificates. */
export const CertificatesPost = extend('api.CertificatesPost', CertificatePut, [
  ['password', str],
  ['token', bool],
]);

/** GET /1.0/certificates/<fingerprint>. */
export const Certificate = extend('api.Certificate', CertificatePut, [['fingerprint', str]]);

/** GET /1.0/operations/<id>. */
export const Operation = struct('api.Operation', [
  ['id', str],
  ['class', str],
  ['description', str],
  ['created_at', time],
  ['updated_at', time],
  ['status', str],
  ['status_code', int],
  ['resources', map(stringList)],
  ['metadata', map(any)],
  ['may_cancel', bool],
  ['err', str],
  ['location', str],
]);

/** A profile's or an instance's devices (`lxc profile device show`). */
export const Devices = map(stringMap);
