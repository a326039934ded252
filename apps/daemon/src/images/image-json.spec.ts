import { createHash } from 'node:crypto';
import { aliasEtag, imageEtag, imageJson } from './image-json';
import type { ImageAliasRecord, ImageRecord } from './image-record';

const record: ImageRecord = {
  id: 1, project: 'default', fingerprint: 'ab'.repeat(32), filename: 'busybox.tar.gz', size: 10, public: true, autoUpdate: false, cached: false,
  architecture: 'x86_64', type: 'container', createdAt: '2024-05-01T10:00:00Z', expiresAt: '1970-01-01T00:00:00Z', uploadedAt: '2024-05-02T11:00:00.120Z',
  lastUsedAt: null, properties: { os: 'BusyBox', architecture: 'x86_64' }, aliases: [{ name: 'bb', description: '' }], state: 'x',
};

describe('image JSON', () => {
  it('has LXD 5.0.2 fields and time formats', () => {
    expect(imageJson(record)).toEqual({
      auto_update: false,
      properties: { os: 'BusyBox', architecture: 'x86_64' },
      public: true,
      expires_at: '1970-01-01T00:00:00Z',
      profiles: ['default'],
      aliases: [{ name: 'bb', description: '' }],
      architecture: 'x86_64',
      cached: false,
      filename: 'busybox.tar.gz',
      fingerprint: 'ab'.repeat(32),
      size: 10,
      type: 'container',
      created_at: '2024-05-01T10:00:00Z',
      last_used_at: '0001-01-01T00:00:00Z',
      uploaded_at: '2024-05-02T11:00:00.12Z',
    });
  });

  it('hashes [public, auto_update, properties] for the ETag, keys sorted as Go encodes maps', () => {
    const expected = createHash('sha256').update('[true,false,{"architecture":"x86_64","os":"BusyBox"}]').digest('hex');
    expect(imageEtag(record)).toBe(expected);
    expect(imageEtag({ ...record, size: 99, aliases: [] })).toBe(expected);
    expect(imageEtag({ ...record, public: false })).not.toBe(expected);
  });

  it('hashes an alias in its struct order', () => {
    const alias: ImageAliasRecord = { id: 1, name: 'bb', description: 'd', target: 'ff', type: 'container', imageId: 1, state: '' };
    expect(aliasEtag(alias)).toBe(createHash('sha256').update('{"description":"d","target":"ff","name":"bb","type":"container"}').digest('hex'));
  });
});
