// A pass-through HTTP proxy in front of Azurite's queue endpoint that can be told to answer 503
// (ServerBusy, as Azure Storage does when it sheds load) to message sends on some queues, so that
// an app under test meets a failing queue for real.
import http from 'node:http';

export interface QueueProxy {
  /** The proxy's queue endpoint, e.g. http://127.0.0.1:PORT/devstoreaccount1. */
  queueUrl: string;
  /** A connection string like `connectionString` whose QueueEndpoint is the proxy. */
  connectionString: string;
  /** While set, POSTs of messages to a queue whose name matches answer 503. */
  failSends: RegExp | undefined;
  /** How many sends were refused so far. */
  refused: number;
  close(): Promise<void>;
}

export async function startQueueProxy(storage: { queueUrl: string; connectionString: string }): Promise<QueueProxy> {
  const target = new URL(storage.queueUrl);
  const proxy: QueueProxy = {
    queueUrl: '',
    connectionString: '',
    failSends: undefined,
    refused: 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = http.createServer((request, response) => {
    const queue = /^\/[^/]+\/([^/?]+)\/messages(\?|$)/.exec(request.url ?? '')?.[1];
    if (request.method === 'POST' && queue && proxy.failSends?.test(queue)) {
      proxy.refused++;
      request.resume();
      const body = '<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>The server is busy (test fault).</Message></Error>';
      response.writeHead(503, { 'content-type': 'application/xml', 'x-ms-error-code': 'ServerBusy' }).end(body);
      return;
    }
    const forwarded = http.request(
      { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: { ...request.headers, host: target.host } },
      (upstream) => {
        response.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(response);
      },
    );
    forwarded.on('error', () => response.destroy());
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  proxy.queueUrl = `http://127.0.0.1:${port}${target.pathname}`;
  proxy.connectionString = storage.connectionString.replace(/QueueEndpoint=[^;]+/, `QueueEndpoint=${proxy.queueUrl}`);
  return proxy;
}
