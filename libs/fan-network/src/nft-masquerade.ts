/**
 * The NAT of a Fan network in nftables: one table of family ip per network holding a postrouting
 * nat chain with a single rule
 *
 *     ip saddr <member subnet> ip daddr != <overlay> oifname != { <bridge>, <vxlan> } masquerade
 *
 * so that container traffic leaving the overlay is masqueraded to the host's address while
 * traffic between members' containers keeps its source. The whole table belongs to the network:
 * it is replaced atomically (one `nft -f` transaction) and deleted as a whole.
 */
import type { DesiredNat, NatRule, ObservedNatChain, ObservedNatRule, ObservedNatTable } from './fan-state';

export const NAT_CHAIN: Required<ObservedNatChain> = {
  name: 'postrouting',
  type: 'nat',
  hook: 'postrouting',
  priority: 100,
  policy: 'accept',
};

/** The `nft -f` script that (re)creates the network's NAT table with its rule. */
export function renderNatApplyScript(table: string, rule: NatRule): string {
  const interfaces = rule.excludedInterfaces.map((name) => `"${name}"`).join(', ');
  return [
    `table ip ${table}`,
    `delete table ip ${table}`,
    `table ip ${table} {`,
    `\tchain ${NAT_CHAIN.name} {`,
    `\t\ttype ${NAT_CHAIN.type} hook ${NAT_CHAIN.hook} priority srcnat; policy ${NAT_CHAIN.policy};`,
    `\t\tip saddr ${rule.sourceSubnet} ip daddr != ${rule.excludedDestination} oifname != { ${interfaces} } masquerade`,
    `\t}`,
    `}`,
    '',
  ].join('\n');
}

export function renderNatDeleteScript(table: string): string {
  return `delete table ip ${table}\n`;
}

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nftObjects(text: string): Record<string, Json>[] {
  const parsed: Json = JSON.parse(text);
  if (!isObject(parsed) || !Array.isArray(parsed.nftables)) {
    throw new Error('nft -j output has no "nftables" array');
  }
  return parsed.nftables.filter(isObject);
}

/** Table names from `nft -j list tables ip`. */
export function parseNftTableNames(text: string): string[] {
  return nftObjects(text)
    .map((o) => o.table)
    .filter(isObject)
    .filter((t) => t.family === 'ip' && typeof t.name === 'string')
    .map((t) => t.name as string);
}

function prefixText(value: Json): string | undefined {
  if (typeof value === 'string') return `${value}/32`;
  if (isObject(value) && isObject(value.prefix)) {
    const { addr, len } = value.prefix;
    if (typeof addr === 'string' && typeof len === 'number') return `${addr}/${len}`;
  }
  return undefined;
}

function stringSet(value: Json): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (isObject(value) && Array.isArray(value.set) && value.set.every((v) => typeof v === 'string')) {
    return value.set as string[];
  }
  return undefined;
}

function matchOf(expr: Json, op: string): { left: Record<string, Json>; right: Json } | undefined {
  if (!isObject(expr) || !isObject(expr.match)) return undefined;
  const { left, right } = expr.match;
  if (expr.match.op !== op || !isObject(left)) return undefined;
  return { left, right };
}

function isPayload(left: Record<string, Json>, field: string): boolean {
  return isObject(left.payload) && left.payload.protocol === 'ip' && left.payload.field === field;
}

/** The rule when its expressions have exactly the shape `renderNatApplyScript` writes. */
export function parseMasqueradeRule(expressions: Json): NatRule | undefined {
  if (!Array.isArray(expressions) || expressions.length !== 4) return undefined;
  const [source, destination, output, action] = expressions;
  const s = matchOf(source, '==');
  const d = matchOf(destination, '!=');
  const o = matchOf(output, '!=');
  if (!s || !isPayload(s.left, 'saddr')) return undefined;
  if (!d || !isPayload(d.left, 'daddr')) return undefined;
  if (!o || !isObject(o.left.meta) || o.left.meta.key !== 'oifname') return undefined;
  if (!isObject(action) || !('masquerade' in action) || action.masquerade !== null) return undefined;
  const sourceSubnet = prefixText(s.right);
  const excludedDestination = prefixText(d.right);
  const excludedInterfaces = stringSet(o.right);
  if (!sourceSubnet || !excludedDestination || !excludedInterfaces) return undefined;
  return { sourceSubnet, excludedDestination, excludedInterfaces };
}

/** The table from `nft -j list table ip <name>`. */
export function parseNatTable(name: string, text: string): ObservedNatTable {
  const chains: ObservedNatChain[] = [];
  const rules: ObservedNatRule[] = [];
  let otherObjects = 0;
  for (const object of nftObjects(text)) {
    if ('metainfo' in object || 'table' in object) continue;
    if (isObject(object.chain)) {
      const c = object.chain;
      chains.push({
        name: String(c.name),
        ...(typeof c.type === 'string' ? { type: c.type } : {}),
        ...(typeof c.hook === 'string' ? { hook: c.hook } : {}),
        ...(typeof c.prio === 'number' ? { priority: c.prio } : {}),
        ...(typeof c.policy === 'string' ? { policy: c.policy } : {}),
      });
    } else if (isObject(object.rule)) {
      const rule = parseMasqueradeRule(object.rule.expr);
      rules.push({ chain: String(object.rule.chain), ...(rule ? { rule } : {}) });
    } else {
      otherObjects += 1;
    }
  }
  return { name, chains, rules, otherObjects };
}

function sameRule(a: NatRule, b: NatRule): boolean {
  const names = (r: NatRule) => [...r.excludedInterfaces].sort().join(',');
  return a.sourceSubnet === b.sourceSubnet && a.excludedDestination === b.excludedDestination && names(a) === names(b);
}

/** Whether an observed table is exactly the desired one: one nat chain holding only the rule. */
export function natTableMatches(desired: DesiredNat, observed: ObservedNatTable): boolean {
  if (observed.otherObjects !== 0 || observed.chains.length !== 1 || observed.rules.length !== 1) return false;
  const [chain] = observed.chains;
  const [rule] = observed.rules;
  const chainMatches =
    chain.name === NAT_CHAIN.name &&
    chain.type === NAT_CHAIN.type &&
    chain.hook === NAT_CHAIN.hook &&
    chain.priority === NAT_CHAIN.priority &&
    chain.policy === NAT_CHAIN.policy;
  return chainMatches && rule.chain === NAT_CHAIN.name && rule.rule !== undefined && sameRule(rule.rule, desired.rule);
}
