/**
 * Looking at and signalling host processes through /proc.
 */
import * as fs from 'node:fs/promises';

export interface ProcessInspector {
  /** Pids of the direct children of `pid` (empty when it has none or is gone). */
  children(pid: number): Promise<number[]>;
  /** Identity of the process's pid namespace (`pid:[4026531836]`), or null when it is gone. */
  pidNamespace(pid: number): Promise<string | null>;
  /** Sends a signal; returns false when the process does not exist any more. */
  kill(pid: number, signal: NodeJS.Signals | number): boolean;
}

export class ProcProcessInspector implements ProcessInspector {
  async children(pid: number): Promise<number[]> {
    let tasks: string[];
    try {
      tasks = await fs.readdir(`/proc/${pid}/task`);
    } catch {
      return [];
    }
    const children: number[] = [];
    for (const task of tasks) {
      try {
        const text = await fs.readFile(`/proc/${pid}/task/${task}/children`, 'utf8');
        for (const word of text.split(/\s+/)) if (word !== '') children.push(Number(word));
      } catch {
        // The task ended while it was being read.
      }
    }
    return children;
  }

  async pidNamespace(pid: number): Promise<string | null> {
    try {
      return await fs.readlink(`/proc/${pid}/ns/pid`);
    } catch {
      return null;
    }
  }

  kill(pid: number, signal: NodeJS.Signals | number): boolean {
    try {
      process.kill(pid, signal);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
      throw error;
    }
  }
}
