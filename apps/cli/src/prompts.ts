import type { CliContext } from './cli-context';
import { CubedError } from './cubed-error';

/** Asks until a non-empty answer is given (lxc's AskString without a default); the end of input is an error. */
export async function askString(ctx: CliContext, question: string): Promise<string> {
  return ask(ctx, question, (answer) => answer !== '');
}

/** Asks until one of `choices` is given (lxc's AskChoice); the end of input is an error. */
export async function askChoice(ctx: CliContext, question: string, choices: readonly string[]): Promise<string> {
  return ask(ctx, question, (answer) => choices.includes(answer));
}

async function ask(ctx: CliContext, question: string, valid: (answer: string) => boolean): Promise<string> {
  for (;;) {
    ctx.out(question);
    const line = await ctx.io.stdin.readLine();
    if (line === null) throw new CubedError('No answer on standard input');
    const answer = line.trim();
    if (valid(answer)) return answer;
    ctx.io.stderr('Invalid input, try again.\n\n');
  }
}
