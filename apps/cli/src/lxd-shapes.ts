import { any, bool, extend, int, list, map, pointer, str, struct, time } from './go-shapes';

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

/** PUT /1.0/instances/<name> (and the writable part of an instance). */
export const InstancePut = struct('api.InstancePut', [
  ['architecture', str],
  ['config', stringMap],
  ['devices', map(stringMap)],
  ['ephemeral', bool],
  ['profiles', stringList],
  ['restore', str, 'omitempty'],
  ['stateful', bool],
  ['description', str],
]);

/** The `source` of POST /1.0/instances. */
export const InstanceSource = struct('api.InstanceSource', [
  ['type', str],
  ['certificate', str],
  ['alias', str, 'omitempty'],
  ['fingerprint', str, 'omitempty'],
  ['properties', stringMap, 'omitempty'],
  ['server', str, 'omitempty'],
  ['secret', str, 'omitempty'],
  ['protocol', str, 'omitempty'],
  ['base-image', str, 'omitempty'],
  ['mode', str, 'omitempty'],
  ['operation', str, 'omitempty'],
  ['secrets', stringMap, 'omitempty'],
  ['source', str, 'omitempty'],
  ['live', bool, 'omitempty'],
  ['instance_only', bool, 'omitempty'],
  ['container_only', bool, 'omitempty'],
  ['refresh', bool, 'omitempty'],
  ['project', str, 'omitempty'],
  ['allow_inconsistent', bool],
]);

/** POST /1.0/instances. */
export const InstancesPost = extend('api.InstancesPost', InstancePut, [
  ['name', str],
  ['source', InstanceSource],
  ['instance_type', str],
  ['type', str],
]);

/** PUT /1.0/instances/<name>/state. */
export const InstanceStatePut = struct('api.InstanceStatePut', [
  ['action', str],
  ['timeout', int],
  ['force', bool],
  ['stateful', bool],
]);

/** PUT /1.0/instances: the state of every instance at once. */
export const InstancesPut = struct('api.InstancesPut', [['state', pointer(InstanceStatePut)]]);

/** POST /1.0/instances/<name>/exec. */
export const InstanceExecPost = struct('api.InstanceExecPost', [
  ['command', stringList],
  ['wait-for-websocket', bool],
  ['interactive', bool],
  ['environment', stringMap],
  ['width', int],
  ['height', int],
  ['record-output', bool],
  ['user', int],
  ['group', int],
  ['cwd', str],
]);

/** A message on the control websocket of an exec (window-resize, signal). */
export const InstanceExecControl = struct('api.InstanceExecControl', [
  ['command', str],
  ['args', stringMap],
  ['signal', int],
]);

/** POST /1.0/instances/<name>/snapshots. */
export const InstanceSnapshotsPost = struct('api.InstanceSnapshotsPost', [
  ['name', str],
  ['stateful', bool],
  ['expires_at', pointer(time)],
]);

/** GET /1.0/instances/<name>/snapshots/<snapshot>. */
export const InstanceSnapshot = struct('api.InstanceSnapshot', [
  ['expires_at', time],
  ['architecture', str],
  ['config', stringMap],
  ['created_at', time],
  ['devices', map(stringMap)],
  ['ephemeral', bool],
  ['expanded_config', stringMap, 'omitempty'],
  ['expanded_devices', map(stringMap), 'omitempty'],
  ['last_used_at', time],
  ['name', str],
  ['profiles', stringList],
  ['stateful', bool],
  ['size', int],
]);

/** An instance backup, as GET /1.0/instances?recursion=2 lists them. */
export const InstanceBackup = struct('api.InstanceBackup', [
  ['name', str],
  ['created_at', time],
  ['expires_at', time],
  ['instance_only', bool],
  ['container_only', bool],
  ['optimized_storage', bool],
]);

