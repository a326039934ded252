/**
 * Requests of the images API that the shared member helpers do not make: uploads of raw bytes
 * with headers, and multipart bodies, over a member's unix socket; waiting for an operation.
 */
import * as http from 'node:http';
import type { MemberProcess, Reply } from '../support/member-process';

export function upload(member: MemberProcess, body: Buffer, headers: http.OutgoingHttpHeaders, urlPath = '/1.0/images'): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    const req = http.request(
      { socketPath: member.socket, method: 'POST', path: urlPath, agent: false, timeout: 60_000, headers: { 'Content-Length': body.length, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? JSON.parse(text) : undefined });
          } catch {
            resolve({ status: res.statusCode ?? 0, headers: res.headers, json: { text } });
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('upload timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** A multipart/form-data body with the given file parts, and its Content-Type. */
export function multipartBody(parts: { name: string; filename: string; content: Buffer }[], boundary = 'cubed-test-boundary-7f3a'): { body: Buffer; contentType: string } {
  const pieces: Buffer[] = [];
  for (const part of parts) {
    pieces.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
    pieces.push(part.content, Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(pieces), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The finished operation of an async answer. */
export async function finished(member: MemberProcess, reply: Reply): Promise<{ status: string; err: string; metadata: Record<string, unknown> | null }> {
  if (reply.json?.type !== 'async') throw new Error(`expected an operation, got HTTP ${reply.status}: ${JSON.stringify(reply.json)}`);
  const op = await member.request('GET', `${String(reply.json.operation).split('?')[0]}/wait?timeout=60`, undefined, 70_000);
  return op.json.metadata;
}

/** Rows of a query on the member's global database. */
export async function sql(member: MemberProcess, query: string): Promise<unknown[][]> {
  const r = await member.request('POST', '/internal/sql', { database: 'global', query });
  if (r.status !== 200) throw new Error(`${query}: HTTP ${r.status}: ${r.json?.error}`);
  return r.json.metadata.results[0].rows ?? [];
}
