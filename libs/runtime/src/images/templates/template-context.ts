/**
 * The variables LXD gives image templates: `trigger`, `path`, `container` and `instance` (name,
 * architecture, privileged, ephemeral), `config` (the instance configuration), `devices`, `properties`
 * (the template's own properties from metadata.yaml) and `config_get(key, default)`.
 */
import { TemplateMap, TemplateValue } from './template-renderer';

export interface TemplateInstance {
  name: string;
  architecture: string;
  privileged: boolean;
  ephemeral: boolean;
  config: Readonly<Record<string, string>>;
  devices: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export function templateContext(
  instance: TemplateInstance,
  trigger: string,
  path: string,
  properties: Readonly<Record<string, string>>,
): TemplateMap {
  const meta: TemplateMap = {
    name: instance.name,
    architecture: instance.architecture,
    privileged: instance.privileged ? 'true' : 'false',
    ephemeral: instance.ephemeral ? 'true' : 'false',
  };
  const devices: TemplateMap = {};
  for (const [name, device] of Object.entries(instance.devices)) devices[name] = { ...device };
  return {
    trigger,
    path,
    container: meta,
    instance: { ...meta },
    config: { ...instance.config },
    devices,
    properties: { ...properties },
    // Like LXD: the configured value with trailing newlines removed, or the default when the key is unset.
    config_get: (key: TemplateValue, fallback: TemplateValue): TemplateValue => {
      const value = typeof key === 'string' ? instance.config[key] : undefined;
      return value === undefined ? fallback : value.replace(/[\r\n]+$/, '');
    },
  };
}
