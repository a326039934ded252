import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { X509Certificate } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import { certificateFingerprint, peerFingerprint, TxFailedError } from '@app/db';
import { ClusterMembers } from '../cluster/cluster-members';
import { ServerConfig } from '../config-keys/server-config.service';
import { verifyTrustPassword } from '../config-keys/trust-password';
import { Databases } from '../database/databases';
import { readClusterTls } from '../database/cluster-tls-files';
import { SyncResponse, syncResponse } from '../envelope';
import { EventBus } from '../events/event-bus';
import { emitLifecycle } from '../events/lifecycle';
import { replyAsync } from '../http/async-reply';
import { checkIfMatch, etagOf } from '../http/etag';
import { badRequest, conflict, forbidden, notFound } from '../http/lxd-error';
import { AllowUntrusted, Ctx } from '../http/request-decorators';
import type { RequestContext } from '../http/request-context';
import { ServerTls } from '../identity/server-tls';
import { certificateTypeCode, certificateTypeName, CERT_TYPE_CLIENT } from './certificate-types';
import { Tokens } from './tokens';
import { StateDir } from '../identity/state-dir';
import { isJsonObject } from '../http/json-object';

export interface CertificateJson {
  name: string;
  type: string;
  restricted: boolean;
  projects: string[];
  certificate: string;
  fingerprint: string;
}

interface CertificatesPost {
  name?: unknown;
  type?: unknown;
  certificate?: unknown;
  password?: unknown;
  token?: unknown;
  restricted?: unknown;
  projects?: unknown;
}

/** A certificate given as PEM or as LXD sends it: base64 of the DER. Returns PEM. */
export function certificatePem(input: string): string {
  const text = input.trim();
  const pem = text.includes('BEGIN CERTIFICATE') ? text : `-----BEGIN CERTIFICATE-----\n${text.replace(/\s+/g, '').replace(/(.{64})/g, '$1\n').trim()}\n-----END CERTIFICATE-----\n`;
  try {
    return new X509Certificate(pem).toString();
  } catch {
    throw badRequest('The certificate cannot be read: expected PEM or base64-encoded DER');
  }
}

/**
 * The secret in a `password`: lxc 5.0.2 sends a whole certificate-add token (base64 JSON with
 * client_name and secret) there; anything else is the trust password itself.
 */
export function secretOf(password: string): string {
  if (password.length < 40) return password;
  try {
    const token = JSON.parse(Buffer.from(password, 'base64').toString('utf8')) as { client_name?: unknown; secret?: unknown };
    if (typeof token.client_name === 'string' && typeof token.secret === 'string') return token.secret;
  } catch {
    // not a token
  }
  return password;
}

/** /1.0/certificates: the trust store (client certificates, members' server certificates). */
@Controller('/1.0/certificates')
export class CertificatesController {
  constructor(
    private readonly databases: Databases,
    private readonly tokens: Tokens,
    private readonly config: ServerConfig,
    private readonly members: ClusterMembers,
    private readonly events: EventBus,
    private readonly serverTls: ServerTls,
    private readonly stateDir: StateDir,
  ) {}

  private async all(): Promise<CertificateJson[]> {
    const rows = await this.databases.global.query<{ id: number; fingerprint: string; type: number; name: string; certificate: string; restricted: number }>(
      'SELECT id, fingerprint, type, name, certificate, restricted FROM certificates ORDER BY name, fingerprint',
    );
    const projects = await this.databases.global.query<{ certificate_id: number; name: string }>(
      'SELECT cp.certificate_id, p.name FROM certificates_projects cp JOIN projects p ON p.id = cp.project_id ORDER BY p.name',
    );
    return rows.map((r) => ({
      name: r.name,
      type: certificateTypeName(r.type),
      restricted: r.restricted !== 0,
      projects: projects.filter((p) => p.certificate_id === r.id).map((p) => p.name),
      certificate: r.certificate,
      fingerprint: r.fingerprint,
    }));
  }

  private async find(fingerprint: string): Promise<CertificateJson> {
    const matches = (await this.all()).filter((c) => c.fingerprint.startsWith(fingerprint.toLowerCase()));
    if (matches.length === 0) throw notFound('Certificate not found');
    if (matches.length > 1) throw badRequest(`More than one certificate matches "${fingerprint}"`);
    return matches[0];
  }

