/**
 * API answers captured from a 4-member LXD 5.0.2 cluster, used as the
 * fake daemon's replies. SERVER is GET /1.0 with a shorter api_extensions list.
 */

export const SERVER = {
  config: {
    'cluster.https_address': '10.210.0.1:8443',
    'cluster.max_standby': '0',
    'core.https_address': '10.210.0.1:8443',
    'core.trust_password': true,
  },
  api_extensions: [
    'etag',
    'patch',
    'clustering',
    'projects',
    'clustering_join_token',
    'certificate_token',
    'resources_v2',
  ],
  api_status: 'stable',
  api_version: '1.0',
  auth: 'trusted',
  public: false,
  auth_methods: ['tls'],
  environment: {
    addresses: ['10.210.0.1:8443'],
    architectures: ['x86_64', 'i686'],
    certificate:
      '-----BEGIN CERTIFICATE-----\nMIIB9zCCAX2gAwIBAgIQP7hePMrZUtENvtkGozBSITAKBggqhkjOPQQDAzAwMRww\nGgYDVQQKExNsaW51eGNvbnRhaW5lcnMub3JnMRAwDgYDVQQDDAdyb290QHZtMB4X\nDTI2MTEyMzExNTcyNVoXDTM2MTEyMDExNTcyNVowMDEcMBoGA1UEChMTbGludXhj\nb250YWluZXJzLm9yZzEQMA4GA1UEAwwHcm9vdEB2bTB2MBAGByqGSM49AgEGBSuB\nBAAiA2IABElRd1S+gwR76t0PI7b9hRwFTeWpXs/+SHTqYkSRZFkDbfInsUTFftsb\n7V0jJQxj8yjq9bUNxX4oAWSjm1S8HNXGNMQF1LbSO6pnu+GloH9XVhjbhBtlQrWl\nNGdERjpOc6NcMFowDgYDVR0PAQH/BAQDAgWgMBMGA1UdJQQMMAoGCCsGAQUFBwMB\nMAwGA1UdEwEB/wQCMAAwJQYDVR0RBB4wHIICdm2HBH8AAAGHEAAAAAAAAAAAAAAA\nAAAAAAEwCgYIKoZIzj0EAwMDaAAwZQIwXmlvqWfE3pyocw3eZ8VIn88Y6TuP3SuM\n77sdZIAf0rNTn6XQOkUrUnPxfxe2OGBdAjEAzcT40eOrrej1XW7XAd0/iJ5jxGNk\ndvPRfilR9CdvtJqvHBrURs3PlY8soocvc/y0\n-----END CERTIFICATE-----\n',
    certificate_fingerprint: 'ca4b84caf235e1e4acb66cd3fb4e6b366e4749fc2eb3ae47d99881058767408f',
    driver: 'lxc',
    driver_version: '5.0.2',
    firewall: 'nftables',
    kernel: 'Linux',
    kernel_architecture: 'x86_64',
    kernel_features: {
      idmapped_mounts: 'true',
      netnsid_getifaddrs: 'true',
      seccomp_listener: 'true',
      seccomp_listener_continue: 'true',
      shiftfs: 'false',
      uevent_injection: 'true',
      unpriv_fscaps: 'true',
    },
    kernel_version: '6.18.44-fc-v509',
    lxc_features: {
      cgroup2: 'true',
      core_scheduling: 'true',
      devpts_fd: 'true',
      idmapped_mounts_v2: 'true',
      mount_injection_file: 'true',
      network_gateway_device_route: 'true',
      network_ipvlan: 'true',
      network_l2proxy: 'true',
      network_phys_macvlan_mtu: 'true',
      network_veth_router: 'true',
      pidfd: 'true',
      seccomp_allow_deny_syntax: 'true',
      seccomp_notify: 'true',
      seccomp_proxy_send_notify_fd: 'true',
    },
    os_name: 'Debian GNU/Linux',
    os_version: '12',
    project: 'default',
    server: 'lxd',
    server_clustered: true,
    server_event_mode: 'full-mesh',
    server_name: 'n1',
    server_pid: 16659,
    server_version: '5.0.2',
    storage: 'dir',
    storage_version: '1',
    storage_supported_drivers: [
      {
        Name: 'dir',
        Version: '1',
        Remote: false,
      },
    ],
  },
};

export const CLUSTER = {
  server_name: 'n1',
  enabled: true,
  member_config: [
    {
      entity: 'storage-pool',
      name: 'default',
      key: 'source',
      value: '',
      description: '"source" property for storage pool "default"',
    },
  ],
};

