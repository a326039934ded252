/** RuntimeErrors of libs/runtime as API errors: the kind of failure picks the HTTP status. */
import { type RuntimeError } from '@app/runtime';
import { LxdError } from '../http/lxd-error';

const STATUS: Record<RuntimeError['code'], number> = {
  NotFound: 404,
  AlreadyExists: 409,
  InvalidArgument: 400,
  InvalidState: 400,
  LimitNotApplied: 500,
  Timeout: 504,
  Failed: 500,
};

export function runtimeErrorToLxd(err: RuntimeError): LxdError {
  return new LxdError(STATUS[err.code] ?? 500, err.message);
}
