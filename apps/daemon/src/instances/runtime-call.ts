/** A call into the runtime driver whose RuntimeErrors become API errors (runtime-errors.ts); anything else passes through. */
import { isRuntimeError } from '@app/runtime';
import { runtimeErrorToLxd } from './runtime-errors';

export async function runtimeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw isRuntimeError(err) ? runtimeErrorToLxd(err) : err;
  }
}