  @Get()
  async list(@Query('recursion') recursion: string | undefined): Promise<SyncResponse<string[] | CertificateJson[]>> {
    const certs = await this.all();
    if (recursion && recursion !== '0') return syncResponse(certs);
    return syncResponse(certs.map((c) => `/1.0/certificates/${c.fingerprint}`));
  }

  /**
   * Adds a certificate. A trusted client adds the one it gives (or asks for a token with
   * `token: true`); an untrusted one adds its own TLS client certificate with the trust password
   * or the secret of a certificate-add token.
   */
  @Post()
  @AllowUntrusted()
  async add(@Body() body: CertificatesPost, @Ctx() ctx: RequestContext, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object');
    const type = body.type === undefined || body.type === '' ? 'client' : body.type;
    if (typeof type !== 'string' || certificateTypeCode(type) === undefined) throw badRequest(`Invalid certificate type "${String(type)}"`);
    const name = body.name === undefined ? '' : body.name;
    if (typeof name !== 'string') throw badRequest('name must be a string');
    if (body.token === true) {
      if (!ctx.trusted) throw forbidden('not authorized');
      if (name === '') throw badRequest('A name is needed for a certificate add token');
      const records = this.databases.clustered ? await this.members.records() : [];
      const addresses = records.length ? records.map((r) => r.address) : (this.databases.local.getConfig('core.https_address') ? [this.databases.local.getConfig('core.https_address')!] : []);
      const cert = this.databases.clustered ? readClusterTls(this.stateDir.path).certPem : this.serverTls.tls.certPem;
      const request = { name, type: 'client', restricted: body.restricted === true, projects: Array.isArray(body.projects) ? body.projects : [], certificate: '', password: '', token: true };
      const issued = await this.tokens.issue('certificate', name, 'Executing operation', (secret, expiresAt) => ({
        request,
        secret,
        fingerprint: certificateFingerprint(cert),
        addresses,
        expiresAt,
      }));
      return replyAsync(reply, issued.operation);
    }
    let pem: string;
    if (typeof body.certificate === 'string' && body.certificate !== '') {
      pem = certificatePem(body.certificate);
    } else {
      const socket = req.raw.socket;
      if (!(socket instanceof TLSSocket)) throw badRequest('No certificate given, and the request did not come over HTTPS with a client certificate');
      const peer = socket.getPeerCertificate(true);
      if (!peer?.raw) throw badRequest('No client certificate was presented');
      pem = new X509Certificate(peer.raw).toString();
    }
    const fingerprint = certificateFingerprint(pem);
    let consume: Awaited<ReturnType<Tokens['check']>> | undefined;
    if (!ctx.trusted) {
      if (ctx.fingerprint !== fingerprint && peerFingerprint((req.raw.socket as TLSSocket).getPeerCertificate()) !== fingerprint) {
        throw forbidden('An untrusted client can only add its own certificate');
      }
      const secret = secretOf(typeof body.password === 'string' ? body.password : '');
      if (secret === '') throw forbidden('not authorized');
      const tokenName = await this.tokens.nameForSecret('certificate', secret);
      if (tokenName !== undefined) {
        consume = await this.tokens.check('certificate', tokenName, secret);
      } else if (!(await verifyTrustPassword(secret, (await this.config.globalValues())['core.trust_password']))) {
        throw forbidden('The trust password or token is not valid');
      }
    }
    const restricted = body.restricted === true;
    const projects = Array.isArray(body.projects) ? body.projects.filter((p): p is string => typeof p === 'string') : [];
    const label = name || (consume ? await this.tokens.nameForSecret('certificate', secretOf(String(body.password))) : '') || new X509Certificate(pem).subject.replace(/.*CN=/s, '').split('\n')[0];
    try {
      await this.databases.global.exec({
        statements: [
          ...(consume?.consume ?? []),
          { sql: 'INSERT INTO certificates (fingerprint, type, name, certificate, restricted) VALUES (?, ?, ?, ?, ?)', params: [fingerprint, certificateTypeCode(type)!, label, pem, restricted ? 1 : 0] },
          ...projects.map((p) => ({
            sql: 'INSERT INTO certificates_projects (certificate_id, project_id) SELECT c.id, p.id FROM certificates c, projects p WHERE c.fingerprint = ? AND p.name = ?',
            params: [fingerprint, p],
          })),
        ],
      });
    } catch (err) {
      if (err instanceof TxFailedError && /UNIQUE/.test(err.message)) throw conflict('Certificate already in trust store');
      if (err instanceof TxFailedError && err.sqlCode === 'EXPECTATION_FAILED') throw forbidden('The token was used meanwhile');
      throw err;
    }
    if (consume) this.tokens.finishOperation(consume.operationUuid);
    emitLifecycle(this.events, 'certificate-created', `/1.0/certificates/${fingerprint}`, ctx);
    reply.status(201).header('Location', `/1.0/certificates/${fingerprint}`);
    return syncResponse(null);
  }

