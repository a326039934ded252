import { natTableMatches, parseMasqueradeRule, parseNatTable, parseNftTableNames, renderNatApplyScript, renderNatDeleteScript } from './nft-masquerade';
import type { DesiredNat } from './fan-state';

const desired: DesiredNat = {
  table: 'cubed-fan-fan0',
  rule: { sourceSubnet: '240.0.46.0/24', excludedDestination: '240.0.0.0/8', excludedInterfaces: ['fan0', 'fan0-vx'] },
};

// `nft -j list table ip cubed-fan-fan0` after applying renderNatApplyScript (nftables 1.0.6).
const LISTED_TABLE = JSON.stringify({
  nftables: [
    { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } },
    { table: { family: 'ip', name: 'cubed-fan-fan0', handle: 1 } },
    {
      chain: { family: 'ip', table: 'cubed-fan-fan0', name: 'postrouting', handle: 1, type: 'nat', hook: 'postrouting', prio: 100, policy: 'accept' },
    },
    {
      rule: {
        family: 'ip',
        table: 'cubed-fan-fan0',
        chain: 'postrouting',
        handle: 3,
        expr: [
          { match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: { prefix: { addr: '240.0.46.0', len: 24 } } } },
          { match: { op: '!=', left: { payload: { protocol: 'ip', field: 'daddr' } }, right: { prefix: { addr: '240.0.0.0', len: 8 } } } },
          { match: { op: '!=', left: { meta: { key: 'oifname' } }, right: { set: ['fan0', 'fan0-vx'] } } },
          { masquerade: null },
        ],
      },
    },
  ],
});

describe('nft masquerade table', () => {
  it('renders an atomic replace script and a delete script', () => {
    expect(renderNatApplyScript(desired.table, desired.rule)).toBe(
      [
        'table ip cubed-fan-fan0',
        'delete table ip cubed-fan-fan0',
        'table ip cubed-fan-fan0 {',
        '\tchain postrouting {',
        '\t\ttype nat hook postrouting priority srcnat; policy accept;',
        '\t\tip saddr 240.0.46.0/24 ip daddr != 240.0.0.0/8 oifname != { "fan0", "fan0-vx" } masquerade',
        '\t}',
        '}',
        '',
      ].join('\n'),
    );
    expect(renderNatDeleteScript('cubed-fan-fan0')).toBe('delete table ip cubed-fan-fan0\n');
  });

  it('parses the listed table back into the rule it was written from', () => {
    const table = parseNatTable('cubed-fan-fan0', LISTED_TABLE);
    expect(table).toEqual({
      name: 'cubed-fan-fan0',
      chains: [{ name: 'postrouting', type: 'nat', hook: 'postrouting', priority: 100, policy: 'accept' }],
      rules: [{ chain: 'postrouting', rule: desired.rule }],
      otherObjects: 0,
    });
    expect(natTableMatches(desired, table)).toBe(true);
  });

  it('does not match a table with another subnet, an extra rule, another chain or a set', () => {
    const table = parseNatTable('cubed-fan-fan0', LISTED_TABLE);
    expect(natTableMatches({ ...desired, rule: { ...desired.rule, sourceSubnet: '240.0.47.0/24' } }, table)).toBe(false);
    expect(natTableMatches(desired, { ...table, rules: [...table.rules, { chain: 'postrouting' }] })).toBe(false);
    expect(natTableMatches(desired, { ...table, chains: [{ ...table.chains[0], priority: 0 }] })).toBe(false);
    expect(natTableMatches(desired, { ...table, otherObjects: 1 })).toBe(false);
    expect(natTableMatches(desired, { ...table, rules: [{ chain: 'postrouting' }] })).toBe(false);
  });

  it('matches interface sets regardless of order', () => {
    const table = parseNatTable('cubed-fan-fan0', LISTED_TABLE);
    expect(natTableMatches({ ...desired, rule: { ...desired.rule, excludedInterfaces: ['fan0-vx', 'fan0'] } }, table)).toBe(true);
  });

  it('recognises only the exact masquerade shape', () => {
    const expr = JSON.parse(LISTED_TABLE).nftables[3].rule.expr;
    expect(parseMasqueradeRule(expr)).toEqual(desired.rule);
    expect(parseMasqueradeRule(expr.slice(0, 3))).toBeUndefined();
    expect(parseMasqueradeRule([...expr.slice(0, 3), { accept: null }])).toBeUndefined();
    const single = [expr[0], expr[1], { match: { op: '!=', left: { meta: { key: 'oifname' } }, right: 'fan0' } }, expr[3]];
    expect(parseMasqueradeRule(single)?.excludedInterfaces).toEqual(['fan0']);
    const host = [{ match: { ...expr[0].match, right: '240.0.46.5' } }, expr[1], expr[2], expr[3]];
    expect(parseMasqueradeRule(host)?.sourceSubnet).toBe('240.0.46.5/32');
  });

  it('lists table names of family ip', () => {
    const listed = JSON.stringify({
      nftables: [{ metainfo: { version: '1.0.6' } }, { table: { family: 'ip', name: 'cubed-fan-fan0', handle: 1 } }, { table: { family: 'ip', name: 'filter', handle: 2 } }],
    });
    expect(parseNftTableNames(listed)).toEqual(['cubed-fan-fan0', 'filter']);
    expect(() => parseNftTableNames('{}')).toThrow('no "nftables" array');
  });
});
