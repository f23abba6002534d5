import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay between the browser and the gateway, on a free port of 127.0.0.1, that can cut the
 * network: `cut()` drops every open connection (the desk's WebSocket with them) and refuses new
 * ones until `restore()`. A real network drop as the page sees it, which Chromium's offline
 * emulation does not give (it leaves open WebSockets alone).
 */
export interface TcpProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  let refusing = false;
  const server: Server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: hostname, port: Number(port) });
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        open.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('the proxy has no TCP address');
  }
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut: () => {
      refusing = true;
      for (const socket of open) {
        socket.destroy();
      }
    },
    restore: () => {
      refusing = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) {
          socket.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
