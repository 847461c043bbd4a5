// Shared by the mock servers: listen on 127.0.0.1 (an ephemeral port by default) and describe the server.

/**
 * @param {import('node:http').Server} server
 * @param {{port?: number, host?: string}} opts
 * @param {object[]} requests the request log the mock keeps
 * @returns {Promise<{url: string, port: number, requests: object[], close: () => Promise<void>}>}
 */
export async function listenMock(server, opts, requests) {
  const host = opts.host ?? '127.0.0.1';
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve(undefined));
  });
  const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    requests,
    close: () => new Promise((resolve) => {
      server.close(() => resolve(undefined));
      if (typeof server.closeAllConnections === 'function') server.closeAllConnections();
    }),
  };
}
