/**
 * How the API reaches the runtime of an instance that lives on this member. Requests about an
 * instance on another member never get here: they are forwarded to its member first.
 */
import type { RuntimeDriver } from '@app/runtime';

export interface LocalInstance {
  project: string;
  /** The instance's name in the API. */
  name: string;
  /** The instance's name in the runtime driver. */
  runtimeName: string;
  driver: RuntimeDriver;
}

export abstract class InstanceRuntime {
  /**
   * The driver that runs the instance on this member. Throws an LxdError 404 ("Instance not found")
   * when no such instance exists in the project.
   */
  abstract local(project: string, name: string): Promise<LocalInstance>;
}
