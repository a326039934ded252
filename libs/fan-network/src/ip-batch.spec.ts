import { renderBatchLine } from './ip-batch';

describe('renderBatchLine', () => {
  it.each([
    [{ kind: 'delete-link', name: 'fan0-vx' }, 'ip', 'link delete dev fan0-vx'],
    [
      { kind: 'create-bridge', name: 'fan0', mac: '0e:fb:c0:a8:00:2e', mtu: 1450 },
      'ip',
      'link add name fan0 address 0e:fb:c0:a8:00:2e mtu 1450 type bridge',
    ],
    [
      {
        kind: 'create-vxlan',
        name: 'fan0-vx',
        mac: '0e:fa:c0:a8:00:2e',
        mtu: 1450,
        vni: 15728640,
        port: 8472,
        local: '192.168.0.46',
        device: 'eth0',
        ttl: 64,
      },
      'ip',
      'link add name fan0-vx address 0e:fa:c0:a8:00:2e mtu 1450 type vxlan id 15728640 dstport 8472 local 192.168.0.46 dev eth0 nolearning ttl 64',
    ],
    [{ kind: 'set-link', name: 'fan0', mtu: 1450, up: true }, 'ip', 'link set dev fan0 mtu 1450 up'],
    [
      { kind: 'set-link', name: 'fan0-vx', noMaster: true, mac: '0e:fa:c0:a8:00:2e' },
      'ip',
      'link set dev fan0-vx nomaster address 0e:fa:c0:a8:00:2e',
    ],
    [
      { kind: 'add-address', device: 'fan0', cidr: '240.0.46.1/8', broadcast: '240.255.255.255' },
      'ip',
      'address replace 240.0.46.1/8 broadcast 240.255.255.255 dev fan0',
    ],
    [{ kind: 'add-address', device: 'fan0-vx', cidr: '240.0.46.0/32' }, 'ip', 'address replace 240.0.46.0/32 dev fan0-vx'],
    [{ kind: 'delete-address', device: 'fan0', cidr: '240.0.99.1/8' }, 'ip', 'address delete 240.0.99.1/8 dev fan0'],
    [
      { kind: 'replace-fdb', device: 'fan0-vx', mac: '0e:fa:c0:a8:00:2f', dst: '192.168.0.47' },
      'bridge',
      'fdb replace 0e:fa:c0:a8:00:2f dev fan0-vx dst 192.168.0.47 self permanent',
    ],
    [
      { kind: 'delete-fdb', device: 'fan0-vx', mac: '0e:fa:c0:a8:00:2f', dst: '192.168.0.47' },
      'bridge',
      'fdb delete 0e:fa:c0:a8:00:2f dev fan0-vx dst 192.168.0.47 self',
    ],
    [
      { kind: 'replace-neighbour', device: 'fan0-vx', address: '240.0.47.0', mac: '0e:fa:c0:a8:00:2f' },
      'ip',
      'neighbour replace 240.0.47.0 lladdr 0e:fa:c0:a8:00:2f dev fan0-vx nud permanent',
    ],
    [{ kind: 'delete-neighbour', device: 'fan0-vx', address: '240.0.47.0' }, 'ip', 'neighbour delete 240.0.47.0 dev fan0-vx'],
    [
      { kind: 'replace-route', device: 'fan0-vx', destination: '240.0.47.0/24', gateway: '240.0.47.0', protocol: 250 },
      'ip',
      'route replace 240.0.47.0/24 via 240.0.47.0 dev fan0-vx onlink proto 250 table main',
    ],
    [
      { kind: 'delete-route', device: 'fan0-vx', destination: '240.0.47.0/24', protocol: 250, metric: 0 },
      'ip',
      'route delete 240.0.47.0/24 dev fan0-vx proto 250 metric 0 table main',
    ],
  ] as const)('%j', (change, tool, line) => {
    expect(renderBatchLine(change)).toEqual({ tool, line });
  });
});
