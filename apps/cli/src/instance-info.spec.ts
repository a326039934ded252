import { instanceInfoText } from './instance-info';

const C1 = {
  name: 'c1',
  status: 'Running',
  status_code: 103,
  type: 'container',
  ephemeral: false,
  location: 'n1',
  architecture: 'x86_64',
  created_at: '2024-03-01T10:20:30Z',
  last_used_at: '2024-03-05T11:00:00.123456789Z',
  state: {
    status: 'Running',
    pid: 4242,
    processes: 7,
    memory: { usage: 73400320, usage_peak: 104857600 },
    cpu: { usage: 12345678901 },
    disk: { root: { usage: 5242880 } },
    network: {
      lo: {
        addresses: [{ family: 'inet', address: '127.0.0.1', netmask: '8', scope: 'local' }],
        type: 'loopback',
        state: 'up',
      },
      eth0: {
        addresses: [
          { family: 'inet', address: '240.1.0.2', netmask: '24', scope: 'global' },
          { family: 'inet6', address: 'fd42::2', netmask: '64', scope: 'global' },
        ],
        counters: { bytes_received: 123456, bytes_sent: 999, packets_received: 10, packets_sent: 5 },
        hwaddr: '00:16:3e:00:00:01',
        host_name: 'veth123',
        mtu: 1450,
        state: 'up',
        type: 'broadcast',
      },
    },
  },
  snapshots: [
    { name: 'snap0', created_at: '2024-03-02T10:00:00Z', stateful: false },
    { name: 'snap1', created_at: '2024-03-03T10:00:00Z', expires_at: '2024-04-03T10:00:00Z', stateful: true },
  ],
};

describe('instanceInfoText', () => {
  it('prints a running instance like lxc info (interfaces in name order)', () => {
    expect(instanceInfoText(C1, true, { TZ: 'UTC' })).toBe(
      [
        'Name: c1',
        'Status: RUNNING',
        'Type: container',
        'Architecture: x86_64',
        'Location: n1',
        'PID: 4242',
        'Created: 2024/03/01 10:20 UTC',
        'Last Used: 2024/03/05 11:00 UTC',
        '',
        'Resources:',
        '  Processes: 7',
        '  Disk usage:',
        '    root: 5.00MiB',
        '  CPU usage:',
        '    CPU usage (in seconds): 12',
        '  Memory usage:',
        '    Memory (current): 70.00MiB',
        '    Memory (peak): 100.00MiB',
        '  Network usage:',
        '    eth0:',
        '      Type: broadcast',
        '      State: UP',
        '      Host interface: veth123',
        '      MAC address: 00:16:3e:00:00:01',
        '      MTU: 1450',
        '      Bytes received: 123.46kB',
        '      Bytes sent: 999B',
        '      Packets received: 10',
        '      Packets sent: 5',
        '      IP addresses:',
        '        inet:  240.1.0.2/24 (global)',
        '        inet6: fd42::2/64 (global)',
        '    lo:',
        '      Type: loopback',
        '      State: UP',
        '      Bytes received: 0B',
        '      Bytes sent: 0B',
        '      Packets received: 0',
        '      Packets sent: 0',
        '      IP addresses:',
        '        inet:  127.0.0.1/8 (local)',
        '',
        'Snapshots:',
        '+-------+----------------------+----------------------+----------+',
        '| NAME  |       TAKEN AT       |      EXPIRES AT      | STATEFUL |',
        '+-------+----------------------+----------------------+----------+',
        '| snap0 | 2024/03/02 10:00 UTC |                      | NO       |',
        '+-------+----------------------+----------------------+----------+',
        '| snap1 | 2024/03/03 10:00 UTC | 2024/04/03 10:00 UTC | YES      |',
        '+-------+----------------------+----------------------+----------+',
        '',
      ].join('\n'),
    );
  });

  it('shows dates in the time zone of $TZ, and leaves out what a stopped instance lacks', () => {
    const stopped = { ...C1, status: 'Stopped', ephemeral: true, state: { pid: 0 }, snapshots: [] };
    expect(instanceInfoText(stopped, false, { TZ: 'Europe/Paris' })).toBe(
      [
        'Name: c1',
        'Status: STOPPED',
        'Type: container (ephemeral)',
        'Architecture: x86_64',
        'Created: 2024/03/01 11:20 CET',
        'Last Used: 2024/03/05 12:00 CET',
        '',
      ].join('\n'),
    );
    expect(instanceInfoText({ name: 'c2', created_at: '1970-01-01T00:00:00Z' }, false, {})).toBe(
      'Name: c2\nStatus: \nType: container\nArchitecture: \n',
    );
  });
});
