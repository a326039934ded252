/** The daemon's state directory, injectable. */
export class StateDir {
  constructor(readonly path: string) {}
}