export const CLUSTER_MEMBERS = [
  {
    roles: ['database'],
    failure_domain: 'default',
    description: '',
    config: {},
    groups: ['default'],
    server_name: 'n1',
    url: 'https://10.210.0.1:8443',
    database: true,
    status: 'Online',
    message: 'Fully operational',
    architecture: 'x86_64',
  },
  {
    roles: ['database-standby'],
    failure_domain: 'default',
    description: '',
    config: {},
    groups: ['default'],
    server_name: 'n2',
    url: 'https://10.210.0.2:8443',
    database: true,
    status: 'Online',
    message: 'Fully operational',
    architecture: 'x86_64',
  },
  {
    roles: ['database'],
    failure_domain: 'default',
    description: '',
    config: {},
    groups: ['default'],
    server_name: 'n3',
    url: 'https://10.210.0.3:8443',
    database: true,
    status: 'Online',
    message: 'Fully operational',
    architecture: 'x86_64',
  },
  {
    roles: ['database-leader', 'database'],
    failure_domain: 'default',
    description: '',
    config: {},
    groups: ['default'],
    server_name: 'n4',
    url: 'https://10.210.0.4:8443',
    database: true,
    status: 'Online',
    message: 'Fully operational',
    architecture: 'x86_64',
  },
];

export const CLUSTER_MEMBER_N1 = {
  roles: ['database'],
  failure_domain: 'default',
  description: '',
  config: {},
  groups: ['default'],
  server_name: 'n1',
  url: 'https://10.210.0.1:8443',
  database: true,
  status: 'Online',
  message: 'Fully operational',
  architecture: 'x86_64',
};

export const JOIN_TOKEN_OPERATION = {
  id: 'bac1dca5-46a0-4077-8424-348b6c44e6d6',
  class: 'token',
  description: 'Executing operation',
  created_at: '2026-11-23T11:58:56.080843501Z',
  updated_at: '2026-11-23T11:58:56.080843501Z',
  status: 'Running',
  status_code: 103,
  resources: {
    cluster: null,
  },
  metadata: {
    addresses: ['10.210.0.1:8443', '10.210.0.2:8443', '10.210.0.3:8443', '10.210.0.4:8443'],
    expiresAt: '2026-11-23T14:58:56.078571972Z',
    fingerprint: 'ca4b84caf235e1e4acb66cd3fb4e6b366e4749fc2eb3ae47d99881058767408f',
    secret: '25375a56c64e2c012ad169a8a64014f9de0e574dc24bb88e5a496c3a611c4097',
    serverName: 'nX',
  },
  may_cancel: true,
  err: '',
  location: 'n1',
};

export const OPERATIONS_WITH_TOKEN = {
  failure: [
    {
      id: '646f763a-0791-4d1e-9b1e-bda0ada76110',
      class: 'task',
      description: 'Creating instance',
      created_at: '2026-11-23T11:58:55.585027706Z',
      updated_at: '2026-11-23T11:58:55.585027706Z',
      status: 'Failure',
      status_code: 400,
      resources: {
        containers: ['/1.0/containers/api-c1'],
        instances: ['/1.0/instances/api-c1'],
      },
      metadata: null,
      may_cancel: false,
      err: 'Failed creating instance record: Add instance info to the database: This "instances" entry already exists',
      location: 'n1',
    },
  ],
  running: [
    {
      id: 'bac1dca5-46a0-4077-8424-348b6c44e6d6',
      class: 'token',
      description: 'Executing operation',
      created_at: '2026-11-23T11:58:56.080843501Z',
      updated_at: '2026-11-23T11:58:56.080843501Z',
      status: 'Running',
      status_code: 103,
      resources: {
        cluster: null,
      },
      metadata: {
        addresses: ['10.210.0.1:8443', '10.210.0.2:8443', '10.210.0.3:8443', '10.210.0.4:8443'],
        expiresAt: '2026-11-23T14:58:56.078571972Z',
        fingerprint: 'ca4b84caf235e1e4acb66cd3fb4e6b366e4749fc2eb3ae47d99881058767408f',
        secret: '25375a56c64e2c012ad169a8a64014f9de0e574dc24bb88e5a496c3a611c4097',
        serverName: 'nX',
      },
      may_cancel: true,
      err: '',
      location: 'n1',
    },
  ],
  success: [
    {
      id: 'ce3905d4-b5c5-4adb-b057-8c48e10ac21b',
      class: 'task',
      description: 'Creating instance',
      created_at: '2026-11-23T11:58:54.488942281Z',
      updated_at: '2026-11-23T11:58:54.488942281Z',
      status: 'Success',
      status_code: 200,
      resources: {
        containers: ['/1.0/containers/api-c1'],
        instances: ['/1.0/instances/api-c1'],
      },
      metadata: null,
      may_cancel: false,
      err: '',
      location: 'n2',
    },
    {
      id: '2f817be8-d4dc-4f9d-a51c-b620bf2ea384',
      class: 'task',
      description: 'Deleting instance',
      created_at: '2026-11-23T11:58:55.840954561Z',
      updated_at: '2026-11-23T11:58:55.840954561Z',
      status: 'Success',
      status_code: 200,
      resources: {
        containers: ['/1.0/containers/api-c1'],
        instances: ['/1.0/instances/api-c1'],
      },
      metadata: null,
      may_cancel: false,
      err: '',
      location: 'n2',
    },
  ],
};

