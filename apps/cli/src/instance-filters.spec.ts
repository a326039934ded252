import {
  dotPrefixMatch,
  INSTANCE_FIELDS,
  matchesFilters,
  matchesServerFilters,
  serverFilterQuery,
  splitServerFilters,
} from './instance-filters';

const C1 = {
  name: 'c1',
  status: 'Running',
  type: 'container',
  expanded_config: { 'security.privileged': 'true', 'volatile.eth0.hwaddr': '00:16:3e:aa:bb:cc' },
};
const STATE = {
  network: {
    eth0: {
      addresses: [
        { family: 'inet', address: '10.0.3.7' },
        { family: 'inet6', address: 'fd42::7' },
      ],
    },
  },
};

describe('instance filters', () => {
  it('matches names by anchored regular expression or prefix', () => {
    expect(matchesFilters(['c1'], C1, undefined, false)).toBe(true);
    expect(matchesFilters(['c'], C1, undefined, false)).toBe(true);
    expect(matchesFilters(['.*1$'], C1, undefined, false)).toBe(true);
    expect(matchesFilters(['d'], C1, undefined, false)).toBe(false);
    expect(matchesFilters(['c(['], C1, undefined, false)).toBe(false);
  });

  it('matches shorthands, config keys with abbreviated parts, and addresses in a CIDR', () => {
    expect(matchesFilters(['status=RUNNING', 'type=virtual-machine,container'], C1, undefined, false)).toBe(true);
    expect(matchesFilters(['s.privileged=true'], C1, undefined, false)).toBe(true);
    expect(matchesFilters(['s.privileged=false'], C1, undefined, false)).toBe(false);
    expect(matchesFilters(['volatile.eth0.hwaddr=00:16:3e:.*'], C1, undefined, false)).toBe(true);
    expect(matchesFilters(['ipv4=10.0.0.0/16'], C1, STATE, false)).toBe(true);
    expect(matchesFilters(['ipv6=fd42::7'], C1, STATE, false)).toBe(true);
    expect(matchesFilters(['ipv4=10.1.0.0/16'], C1, STATE, false)).toBe(false);
    expect(matchesFilters(['ipv4=10.1.0.0/16'], C1, undefined, true)).toBe(true);
    expect(dotPrefixMatch('u.c', 'user.comment')).toBe(true);
    expect(dotPrefixMatch('user', 'user.comment')).toBe(false);
  });

  it('splits off the filters the server can apply, and applies them as the server would', () => {
    const { server, client } = splitServerFilters(
      ['status=running', 'type=a,b', 'user.x=1', 'web', 'location=n1'],
      INSTANCE_FIELDS,
    );
    expect(server).toEqual(['status=running', 'location=n1']);
    expect(client).toEqual(['type=a,b', 'user.x=1', 'web']);
    expect(serverFilterQuery(server)).toBe('status eq running and location eq n1');
    expect(matchesServerFilters(['status=running'], C1)).toBe(true);
    expect(matchesServerFilters(['status=run.*'], C1)).toBe(true);
    expect(matchesServerFilters(['name=c'], C1)).toBe(false);
  });
});
