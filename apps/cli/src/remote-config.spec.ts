import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configDirectory, RemoteConfig } from './remote-config';

describe('RemoteConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cube-conf-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lives in $CUBE_CONF, else ~/.config/cube', () => {
    expect(configDirectory({ CUBE_CONF: '/etc/x' })).toBe('/etc/x');
    expect(configDirectory({ HOME: '/home/u' })).toBe('/home/u/.config/cube');
  });

  it('defaults to the local remote without a file', () => {
    const config = RemoteConfig.load({ CUBE_CONF: dir });
    expect(config.defaultRemote).toBe('local');
    expect([...config.remotes]).toEqual([['local', { addr: 'unix://', public: false, static: true }]]);
    expect(config.parseRemote('n1')).toEqual({ remote: 'local', name: 'n1' });
    expect(config.parseRemote('local:n1')).toEqual({ remote: 'local', name: 'n1' });
    expect(() => config.parseRemote('r1:n1')).toThrow('The remote "r1" doesn\'t exist');
  });

  it('reads an lxc config file: tls by default for private remotes, local always static', () => {
    fs.writeFileSync(
      path.join(dir, 'config.yml'),
      'default-remote: r1\nremotes:\n  local:\n    addr: unix:///elsewhere\n    project: blue\n    public: false\n  r1:\n    addr: https://10.0.0.1:8443\n    protocol: lxd\n    public: false\naliases:\n  ls: list\n',
    );
    const config = RemoteConfig.load({ CUBE_CONF: dir });
    expect(config.defaultRemote).toBe('r1');
    expect(config.remote('r1')).toEqual({
      addr: 'https://10.0.0.1:8443',
      protocol: 'lxd',
      public: false,
      auth_type: 'tls',
    });
    expect(config.remote('local')).toEqual({ addr: 'unix://', public: false, static: true, project: 'blue' });
    config.save();
    expect(fs.readFileSync(path.join(dir, 'config.yml'), 'utf8')).toBe(
      'default-remote: r1\nremotes:\n  local:\n    addr: unix://\n    project: blue\n    public: false\n  r1:\n    addr: https://10.0.0.1:8443\n    auth_type: tls\n    protocol: lxd\n    public: false\naliases:\n  ls: list\n',
    );
  });

  it('reports a file it cannot parse', () => {
    fs.writeFileSync(path.join(dir, 'config.yml'), 'remotes: [\n');
    expect(() => RemoteConfig.load({ CUBE_CONF: dir })).toThrow(/^Unable to decode the configuration: /);
  });
});
