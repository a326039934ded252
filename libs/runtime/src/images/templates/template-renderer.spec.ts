import { isRuntimeError } from '../../errors/runtime-error';
import { templateContext, TemplateInstance } from './template-context';
import { renderTemplate } from './template-renderer';
import { TemplateSyntaxError } from './template-syntax';

const instance: TemplateInstance = {
  name: 'web-1',
  architecture: 'x86_64',
  privileged: false,
  ephemeral: false,
  config: { 'user.meta-data': 'instance-id: x\n\n', 'user.empty': '' },
  devices: { eth0: { type: 'nic', parent: 'br0' } },
};

const render = (source: string, properties: Record<string, string> = {}) =>
  renderTemplate(source, templateContext(instance, 'create', '/etc/hostname', properties));

function syntaxError(source: string): TemplateSyntaxError {
  try {
    render(source);
  } catch (error) {
    if (error instanceof TemplateSyntaxError) return error;
    throw error;
  }
  throw new Error(`rendered: ${source}`);
}

describe('renderTemplate', () => {
  it('renders the hostname template with either spelling', () => {
    expect(render('{{ container.name }}\n')).toBe('web-1\n');
    expect(render('{{instance.name}}')).toBe('web-1');
  });

  it('knows the variables LXD documents', () => {
    expect(render('{{ trigger }} {{ path }} {{ container.architecture }} {{ instance.privileged }} {{ container.ephemeral }}')).toBe(
      'create /etc/hostname x86_64 false false',
    );
    expect(render('{{ devices.eth0.parent }} {{ properties.default }}', { default: 'dflt' })).toBe('br0 dflt');
    expect(render('[{{ properties.missing }}][{{ container.name.length }}]')).toBe('[][]');
  });

  it('implements config_get with LXD semantics', () => {
    expect(render('{{ config_get("user.meta-data", "") }}')).toBe('instance-id: x');
    expect(render('{{ config_get("user.nothing", "fallback") }}')).toBe('fallback');
    expect(render("{{ config_get('user.empty', 'fallback') }}|")).toBe('|');
    expect(render('{{ config_get("user.nothing", properties.default) }}', { default: '#cloud-config' })).toBe('#cloud-config');
  });

  it('renders if/elif/else with comparisons and boolean operators', () => {
    const source = '{% if config_get("user.network-config", "") == "" %}default{% else %}{{ config_get("user.network-config", "") }}{% endif %}';
    expect(render(source)).toBe('default');
    expect(render('{% if trigger == "start" %}a{% elif trigger != "copy" and not instance.ephemeral == "true" %}b{% else %}c{% endif %}')).toBe('b');
    expect(render('{% if properties.x or (trigger == "create" && true) %}yes{% endif %}')).toBe('yes');
    expect(render('{% if config_get("user.empty", "") %}full{% else %}empty{% endif %}')).toBe('empty');
    expect(render('{% if 1 == 1 %}{% if False %}x{% else %}nested{% endif %}{% endif %}')).toBe('nested');
  });

  it('keeps text, braces that are not tags, comments and special characters as they are', () => {
    expect(render('a { b } {# a comment #}<&>"\n{{ "x{y}" }}')).toBe('a { b } <&>"\nx{y}');
    expect(render("{{ 'it\\'s' }}")).toBe("it's");
  });

  it.each<[string, number, RegExp]>([
    ['line1\n{% for x in config %}{{ x }}{% endfor %}', 2, /unsupported tag "for"/],
    ['{{ container.name|upper }}', 1, /filters \("\|"\) are not supported/],
    ['{{- container.name }}', 1, /whitespace control/],
    ['{{ container.name }', 1, /never closed/],
    ['{% if true %}x', 1, /"if" is never closed/],
    ['{% endif %}', 1, /"endif" without a matching "if"/],
    ['{% else %}', 1, /"else" without a matching "if"/],
    ['\n\n{{ 1 + 2 }}', 3, /unexpected "\+"/],
    ['{{ unknown_thing }}', 1, /unknown variable "unknown_thing"/],
    ['{{ shell("rm -rf /") }}', 1, /unknown function "shell"/],
    ['{{ container }}', 1, /a map or function cannot be output/],
    ['{{ }}', 1, /empty expression/],
    ['{{ "open }}', 1, /unterminated string literal/],
    ['{% include "x" %}', 1, /unsupported tag "include"/],
  ])('refuses %j on line %d', (source, line, message) => {
    const error = syntaxError(source);
    expect(isRuntimeError(error, 'InvalidArgument')).toBe(true);
    expect(error.line).toBe(line);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(new RegExp(`^Template error on line ${line}: `));
  });
});
