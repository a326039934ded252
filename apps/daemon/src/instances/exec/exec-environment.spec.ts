import { DEFAULT_EXEC_PATH, execEnvironment } from './exec-environment';
import { execWorkingDirectory } from './exec-working-directory';

const nothing = async (): Promise<boolean> => false;

describe('execEnvironment', () => {
  it("adds LXD's defaults for root, with the keys in order", async () => {
    const environment = await execEnvironment({ requested: { TERM: 'xterm' }, config: {}, user: 0, exists: nothing });
    expect(environment).toEqual({ HOME: '/root', LANG: 'C.UTF-8', PATH: DEFAULT_EXEC_PATH, TERM: 'xterm', USER: 'root' });
    expect(Object.keys(environment)).toEqual(['HOME', 'LANG', 'PATH', 'TERM', 'USER']);
  });

  it('sets neither HOME nor USER for other users', async () => {
    expect(await execEnvironment({ requested: {}, config: {}, user: 1000, exists: nothing })).toEqual({ LANG: 'C.UTF-8', PATH: DEFAULT_EXEC_PATH });
  });

  it('takes environment.* config keys for what the request does not set, and keeps what it sets', async () => {
    const environment = await execEnvironment({
      requested: { HOME: '/home/me', A: 'from request' },
      config: { 'environment.A': 'from config', 'environment.B': 'from config', 'limits.cpu': '1', 'environment.PATH': '/opt/bin' },
      user: 0,
      exists: nothing,
    });
    expect(environment).toEqual({ A: 'from request', B: 'from config', HOME: '/home/me', LANG: 'C.UTF-8', PATH: '/opt/bin', USER: 'root' });
  });

  it('extends the default PATH with /snap/bin and the NixOS profile when the container has them', async () => {
    const seen: string[] = [];
    const exists = async (path: string) => {
      seen.push(path);
      return true;
    };
    expect((await execEnvironment({ requested: {}, config: {}, user: 0, exists })).PATH).toBe(`${DEFAULT_EXEC_PATH}:/snap/bin:/run/current-system/sw/bin`);
    expect(seen).toEqual(['/snap', '/etc/NIXOS']);
  });

  it('keeps names that are also Object properties', async () => {
    expect(await execEnvironment({ requested: { constructor: 'x', __proto__: 'y' } as Record<string, string>, config: {}, user: 1, exists: nothing })).toMatchObject({ constructor: 'x' });
  });
});

describe('execWorkingDirectory', () => {
  it('is the requested directory, else HOME when it is a directory, else the default', async () => {
    expect(await execWorkingDirectory('/srv', { HOME: '/root' }, nothing)).toBe('/srv');
    expect(await execWorkingDirectory('', { HOME: '/root' }, async (p) => p === '/root')).toBe('/root');
    expect(await execWorkingDirectory('', { HOME: '/root' }, nothing)).toBeUndefined();
    expect(await execWorkingDirectory('', {}, async () => true)).toBeUndefined();
    expect(await execWorkingDirectory('', { HOME: 'relative' }, async () => true)).toBeUndefined();
  });
});
