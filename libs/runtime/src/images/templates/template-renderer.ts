/**
 * Rendering of parsed image templates against LXD's template context.
 *
 * Values render as pongo2 renders them (booleans as `True`/`False`, a missing attribute as nothing) but
 * without HTML escaping: the output is a configuration file, not a web page. An unknown top-level name
 * or function is an error, since it can only be a mistake in the template.
 */
import { Expression, parseTemplate, TemplateNode, TemplateSyntaxError } from './template-syntax';

export type TemplateValue = string | number | boolean | undefined | TemplateMap | TemplateFunction;
export interface TemplateMap {
  [key: string]: TemplateValue;
}
export type TemplateFunction = (...args: TemplateValue[]) => TemplateValue;

function isMap(value: TemplateValue): value is TemplateMap {
  return typeof value === 'object' && value !== null;
}

function truthy(value: TemplateValue): boolean {
  if (value === undefined) return false;
  if (typeof value === 'string') return value !== '';
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'function') return true;
  return Object.keys(value).length > 0;
}

function equal(left: TemplateValue, right: TemplateValue): boolean {
  if (left === undefined || right === undefined) return left === right;
  if (typeof left !== typeof right) return false;
  return left === right;
}

function evaluate(expression: Expression, context: TemplateMap): TemplateValue {
  switch (expression.kind) {
    case 'literal':
      return expression.value;
    case 'variable': {
      const [first, ...rest] = expression.path;
      if (!(first in context)) throw new TemplateSyntaxError(`unknown variable "${first}"`, expression.line);
      let value: TemplateValue = context[first];
      for (const key of rest) value = isMap(value) && Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
      return value;
    }
    case 'call': {
      const fn = context[expression.name];
      if (typeof fn !== 'function') throw new TemplateSyntaxError(`unknown function "${expression.name}"`, expression.line);
      return fn(...expression.args.map((arg) => evaluate(arg, context)));
    }
    case 'not':
      return !truthy(evaluate(expression.operand, context));
    case 'binary': {
      if (expression.operator === 'and') return truthy(evaluate(expression.left, context)) && truthy(evaluate(expression.right, context));
      if (expression.operator === 'or') return truthy(evaluate(expression.left, context)) || truthy(evaluate(expression.right, context));
      const same = equal(evaluate(expression.left, context), evaluate(expression.right, context));
      return expression.operator === '==' ? same : !same;
    }
  }
}

function display(value: TemplateValue, line: number): string {
  if (value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw new TemplateSyntaxError('a map or function cannot be output', line);
}

function expressionLine(expression: Expression): number {
  return 'line' in expression ? expression.line : 0;
}

function renderNodes(nodes: readonly TemplateNode[], context: TemplateMap, out: string[]): void {
  for (const node of nodes) {
    if (node.kind === 'text') out.push(node.text);
    else if (node.kind === 'output') out.push(display(evaluate(node.expression, context), expressionLine(node.expression)));
    else {
      const branch = node.branches.find((candidate) => truthy(evaluate(candidate.condition, context)));
      renderNodes(branch ? branch.body : node.otherwise, context, out);
    }
  }
}

export function renderTemplate(source: string, context: TemplateMap): string {
  const out: string[] = [];
  renderNodes(parseTemplate(source), context, out);
  return out.join('');
}
