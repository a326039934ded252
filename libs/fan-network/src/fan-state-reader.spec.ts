import { FanHostStateError } from './fan-errors';
import { FanStateReader, findUnderlayInterface } from './fan-state-reader';
import { parseIpAddrShow } from './iproute-json';
import { convergedActual, emptyActual, SimulatedHostRunner, testPlan } from './test-fixtures';

const desired = testPlan();
const keys = desired.sysctls.map((s) => s.key);

describe('FanStateReader', () => {
  it('reads back a converged host exactly', async () => {
    const host = new SimulatedHostRunner(convergedActual(desired));
    const { actual, interfaces } = await new FanStateReader(host).read(desired.ownership, keys);
    expect(actual).toEqual(convergedActual(desired));
    expect(interfaces.map((i) => i.name)).toEqual(['lo', 'eth0', 'fan0', 'fan0-vx']);
  });

  it('does not ask for entries of a VXLAN device that does not exist', async () => {
    const host = new SimulatedHostRunner(emptyActual());
    const { actual } = await new FanStateReader(host).read(desired.ownership, keys);
    expect(actual).toEqual(emptyActual());
    expect(host.calls.map((c) => c.line)).toEqual([
      'ip -j -d addr show',
      `sysctl -e ${keys.join(' ')}`,
      'nft -j list tables ip',
    ]);
  });

  it('keeps only routes of the network protocol on its VXLAN device', async () => {
    const state = convergedActual(desired);
    const host = new SimulatedHostRunner({
      ...state,
      routes: [...state.routes, { destination: '10.0.0.0/24', gateway: '10.0.0.1', device: 'eth0', onlink: false, metric: 0 }],
    });
    const { actual } = await new FanStateReader(host).read(desired.ownership, keys);
    expect(actual.routes).toEqual(state.routes);
  });

  it('reports nft as unavailable when it cannot be run', async () => {
    const host = new SimulatedHostRunner({ ...emptyActual(), nat: { available: false } });
    expect((await new FanStateReader(host).read(desired.ownership, [])).actual.nat).toEqual({ available: false });
  });

  it('reads no sysctls when none are asked for', async () => {
    const host = new SimulatedHostRunner(emptyActual());
    await new FanStateReader(host).read(desired.ownership, []);
    expect(host.calls.some((c) => c.line.startsWith('sysctl'))).toBe(false);
  });
});

describe('findUnderlayInterface', () => {
  const interfaces = parseIpAddrShow(
    JSON.stringify([
      { ifname: 'eth0', mtu: 9000, flags: ['UP'], addr_info: [{ family: 'inet', local: '192.168.0.46', prefixlen: 16 }] },
      { ifname: 'fan0', mtu: 1450, flags: ['UP'], addr_info: [{ family: 'inet', local: '10.9.9.9', prefixlen: 24 }] },
    ]),
  );

  it('finds the interface holding the address with its MTU and prefix', () => {
    expect(findUnderlayInterface(interfaces, '192.168.0.46', 'n1')).toEqual({
      device: 'eth0',
      mtu: 9000,
      address: '192.168.0.46',
      prefixLength: 16,
    });
  });

  it('never takes the network\'s own devices, and says which member lacks its address', () => {
    expect(() => findUnderlayInterface(interfaces, '10.9.9.9', 'n1', desired.ownership)).toThrow(FanHostStateError);
    expect(() => findUnderlayInterface(interfaces, '192.168.0.47', 'n2')).toThrow(
      'no interface in this network namespace carries the underlay address 192.168.0.47 of member "n2"',
    );
  });
});
