import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeLxd } from './fake-lxd';
import type { ServerIdentity } from './server-identity';
import { runCube, type CubeResult, type CubeRunOptions } from './test-io';

/** A scratch environment: a temporary directory with the daemon state ($CUBED_DIR), client config ($CUBE_CONF) and HOME. */
export interface CubeEnv {
  tmp: string;
  env: NodeJS.ProcessEnv;
  /** The fake daemon on $CUBED_DIR/unix.socket (and HTTPS when started with an identity). */
  fake: FakeLxd;
  cube(args: string[], options?: CubeRunOptions): Promise<CubeResult>;
  close(): Promise<void>;
}

export async function startCubeEnv(identity?: ServerIdentity): Promise<CubeEnv> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cube-'));
  const env: NodeJS.ProcessEnv = {
    CUBED_DIR: path.join(tmp, 'state'),
    CUBE_CONF: path.join(tmp, 'conf'),
    HOME: tmp,
    PATH: '',
  };
  const fake = await FakeLxd.start(env.CUBED_DIR!, identity);
  return {
    tmp,
    env,
    fake,
    cube: (args, options) => runCube(args, env, options),
    close: async () => {
      await fake.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
