// The cost the local host adds to a trivial HTTP function, compared with a bare node:http server
// answering the same text, in this process and this run.
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHost } from '../local/host/index.js';
import { compare, httpGet, type Comparison } from './load.js';

export const helloAppDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'apps/hello');

export interface HostOverhead {
  host: Comparison;
  bare: Comparison;
}

export async function measureHostOverhead(options: Parameters<typeof compare>[1]): Promise<HostOverhead> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-host-'));
  const host = await startHost({ appDir: helloAppDir, port: 0, dataDir, log: () => undefined });
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain;charset=UTF-8' });
    res.end('Hello, world');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const barePort = (server.address() as { port: number }).port;
  const hostGet = httpGet(`${host.baseUrl}/api/hello`);
  const bareGet = httpGet(`http://127.0.0.1:${barePort}/api/hello`);
  try {
    return await compare({ host: hostGet, bare: bareGet }, options);
  } finally {
    hostGet.close();
    bareGet.close();
    await host.stop();
    await new Promise((resolve) => server.close(resolve));
    await rm(dataDir, { recursive: true, force: true });
  }
}