export const PROFILES = [
  {
    config: {},
    description: 'Default LXD profile',
    devices: {
      root: {
        path: '/',
        pool: 'default',
        type: 'disk',
      },
    },
    name: 'default',
    used_by: [],
  },
];

export const PROFILE_DEFAULT = {
  config: {},
  description: 'Default LXD profile',
  devices: {
    root: {
      path: '/',
      pool: 'default',
      type: 'disk',
    },
  },
  name: 'default',
  used_by: [],
};

export const CERTIFICATES = [
  {
    name: 'n1',
    type: 'server',
    restricted: false,
    projects: [],
    certificate:
      '-----BEGIN CERTIFICATE-----\nMIIB9jCCAX2gAwIBAgIQChWjTMwz3C5HSmJcafuNlDAKBggqhkjOPQQDAzAwMRww\nGgYDVQQKExNsaW51eGNvbnRhaW5lcnMub3JnMRAwDgYDVQQDDAdyb290QHZtMB4X\nDTI2MTEyMzExNTcyNVoXDTM2MTEyMDExNTcyNVowMDEcMBoGA1UEChMTbGludXhj\nb250YWluZXJzLm9yZzEQMA4GA1UEAwwHcm9vdEB2bTB2MBAGByqGSM49AgEGBSuB\nBAAiA2IABANoxNAr4Tpm0UdrIJJZwOPiFtCMZfFgZrzp+8Gm/3O6x/9E5CSkuCoZ\n+j6th5T/AH8o13PTVWOSgCX03ey6ryeVxZ1hVjQfRFcysPW4ZVssPHBVNxWAS8xS\nnisZRWrg3qNcMFowDgYDVR0PAQH/BAQDAgWgMBMGA1UdJQQMMAoGCCsGAQUFBwMB\nMAwGA1UdEwEB/wQCMAAwJQYDVR0RBB4wHIICdm2HBH8AAAGHEAAAAAAAAAAAAAAA\nAAAAAAEwCgYIKoZIzj0EAwMDZwAwZAIwSDNtjcA19TygP72lEnA0ZkLGkxlnGtOb\n8fTHvtyAJbFIW8qJEXi9Xi5Eh6SFmY1XAjAFSDLWnDRoS9uY7a8QCXrp8nzyJT2T\n8UsJyqO7aaUNr9fnsC6heDL60eEuSieN1tE=\n-----END CERTIFICATE-----\n',
    fingerprint: '005605e067cd27166ddde67d09993bcf34a4358494903439eb0bc509b3a745bd',
  },
  {
    name: 'n3',
    type: 'server',
    restricted: false,
    projects: [],
    certificate:
      '-----BEGIN CERTIFICATE-----\nMIIB9zCCAX2gAwIBAgIQI3SILvqmYG0sr0ULcIsHXDAKBggqhkjOPQQDAzAwMRww\nGgYDVQQKExNsaW51eGNvbnRhaW5lcnMub3JnMRAwDgYDVQQDDAdyb290QHZtMB4X\nDTI2MTEyMzExNTcyNloXDTM2MTEyMDExNTcyNlowMDEcMBoGA1UEChMTbGludXhj\nb250YWluZXJzLm9yZzEQMA4GA1UEAwwHcm9vdEB2bTB2MBAGByqGSM49AgEGBSuB\nBAAiA2IABN/GeNwGj50E+GkK5TsLTyWYn77wFMv53Kj5L21SYEKkkG22CH4XjmiQ\nuXfnPSGEeAwqoL+pjokL2Ggh/aU6TmXNoFAmP655ia8H99u5f/QchYd8VUkAcXc/\ndyEihcF51qNcMFowDgYDVR0PAQH/BAQDAgWgMBMGA1UdJQQMMAoGCCsGAQUFBwMB\nMAwGA1UdEwEB/wQCMAAwJQYDVR0RBB4wHIICdm2HBH8AAAGHEAAAAAAAAAAAAAAA\nAAAAAAEwCgYIKoZIzj0EAwMDaAAwZQIwC+RZx1BzbAH9EPl838NJGVQUIw5OdR/l\n0tvfDHmMK/6J5evjWTbWtWdcSEVGXbTLAjEA717sxSSgecrpAvwR0zk2rrsgU0Ur\nqViCT8PASaMmk5Kaoo09KgeUOXnUeOl8IClq\n-----END CERTIFICATE-----\n',
    fingerprint: '3c11c189f445863a88335fc959002a1723e8afa54de9bbee39cdb0c8fda8bd00',
  },
];

