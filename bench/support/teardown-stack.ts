/**
 * What a benchmark must undo, registered as soon as it is created: run last-in first-out, each at
 * most once (from the normal end, a failure or an interrupt alike), every one even if another fails.
 */
export class TeardownStack {
  private readonly steps: { what: string; run: () => Promise<void> }[] = [];
  private running?: Promise<void>;

  add(what: string, run: () => Promise<void>): void {
    this.steps.push({ what, run });
  }

  runAll(log: (line: string) => void): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step.run();
        } catch (err) {
          log(`cleanup of ${step.what} failed: ${(err as Error).message}`);
        }
      }
    })();
    return this.running;
  }
}
