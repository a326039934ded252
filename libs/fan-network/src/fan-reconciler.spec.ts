import { FanHostStateError, FanVerificationError } from './fan-errors';
import { FanReconciler } from './fan-reconciler';
import { convergedActual, emptyActual, SimulatedHostRunner, TEST_MEMBERS, TEST_NETWORK, testPlan } from './test-fixtures';

const request = { network: TEST_NETWORK, members: TEST_MEMBERS, self: 'n1' };
const desired = testPlan();

/** A host that reaches `after` once any write has been made. */
function hostReaching(before = emptyActual(), after = convergedActual(desired)): SimulatedHostRunner {
  const host = new SimulatedHostRunner(before);
  host.onWrite = (h) => {
    h.state = after;
  };
  return host;
}

describe('FanReconciler', () => {
  it('applies the planned batches and verifies by reading back', async () => {
    const host = hostReaching();
    const report = await new FanReconciler(host).reconcile(request);
    expect(report.changes[0]).toEqual({ kind: 'set-sysctl', key: 'net.ipv4.ip_forward', value: '1' });
    expect(host.writes.map((w) => w.line)).toEqual([
      'sysctl -w net.ipv4.ip_forward=1',
      'ip -batch -',
      'sysctl -w net.ipv4.conf.fan0.proxy_arp=1 net.ipv4.neigh.fan0.proxy_delay=0 net.ipv4.conf.fan0.rp_filter=2 net.ipv4.conf.fan0-vx.rp_filter=2',
      'bridge -batch -',
      'ip -batch -',
      'nft -f -',
    ]);
    expect(host.calls.filter((c) => c.line === 'ip -j -d addr show')).toHaveLength(2);
  });

  it('makes no change on a converged host', async () => {
    const host = new SimulatedHostRunner(convergedActual(desired));
    const report = await new FanReconciler(host).reconcile(request);
    expect(report).toEqual({ changes: [], steps: [] });
    expect(host.writes).toEqual([]);
  });

  it('fails verification when the host does not take the changes, listing what is left', async () => {
    const host = hostReaching(emptyActual(), { ...convergedActual(desired), fdb: [] });
    const err = await new FanReconciler(host).reconcile(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FanVerificationError);
    expect((err as FanVerificationError).remaining).toEqual([
      'fdb 0e:fa:c0:a8:00:2f → 192.168.0.47 on fan0-vx',
      'fdb 0e:fa:c0:a8:01:30 → 192.168.1.48 on fan0-vx',
    ]);
    expect((err as Error).message).toContain('reconciling network fan0 on member "n1": after applying, the host still differs');
  });

  it('plans without writing', async () => {
    const host = new SimulatedHostRunner(emptyActual());
    const report = await new FanReconciler(host).plan(request);
    expect(report.changes.length).toBeGreaterThan(10);
    expect(report.steps.map((s) => s.kind)).toEqual(['sysctl', 'ip', 'sysctl', 'bridge', 'ip', 'nft']);
    expect(host.writes).toEqual([]);
  });

  it('refuses when the underlay address is on no interface', async () => {
    const host = new SimulatedHostRunner(emptyActual(), { device: 'eth0', mtu: 1500, address: '192.168.0.99', prefixLength: 16 });
    await expect(new FanReconciler(host).reconcile(request)).rejects.toThrow(FanHostStateError);
  });

  it('tears down everything it owns and verifies that it is gone', async () => {
    const host = hostReaching(convergedActual(desired), emptyActual());
    const report = await new FanReconciler(host).teardown(TEST_NETWORK);
    expect(report.changes.map((c) => c.kind)).toEqual([
      'delete-route',
      'delete-route',
      'delete-neighbour',
      'delete-neighbour',
      'delete-fdb',
      'delete-fdb',
      'delete-nat',
      'delete-link',
      'delete-link',
    ]);
    expect(host.writes.map((w) => w.line)).toEqual(['ip -batch -', 'bridge -batch -', 'nft -f -', 'ip -batch -']);
    expect(await new FanReconciler(host).teardown(TEST_NETWORK)).toEqual({ changes: [], steps: [] });
  });

  it('fails a teardown that leaves something behind', async () => {
    const leftover = { ...emptyActual(), bridge: convergedActual(desired).bridge };
    const host = hostReaching(convergedActual(desired), leftover);
    await expect(new FanReconciler(host).teardown(TEST_NETWORK)).rejects.toThrow('tearing down network fan0: after applying');
  });

  it('runs one call at a time', async () => {
    const host = hostReaching();
    const reconciler = new FanReconciler(host);
    const [first, second] = await Promise.all([reconciler.reconcile(request), reconciler.reconcile(request)]);
    expect(first.changes.length).toBeGreaterThan(0);
    expect(second.changes).toEqual([]);
  });

  it('keeps working after a failed call', async () => {
    const host = new SimulatedHostRunner(emptyActual());
    const reconciler = new FanReconciler(host);
    await expect(reconciler.reconcile({ ...request, self: 'n9' })).rejects.toThrow('member "n9" is not in the member list');
    expect((await reconciler.plan(request)).changes.length).toBeGreaterThan(0);
  });
});
