/** For tests: polls until `check` holds, or rejects after `timeoutMs` saying what did not happen. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 10_000, pollMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