  @Get(':fingerprint')
  async get(@Param('fingerprint') fingerprint: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<SyncResponse<CertificateJson>> {
    const cert = await this.find(fingerprint);
    reply.header('ETag', `"${this.etag(cert)}"`);
    return syncResponse(cert);
  }

  @Put(':fingerprint')
  async put(@Param('fingerprint') fingerprint: string, @Body() body: Record<string, unknown>, @Headers('if-match') ifMatch: string | undefined, @Ctx() ctx: RequestContext) {
    return this.update(fingerprint, body, true, ifMatch, ctx);
  }

  @Patch(':fingerprint')
  async patch(@Param('fingerprint') fingerprint: string, @Body() body: Record<string, unknown>, @Headers('if-match') ifMatch: string | undefined, @Ctx() ctx: RequestContext) {
    return this.update(fingerprint, body, false, ifMatch, ctx);
  }

  @Delete(':fingerprint')
  @HttpCode(200)
  async remove(@Param('fingerprint') fingerprint: string, @Ctx() ctx: RequestContext) {
    const cert = await this.find(fingerprint);
    if (cert.type === 'server' && this.databases.clustered) throw badRequest('A cluster member\'s certificate goes with the member: remove the member instead');
    await this.databases.global.exec({ statements: [{ sql: 'DELETE FROM certificates WHERE fingerprint = ?', params: [cert.fingerprint] }] });
    emitLifecycle(this.events, 'certificate-deleted', `/1.0/certificates/${cert.fingerprint}`, ctx);
    return syncResponse({});
  }

  private etag(c: CertificateJson): string {
    return etagOf({ name: c.name, type: c.type, restricted: c.restricted, projects: c.projects, certificate: c.certificate });
  }

  private async update(fingerprint: string, body: Record<string, unknown>, replace: boolean, ifMatch: string | undefined, ctx: RequestContext) {
    if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object');
    const cert = await this.find(fingerprint);
    checkIfMatch(ifMatch, this.etag(cert));
    const name = body.name ?? (replace ? '' : cert.name);
    const type = body.type ?? (replace ? 'client' : cert.type);
    const restricted = body.restricted ?? (replace ? false : cert.restricted);
    const projects = body.projects ?? (replace ? [] : cert.projects);
    if (typeof name !== 'string' || typeof type !== 'string' || certificateTypeCode(type) === undefined || typeof restricted !== 'boolean' || !Array.isArray(projects)) {
      throw badRequest('Invalid certificate: name and type must be strings, restricted a boolean, projects a list');
    }
    if (body.certificate !== undefined && body.certificate !== '' && certificateFingerprint(certificatePem(String(body.certificate))) !== cert.fingerprint) {
      throw badRequest('The certificate itself cannot be changed: add the new one and delete the old one');
    }
    await this.databases.global.exec({
      statements: [
        {
          sql: 'UPDATE certificates SET name = ?, type = ?, restricted = ? WHERE fingerprint = ? AND name = ? AND type = ? AND restricted = ?',
          params: [name, certificateTypeCode(type)!, restricted ? 1 : 0, cert.fingerprint, cert.name, certificateTypeCode(cert.type) ?? CERT_TYPE_CLIENT, cert.restricted ? 1 : 0],
          expect: 1,
        },
        { sql: 'DELETE FROM certificates_projects WHERE certificate_id = (SELECT id FROM certificates WHERE fingerprint = ?)', params: [cert.fingerprint] },
        ...(projects as string[]).map((p) => ({
          sql: 'INSERT INTO certificates_projects (certificate_id, project_id) SELECT c.id, p.id FROM certificates c, projects p WHERE c.fingerprint = ? AND p.name = ?',
          params: [cert.fingerprint, p],
        })),
      ],
    }).catch((err: unknown) => {
      if (err instanceof TxFailedError && err.sqlCode === 'EXPECTATION_FAILED') throw conflict('The certificate changed meanwhile: read it again');
      throw err;
    });
    emitLifecycle(this.events, 'certificate-updated', `/1.0/certificates/${cert.fingerprint}`, ctx);
    return syncResponse({});
  }
}