export const CREATE_OPERATION_DONE = {
  id: 'ce3905d4-b5c5-4adb-b057-8c48e10ac21b',
  class: 'task',
  description: 'Creating instance',
  created_at: '2026-11-23T11:58:54.488942281Z',
  updated_at: '2026-11-23T11:58:54.488942281Z',
  status: 'Success',
  status_code: 200,
  resources: {
    containers: ['/1.0/containers/api-c1'],
    instances: ['/1.0/instances/api-c1'],
  },
  metadata: null,
  may_cancel: false,
  err: '',
  location: 'n2',
};

export const CREATE_OPERATION_FAILED = {
  id: '646f763a-0791-4d1e-9b1e-bda0ada76110',
  class: 'task',
  description: 'Creating instance',
  created_at: '2026-11-23T11:58:55.585027706Z',
  updated_at: '2026-11-23T11:58:55.585027706Z',
  status: 'Failure',
  status_code: 400,
  resources: {
    containers: ['/1.0/containers/api-c1'],
    instances: ['/1.0/instances/api-c1'],
  },
  metadata: null,
  may_cancel: false,
  err: 'Failed creating instance record: Add instance info to the database: This "instances" entry already exists',
  location: 'n1',
};

export const EVENTS = [
  {
    location: 'n1',
    metadata: {
      action: 'profile-created',
      requestor: {
        address: '@',
        protocol: 'unix',
        username: 'root',
      },
      source: '/1.0/profiles/evp1',
    },
    project: 'default',
    timestamp: '2026-11-23T11:59:13.001812497Z',
    type: 'lifecycle',
  },
  {
    location: 'n3',
    metadata: {
      class: 'task',
      created_at: '2026-11-23T11:59:13.039507559Z',
      description: 'Creating instance',
      err: '',
      id: 'd1e350c3-74be-4fde-a8c8-d9f1d121790b',
      location: 'n3',
      may_cancel: false,
      metadata: null,
      resources: {
        containers: ['/1.0/containers/evc1'],
        instances: ['/1.0/instances/evc1'],
      },
      status: 'Pending',
      status_code: 105,
      updated_at: '2026-11-23T11:59:13.039507559Z',
    },
    project: 'default',
    timestamp: '2026-11-23T11:59:13.043090936Z',
    type: 'operation',
  },
  {
    location: 'n3',
    metadata: {
      class: 'task',
      created_at: '2026-11-23T11:59:13.039507559Z',
      description: 'Creating instance',
      err: '',
      id: 'd1e350c3-74be-4fde-a8c8-d9f1d121790b',
      location: 'n3',
      may_cancel: false,
      metadata: null,
      resources: {
        containers: ['/1.0/containers/evc1'],
        instances: ['/1.0/instances/evc1'],
      },
      status: 'Running',
      status_code: 103,
      updated_at: '2026-11-23T11:59:13.039507559Z',
    },
    project: 'default',
    timestamp: '2026-11-23T11:59:13.043111327Z',
    type: 'operation',
  },
  {
    location: 'n3',
    metadata: {
      action: 'instance-created',
      context: {
        'storage-pool': 'default',
        type: 'container',
      },
      source: '/1.0/instances/evc1',
    },
    project: 'default',
    timestamp: '2026-11-23T11:59:13.060898671Z',
    type: 'lifecycle',
  },
];
