import { sync } from '../../test/fake-lxd';
import { startCubeEnv, type CubeEnv } from '../../test/cube-env';
import { SERVER } from '../../test/lxd-fixtures';

const RESOURCES = {
  cpu: {
    architecture: 'x86_64',
    sockets: [
      {
        name: 'Intel(R) Xeon(R)',
        vendor: 'GenuineIntel',
        socket: 0,
        cache: [{ level: 1, type: 'Data', size: 49152 }],
        cores: [
          {
            core: 0,
            die: 0,
            frequency: 2400,
            threads: [{ id: 0, numa_node: 0, thread: 0, online: true, isolated: false }],
          },
          {
            core: 1,
            die: 0,
            frequency: 2400,
            threads: [{ id: 1, numa_node: 0, thread: 0, online: false, isolated: false }],
          },
        ],
        frequency: 2400,
        frequency_minimum: 800,
        frequency_turbo: 3500,
      },
    ],
    total: 2,
  },
  memory: { hugepages_total: 0, hugepages_used: 0, hugepages_size: 2097152, used: 1073741824, total: 4294967296 },
  gpu: { cards: [], total: 0 },
  network: {
    cards: [
      {
        driver: 'virtio_net',
        driver_version: '1.0.0',
        numa_node: 0,
        pci_address: '0000:00:03.0',
        vendor: 'Red Hat, Inc.',
        vendor_id: '1af4',
        product: 'Virtio network device',
        product_id: '1000',
        ports: [
          {
            id: 'eth0',
            address: '52:54:00:12:34:56',
            port: 0,
            protocol: 'ethernet',
            auto_negotiation: false,
            link_detected: true,
            link_speed: 1000,
            link_duplex: 'full',
          },
        ],
      },
    ],
    total: 1,
  },
  storage: {
    disks: [
      {
        id: 'vda',
        device: '253:0',
        model: 'QEMU disk',
        type: 'virtio',
        read_only: false,
        size: 21474836480,
        removable: false,
        numa_node: 0,
        partitions: [{ id: 'vda1', device: '253:1', read_only: false, size: 21473787904, partition: 1 }],
      },
      { id: 'vdb', device: '253:16', read_only: true, size: 1048576, removable: true, numa_node: 0, partitions: [] },
    ],
    total: 2,
  },
};

describe('cube info', () => {
  let t: CubeEnv;
  beforeEach(async () => {
    t = await startCubeEnv();
    t.fake.on('GET', '/1.0', sync(SERVER)).on('GET', '/1.0/resources', sync(RESOURCES));
  });
  afterEach(() => t.close());

  it('--resources prints the hardware as lxc info --resources does', async () => {
    const r = await t.cube(['info', '--resources']);
    expect(r.stderr).toBe('');
    expect(t.fake.sequence).toEqual(['GET /1.0/resources']);
    expect(r.stdout).toBe(
      [
        'CPU (x86_64):',
        '  Vendor: GenuineIntel',
        '  Name: Intel(R) Xeon(R)',
        '  Caches:',
        '    - Level 1 (type: Data): 48KiB',
        '  Cores:',
        '    - Core 0',
        '      Frequency: 2400Mhz',
        '      Threads:',
        '        - 0 (id: 0, online: true, NUMA node: 0)',
        '    - Core 1',
        '      Frequency: 2400Mhz',
        '      Threads:',
        '        - 0 (id: 1, online: false, NUMA node: 0)',
        '  Frequency: 2400Mhz (min: 800Mhz, max: 3500Mhz)',
        '',
        'Memory:',
        '  Free: 3.00GiB',
        '  Used: 1.00GiB',
        '  Total: 4.00GiB',
        '',
        'NIC:',
        '  NUMA node: 0',
        '  Vendor: Red Hat, Inc. (1af4)',
        '  Product: Virtio network device (1000)',
        '  PCI address: 0000:00:03.0',
        '  Driver: virtio_net (1.0.0)',
        '  Ports:',
        '    - Port 0 (ethernet)',
        '      ID: eth0',
        '      Address: 52:54:00:12:34:56',
        '      Auto negotiation: false',
        '      Link detected: true',
        '      Link speed: 1000Mbit/s (full duplex)',
        '',
        'Disks:',
        '  Disk 0:',
        '    NUMA node: 0',
        '    ID: vda',
        '    Device: 253:0',
        '    Model: QEMU disk',
        '    Type: virtio',
        '    Size: 20.00GiB',
        '    Read-Only: false',
        '    Removable: false',
        '    Partitions:',
        '      - Partition 1',
        '        ID: vda1',
        '        Device: 253:1',
        '        Read-Only: false',
        '        Size: 20.00GiB',
        '  Disk 1:',
        '    NUMA node: 0',
        '    ID: vdb',
        '    Device: 253:16',
        '    Size: 1.00MiB',
        '    Read-Only: true',
        '    Removable: true',
        '',
      ].join('\n'),
    );
  });

  it('--target asks one member of a cluster', async () => {
    await t.cube(['info', '--target', 'n2']);
    expect(t.fake.sequence).toEqual(['GET /1.0', 'GET /1.0?target=n2']);
    await t.cube(['info', '--resources', '--target', 'n2']);
    expect(t.fake.sequence.slice(2)).toEqual(['GET /1.0', 'GET /1.0/resources?target=n2']);
  });

  it('shows an instance, with its log on request, and refuses --target for one', async () => {
    t.fake
      .on(
        'GET',
        '/1.0/instances/c1',
        sync({ name: 'c1', status: 'Stopped', type: 'container', architecture: 'x86_64' }),
      )
      .on('GET', '/1.0/instances/c1/logs/lxc.log', { status: 200, body: 'lxc c1 started' });
    const r = await t.cube(['info', 'c1', '--show-log']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    // The fake daemon sends every body as JSON, so the log arrives quoted.
    expect(r.stdout).toBe(
      'Name: c1\nStatus: STOPPED\nType: container\nArchitecture: x86_64\n\nLog:\n\n"lxc c1 started"\n',
    );
    expect(t.fake.sequence).toEqual(['GET /1.0/instances/c1?recursion=1', 'GET /1.0/instances/c1/logs/lxc.log']);
    expect((await t.cube(['info', 'c1', '--target', 'n2'])).stderr).toBe(
      'Error: --target cannot be used with instances\n',
    );
  });
});
