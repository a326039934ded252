/** An edited cluster configuration that cannot be used, with every problem found in it. */
export class ClusterConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ClusterConfigError';
  }
}
