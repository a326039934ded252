/**
 * The errors for operations that do not fit an instance's current state, worded like LXD's, shared by
 * every RuntimeDriver so that they fail alike.
 */
import { RuntimeError } from '../errors/runtime-error';

export const instanceStateErrors = {
  notFound: (name: string) => new RuntimeError('NotFound', `Instance "${name}" not found`),
  alreadyExists: (name: string) => new RuntimeError('AlreadyExists', `Instance "${name}" already exists`),
  alreadyRunning: () => new RuntimeError('InvalidState', 'The instance is already running'),
  alreadyStopped: () => new RuntimeError('InvalidState', 'The instance is already stopped'),
  alreadyFrozen: () => new RuntimeError('InvalidState', 'The instance is already frozen'),
  frozen: () => new RuntimeError('InvalidState', 'The instance is frozen'),
  notFrozen: () => new RuntimeError('InvalidState', 'The instance is not frozen'),
  notRunning: () => new RuntimeError('InvalidState', 'The instance is not running'),
  runningOn: (operation: 'deleting it' | 'renaming it' | 'restoring a snapshot') =>
    new RuntimeError('InvalidState', `The instance is running; stop it before ${operation}`),
};
