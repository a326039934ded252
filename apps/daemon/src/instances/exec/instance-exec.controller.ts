/**
 * POST /1.0/instances/<name>/exec (and /1.0/containers/<name>/exec): runs a command in a running
 * instance of this member, as LXD does. With `wait-for-websocket` the answer is a `websocket`
 * operation whose metadata holds the secrets of its websockets (see websocket-exec.ts); without it,
 * a `task` operation that runs the command at once (see exec-task.ts). The command's environment
 * gets LXD's defaults; its working directory defaults to the home directory.
 */
import { Body, Controller, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { assertExecRequest, type ExecRequest, isRuntimeError, type RuntimeDriver, type WindowSize } from '@app/runtime';
import type { AsyncResponse } from '../../envelope';
import { EventBus } from '../../events/event-bus';
import { emitLifecycle } from '../../events/lifecycle';
import { replyAsync } from '../../http/async-reply';
import { badRequest } from '../../http/lxd-error';
import type { RequestContext } from '../../http/request-context';
import { Ctx } from '../../http/request-decorators';
import type { OperationJson } from '../../operations/operation';
import { OperationsManager } from '../../operations/operations-manager';
import { InstanceRuntime, type LocalInstance } from '../instance-runtime';
import { execEnvironment } from './exec-environment';
import { type ExecPost, parseExecPost } from './exec-post';
import { ExecOutputStore } from './exec-output-store';
import { type ExecRecording, runExecTask } from './exec-task';
import { execWorkingDirectory } from './exec-working-directory';
import { WebsocketExec } from './websocket-exec';
import { runtimeCall } from '../runtime-call';

/** The terminal size when the client gives none (a pty's usual default). */
const DEFAULT_WINDOW: WindowSize = { columns: 80, rows: 24 };

async function succeeds(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch {
    return false;
  }
}

function windowOf(post: ExecPost): WindowSize {
  return post.width > 0 && post.height > 0 ? { columns: post.width, rows: post.height } : DEFAULT_WINDOW;
}

@Controller(['/1.0/instances', '/1.0/containers'])
export class InstanceExecController {
  constructor(
    private readonly instances: InstanceRuntime,
    private readonly operations: OperationsManager,
    private readonly events: EventBus,
    private readonly outputs: ExecOutputStore,
  ) {}

  @Post(':name/exec')
  async exec(
    @Param('name') name: string,
    @Query('project') projectParam: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Ctx() ctx: RequestContext,
  ): Promise<AsyncResponse<OperationJson>> {
    if (name.includes('/')) throw badRequest('Invalid instance name');
    const post = parseExecPost(body);
    const project = projectParam || 'default';
    const instance = await this.instances.local(project, name);
    const { driver, runtimeName } = instance;
    const status = await runtimeCall(() => driver.status(runtimeName));
    if (status !== 'Running' && status !== 'Frozen') throw badRequest('Instance is not running');
    if (status === 'Frozen') throw badRequest('Instance is frozen');

    const request = await this.execRequest(instance, post);
    const url = `/1.0/instances/${name}`;
    const query = project === 'default' ? '' : `?project=${encodeURIComponent(project)}`;
    const resources = { containers: [`/1.0/containers/${name}${query}`], instances: [`${url}${query}`] };
    const onStarted = (): void => emitLifecycle(this.events, 'instance-exec', url, ctx, { command: post.command }, project);

    if (post.waitForWebsocket) {
      const session = new WebsocketExec({ driver, runtimeName, request, onStarted });
      const op = this.operations.create({
        class: 'websocket',
        description: 'Executing command',
        resources,
        project,
        metadata: { command: post.command, environment: request.environment, fds: session.fds(), interactive: post.interactive },
        websockets: session,
      });
      session.attach(op);
      return replyAsync(reply, op);
    }

    const op = this.operations.create({
      class: 'task',
      description: 'Executing command',
      resources,
      project,
      run: (task) => runExecTask(task, { driver, runtimeName, request, onStarted, record: post.recordOutput ? (o) => this.recording(instance, o.id) : undefined }),
    });
    return replyAsync(reply, op);
  }

  /** The runtime's request: LXD's environment and working directory, checked before anything runs. */
  private async execRequest(instance: LocalInstance, post: ExecPost): Promise<ExecRequest> {
    const driver: RuntimeDriver = instance.driver;
    const { config } = await runtimeCall(() => driver.info(instance.runtimeName));
    const environment = await execEnvironment({
      requested: post.environment,
      config,
      user: post.user,
      exists: (path) => succeeds(() => driver.readFile(instance.runtimeName, path)),
    });
    const cwd = await execWorkingDirectory(post.cwd, environment, (path) => succeeds(() => driver.listDirectory(instance.runtimeName, path)));
    const request: ExecRequest = {
      command: post.command,
      environment,
      uid: post.user,
      gid: post.group,
      ...(cwd !== undefined ? { cwd } : {}),
      ...(post.interactive && post.waitForWebsocket ? { interactive: windowOf(post) } : {}),
    };
    try {
      assertExecRequest(request);
    } catch (err) {
      if (isRuntimeError(err)) throw badRequest(err.message);
      throw err;
    }
    return request;
  }

  private async recording(instance: LocalInstance, operationId: string): Promise<ExecRecording> {
    const files = await this.outputs.create(instance.project, instance.name, operationId);
    const base = `/1.0/instances/${instance.name}/logs/exec-output`;
    return {
      stdout: files.stdout.stream,
      stderr: files.stderr.stream,
      urls: { '1': `${base}/${files.stdout.name}`, '2': `${base}/${files.stderr.name}` },
    };
  }
}
