import { LxdError } from '../../http/lxd-error';
import { parseExecPost } from './exec-post';

function refusal(body: unknown): string {
  try {
    parseExecPost(body);
  } catch (err) {
    expect(err).toBeInstanceOf(LxdError);
    expect((err as LxdError).statusCode).toBe(400);
    return (err as LxdError).message;
  }
  throw new Error('accepted');
}

describe('parseExecPost', () => {
  it('reads the body lxc 5.0.2 sends', () => {
    const body = { command: ['uname', '-a'], 'wait-for-websocket': true, interactive: false, environment: { TERM: 'xterm' }, width: 0, height: 0, 'record-output': false, user: 0, group: 0, cwd: '' };
    expect(parseExecPost(body)).toEqual({
      command: ['uname', '-a'],
      environment: { TERM: 'xterm' },
      interactive: false,
      waitForWebsocket: true,
      recordOutput: false,
      width: 0,
      height: 0,
      user: 0,
      group: 0,
      cwd: '',
    });
  });

  it("takes LXD's zero values for missing and null fields (pylxd sends only some)", () => {
    expect(parseExecPost({ command: ['true'], environment: null, 'wait-for-websocket': true })).toMatchObject({
      environment: {},
      interactive: false,
      recordOutput: false,
      width: 0,
      user: 0,
      cwd: '',
    });
  });

  it('refuses fields of the wrong type, naming them', () => {
    expect(refusal({ command: 'ls' })).toBe('Invalid exec request: "command" must be a list of strings');
    expect(refusal({ command: ['ls', 1] })).toBe('Invalid exec request: "command" must be a list of strings');
    expect(refusal({ command: ['ls'], environment: { A: 1 } })).toBe('Invalid exec request: "environment.A" must be a string');
    expect(refusal({ command: ['ls'], environment: ['A=1'] })).toBe('Invalid exec request: "environment" must be an object of strings');
    expect(refusal({ command: ['ls'], interactive: 'yes' })).toBe('Invalid exec request: "interactive" must be true or false');
    expect(refusal({ command: ['ls'], user: -1 })).toBe('Invalid exec request: "user" must be a whole number from 0 to 4294967295');
    expect(refusal({ command: ['ls'], width: 1.5 })).toBe('Invalid exec request: "width" must be a whole number from 0 to 65535');
    expect(refusal({ command: ['ls'], cwd: 7 })).toBe('Invalid exec request: "cwd" must be a string');
  });

  it('refuses a missing body, a non-object and a missing command', () => {
    expect(refusal(undefined)).toBe('unexpected end of JSON input');
    expect(refusal([])).toBe('Invalid exec request: expected a JSON object');
    expect(refusal({})).toBe('Invalid exec request: a command is required');
    expect(refusal({ command: [''] })).toBe('Invalid exec request: a command is required');
  });

  it('refuses record-output with websockets or a terminal, as LXD does', () => {
    expect(refusal({ command: ['ls'], 'record-output': true, 'wait-for-websocket': true })).toBe('Cannot use "record-output" in combination with "wait-for-websocket"');
    expect(refusal({ command: ['ls'], 'record-output': true, interactive: true })).toBe('Cannot use "interactive" in combination with "record-output"');
  });
});
