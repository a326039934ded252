import { parseImageMetadata } from './image-metadata';

describe('parseImageMetadata', () => {
  it('reads an LXD metadata.yaml', () => {
    const metadata = parseImageMetadata(`architecture: x86_64
creation_date: 1700000000
expiry_date: 1800000000
properties:
  os: Ubuntu
  release: 22.04
  serial: 20231101
templates:
  /etc/hostname:
    when:
      - create
      - copy
    create_only: false
    template: hostname.tpl
    properties: {}
  /var/lib/cloud/seed/nocloud-net/meta-data:
    when: [create, copy, start]
    template: cloud-init-meta.tpl
    create_only: true
    properties:
      default: "#cloud-config\\n{}"
`);
    expect(metadata).toEqual({
      architecture: 'x86_64',
      creationDate: 1700000000,
      expiryDate: 1800000000,
      properties: { os: 'Ubuntu', release: '22.04', serial: '20231101' },
      templates: {
        '/etc/hostname': { when: ['create', 'copy'], template: 'hostname.tpl', createOnly: false, properties: {} },
        '/var/lib/cloud/seed/nocloud-net/meta-data': {
          when: ['create', 'copy', 'start'],
          template: 'cloud-init-meta.tpl',
          createOnly: true,
          properties: { default: '#cloud-config\n{}' },
        },
      },
    });
  });

  it.each([
    ['architecture: x86_64', /creation_date must be a Unix timestamp/],
    ['creation_date: 1', /architecture is missing/],
    ['- a list', /it must be a map/],
    ['architecture: [x', /Invalid image metadata.yaml/],
    ['architecture: x86_64\ncreation_date: "yesterday"', /creation_date/],
    ['architecture: x86_64\ncreation_date: 1\ntemplates:\n  etc/hostname: {when: [create], template: h.tpl}', /must be an absolute path/],
    ['architecture: x86_64\ncreation_date: 1\ntemplates:\n  /etc/hostname: {when: [boot], template: h.tpl}', /when must list triggers/],
    ['architecture: x86_64\ncreation_date: 1\ntemplates:\n  /etc/hostname: {when: [create], template: ../../etc/shadow}', /relative path inside templates/],
    ['architecture: x86_64\ncreation_date: 1\ntemplates:\n  /etc/hostname: {when: [create], template: h.tpl, create_only: maybe}', /create_only/],
    ['architecture: x86_64\ncreation_date: 1\nproperties:\n  os: {nested: map}', /properties.os must be a string/],
  ])('refuses %j', (text, message) => {
    expect(() => parseImageMetadata(text)).toThrow(message);
  });
});