const InstanceStateNetwork = struct('api.InstanceStateNetwork', [
  [
    'addresses',
    list(
      struct('api.InstanceStateNetworkAddress', [
        ['family', str],
        ['address', str],
        ['netmask', str],
        ['scope', str],
      ]),
    ),
  ],
  [
    'counters',
    struct('api.InstanceStateNetworkCounters', [
      ['bytes_received', int],
      ['bytes_sent', int],
      ['packets_received', int],
      ['packets_sent', int],
      ['errors_received', int],
      ['errors_sent', int],
      ['packets_dropped_outbound', int],
      ['packets_dropped_inbound', int],
    ]),
  ],
  ['hwaddr', str],
  ['host_name', str],
  ['mtu', int],
  ['state', str],
  ['type', str],
]);

/** GET /1.0/instances/<name>/state. */
export const InstanceState = struct('api.InstanceState', [
  ['status', str],
  ['status_code', int],
  ['disk', map(struct('api.InstanceStateDisk', [['usage', int]]))],
  [
    'memory',
    struct('api.InstanceStateMemory', [
      ['usage', int],
      ['usage_peak', int],
      ['swap_usage', int],
      ['swap_usage_peak', int],
    ]),
  ],
  ['network', map(InstanceStateNetwork)],
  ['pid', int],
  ['processes', int],
  ['cpu', struct('api.InstanceStateCPU', [['usage', int]])],
]);

/** GET /1.0/instances/<name>. */
export const Instance = extend('api.Instance', InstancePut, [
  ['created_at', time],
  ['expanded_config', stringMap, 'omitempty'],
  ['expanded_devices', map(stringMap), 'omitempty'],
  ['name', str],
  ['status', str],
  ['status_code', int],
  ['last_used_at', time],
  ['location', str],
  ['type', str],
  ['project', str],
]);

/** GET /1.0/instances?recursion=2 and GET /1.0/instances/<name>?recursion=1: an instance with its state. */
export const InstanceFull = extend('api.InstanceFull', Instance, [
  ['backups', list(InstanceBackup)],
  ['state', pointer(InstanceState)],
  ['snapshots', list(InstanceSnapshot)],
]);

/** PUT /1.0/images/<fingerprint>: what `image show` prints. */
export const ImagePut = struct('api.ImagePut', [
  ['auto_update', bool],
  ['properties', stringMap],
  ['public', bool],
  ['expires_at', time],
  ['profiles', stringList],
]);

const ImageAlias = struct('api.ImageAlias', [
  ['name', str],
  ['description', str],
]);

const ImageSource = struct('api.ImageSource', [
  ['alias', str],
  ['certificate', str],
  ['protocol', str],
  ['server', str],
  ['image_type', str],
]);

/** GET /1.0/images/<fingerprint>. */
export const Image = extend('api.Image', ImagePut, [
  ['aliases', list(ImageAlias)],
  ['architecture', str],
  ['cached', bool],
  ['filename', str],
  ['fingerprint', str],
  ['size', int],
  ['update_source', pointer(ImageSource), 'omitempty'],
  ['type', str],
  ['created_at', time],
  ['last_used_at', time],
  ['uploaded_at', time],
]);

/** POST /1.0/images (JSON, for an import from a URL). */
export const ImagesPost = extend('api.ImagesPost', ImagePut, [
  ['filename', str],
  [
    'source',
    pointer(
      extend('api.ImagesPostSource', ImageSource, [
        ['mode', str],
        ['type', str],
        ['url', str],
        ['name', str],
        ['fingerprint', str],
        ['secret', str],
        ['project', str],
      ]),
    ),
  ],
  ['compression_algorithm', str],
  ['aliases', list(ImageAlias)],
]);

/** GET /1.0/images/aliases/<name>; POST /1.0/images/aliases takes the same fields. */
export const ImageAliasesEntry = struct('api.ImageAliasesEntry', [
  ['description', str],
  ['target', str],
  ['name', str],
  ['type', str],
]);
