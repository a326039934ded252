/** Lets the API ask the daemon process to shut down (`cubed shutdown`). */
export class DaemonControl {
  private handler?: () => void;

  /** Set by whoever runs the daemon (main.ts): what shutting down means for the process. */
  onShutdownRequest(handler: () => void): void {
    this.handler = handler;
  }

  requestShutdown(): boolean {
    if (!this.handler) return false;
    setImmediate(this.handler);
    return true;
  }
}
