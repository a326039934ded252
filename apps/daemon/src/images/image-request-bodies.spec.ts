import { checkAliasName, checkProfiles, expiresAt, jsonObject, optionalBoolean, stringMap } from './image-request-bodies';
import { imageSourceRefusal } from './image-source-request';

const fails = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return { status: (err as { statusCode?: number }).statusCode, message: (err as Error).message };
  }
  throw new Error('did not fail');
};

describe('request bodies', () => {
  it('wants an object', () => {
    expect(fails(() => jsonObject([]))).toEqual({ status: 400, message: 'The request body must be a JSON object' });
    expect(fails(() => jsonObject(undefined))).toEqual({ status: 400, message: 'The request body must be a JSON object' });
  });

  it('names the field of the wrong type', () => {
    expect(fails(() => optionalBoolean({ public: 'yes' }, 'public'))).toEqual({ status: 400, message: 'public must be true or false' });
    expect(fails(() => stringMap({ properties: { os: 1 } }, 'properties'))).toEqual({ status: 400, message: 'Invalid value for properties key "os": expected a string' });
    expect(fails(() => expiresAt({ expires_at: 'soon' }))).toEqual({ status: 400, message: 'expires_at must be an RFC 3339 time, not "soon"' });
    expect(stringMap({ properties: null }, 'properties')).toEqual({});
    expect(stringMap({}, 'properties')).toBeUndefined();
  });

  it('accepts only the default profile', () => {
    for (const profiles of [undefined, null, [], ['default'], ['default', 'default']]) expect(() => checkProfiles({ profiles })).not.toThrow();
    expect(fails(() => checkProfiles({ profiles: ['default', 'web'] })).message).toMatch(/^Image profiles other than "default" cannot be set/);
    expect(fails(() => checkProfiles({ profiles: 'default' })).status).toBe(400);
  });

  it('checks alias names', () => {
    expect(fails(() => checkAliasName('a/b'))).toEqual({ status: 400, message: 'Invalid alias name "a/b": "/" is not allowed' });
    expect(() => checkAliasName('ubuntu-22.04')).not.toThrow();
  });

  it('says why a JSON image source is refused', () => {
    const message = (body: Record<string, unknown>) => imageSourceRefusal(body).message;
    expect(message({})).toMatch(/^No image source given/);
    expect(message({ source: { type: 'image', mode: 'pull', server: 'https://x' } })).toMatch(/source type "image"/);
    expect(message({ source: { type: 'image', mode: 'push' } })).toMatch(/source mode "push"/);
    expect(message({ source: { type: 'url', url: 'https://x' } })).toMatch(/source type "url"/);
    expect(message({ source: { type: 'snapshot', name: 'c1/s0' } })).toMatch(/source type "snapshot"/);
    expect(message({ source: { type: 'nonsense' } })).toBe('Invalid images JSON');
    expect(imageSourceRefusal({ source: { type: 'nonsense' } }).statusCode).toBe(400);
  });
});
