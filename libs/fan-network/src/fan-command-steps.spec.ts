import { diffFanState } from './fan-diff';
import { invocationOf, renderCommandSteps } from './fan-command-steps';
import { emptyActual, testPlan } from './test-fixtures';

describe('renderCommandSteps', () => {
  it('groups consecutive changes per tool and keeps the order', () => {
    const steps = renderCommandSteps(diffFanState(testPlan(), emptyActual()));
    expect(steps.map((s) => s.kind)).toEqual(['sysctl', 'ip', 'sysctl', 'bridge', 'ip', 'nft']);
    expect(steps.map(invocationOf).map((i) => [i.command, ...i.args].join(' '))).toEqual([
      'sysctl -w net.ipv4.ip_forward=1',
      'ip -batch -',
      'sysctl -w net.ipv4.conf.fan0.proxy_arp=1 net.ipv4.neigh.fan0.proxy_delay=0 net.ipv4.conf.fan0.rp_filter=2 net.ipv4.conf.fan0-vx.rp_filter=2',
      'bridge -batch -',
      'ip -batch -',
      'nft -f -',
    ]);
    expect(invocationOf(steps[1]).input).toBe(
      [
        'link add name fan0 address 0e:fb:c0:a8:00:2e mtu 1450 type bridge',
        'link set dev fan0 mtu 1450 up',
        'address replace 240.0.46.1/8 broadcast 240.255.255.255 dev fan0',
        'link add name fan0-vx address 0e:fa:c0:a8:00:2e mtu 1450 type vxlan id 15728640 dstport 8472 local 192.168.0.46 dev eth0 nolearning ttl 64',
        'link set dev fan0-vx up',
        'address replace 240.0.46.0/32 dev fan0-vx',
        '',
      ].join('\n'),
    );
    expect(invocationOf(steps[3]).input).toBe(
      [
        'fdb replace 0e:fa:c0:a8:00:2f dev fan0-vx dst 192.168.0.47 self permanent',
        'fdb replace 0e:fa:c0:a8:01:30 dev fan0-vx dst 192.168.1.48 self permanent',
        '',
      ].join('\n'),
    );
    expect(invocationOf(steps[4]).input).toBe(
      [
        'neighbour replace 240.0.47.0 lladdr 0e:fa:c0:a8:00:2f dev fan0-vx nud permanent',
        'neighbour replace 240.1.48.0 lladdr 0e:fa:c0:a8:01:30 dev fan0-vx nud permanent',
        'route replace 240.0.47.0/24 via 240.0.47.0 dev fan0-vx onlink proto 250 table main',
        'route replace 240.1.48.0/24 via 240.1.48.0 dev fan0-vx onlink proto 250 table main',
        '',
      ].join('\n'),
    );
    expect(invocationOf(steps[5]).input).toContain('ip saddr 240.0.46.0/24 ip daddr != 240.0.0.0/8 oifname != { "fan0", "fan0-vx" } masquerade');
  });

  it('keeps each step\'s changes aligned with its lines', () => {
    for (const step of renderCommandSteps(diffFanState(testPlan(), emptyActual()))) {
      if (step.kind === 'ip' || step.kind === 'bridge') expect(step.lines).toHaveLength(step.changes.length);
      if (step.kind === 'sysctl') expect(step.settings).toHaveLength(step.changes.length);
    }
  });

  it('renders removal as route → neighbour batch, then fdb, then nft, then devices', () => {
    const steps = renderCommandSteps([
      { kind: 'delete-route', device: 'vx', destination: '240.0.47.0/24', protocol: 250, metric: 0 },
      { kind: 'delete-neighbour', device: 'vx', address: '240.0.47.0' },
      { kind: 'delete-fdb', device: 'vx', mac: '0e:fa:c0:a8:00:2f', dst: '192.168.0.47' },
      { kind: 'delete-nat', table: 'cubed-fan-br' },
      { kind: 'delete-link', name: 'vx' },
      { kind: 'delete-link', name: 'br' },
    ]);
    expect(steps.map((s) => [s.kind, invocationOf(s).input])).toEqual([
      ['ip', 'route delete 240.0.47.0/24 dev vx proto 250 metric 0 table main\nneighbour delete 240.0.47.0 dev vx\n'],
      ['bridge', 'fdb delete 0e:fa:c0:a8:00:2f dev vx dst 192.168.0.47 self\n'],
      ['nft', 'delete table ip cubed-fan-br\n'],
      ['ip', 'link delete dev vx\nlink delete dev br\n'],
    ]);
  });

  it('renders nothing for no changes', () => {
    expect(renderCommandSteps([])).toEqual([]);
  });
});
