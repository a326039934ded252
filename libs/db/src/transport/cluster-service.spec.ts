import * as grpc from '@grpc/grpc-js';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { CLUSTER_SERVICE, newClusterClient } from './cluster-service';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/** Bytes held by ArrayBuffers (Buffers included) once garbage is collected. */
function liveArrayBufferBytes(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().arrayBuffers;
}

describe('the cluster service client', () => {
  let server: grpc.Server;
  let address: string;
  let received = 0;
  let onReceived: () => void = () => undefined;

  beforeAll(async () => {
    server = new grpc.Server();
    server.addService(CLUSTER_SERVICE, {
      raft: (call: grpc.ServerReadableStream<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        call.on('data', () => {
          received++;
          onReceived();
        });
        call.on('end', () => callback(null, Buffer.alloc(0)));
      },
      forward: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => call.end(),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    address = `127.0.0.1:${port}`;
  });

  afterAll(() => {
    server.forceShutdown();
  });

  it('keeps nothing of the frames it sent on a long-lived Raft stream', async () => {
    // A Raft stream is answered only when it ends. Frames of 240 bytes, 4,000 of them: had the
    // client kept what it sent until an answer, it would hold close to 1 MB of them.
    const client = newClusterClient(address, grpc.credentials.createInsecure());
    const stream = client.raft(() => undefined);
    try {
      const sendAndWait = async (count: number): Promise<void> => {
        const target = received + count;
        const arrived = new Promise<void>((resolve) => {
          onReceived = () => {
            if (received >= target) resolve();
          };
        });
        for (let i = 0; i < count; i++) stream.write(Buffer.alloc(240, i % 251));
        await arrived;
      };
      await sendAndWait(100); // the stream and its connection are set up
      const before = liveArrayBufferBytes();
      await sendAndWait(4000);
      const held = liveArrayBufferBytes() - before;
      expect(received).toBe(4100);
      expect(held).toBeLessThan(256 * 1024);
    } finally {
      stream.end();
      client.close();
    }
  });
});
