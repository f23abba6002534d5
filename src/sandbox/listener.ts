import { createServer, IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

/**
 * The sockets of the sandbox insurer. The main port serves everything; an optional control
 * port serves only /sandbox/* and stays open while the main port is `down`, so a demo can
 * switch the insurer back on over HTTP. "Down" really closes the listening socket: clients
 * get ECONNREFUSED, exactly as when the insurer's server is off.
 */
export interface ListenAddress {
  host: string;
  port: number;
}

export class Listener {
  private main?: ListenAddress;
  private control?: Server;
  private controlAddress?: ListenAddress;
  private readonly held = new Set<Socket>();

  /** `mainServer` is the one Fastify was built with (its handler is `handler`). */
  constructor(
    private readonly mainServer: Server,
    private readonly handler: RequestListener,
  ) {}

  get running(): boolean {
    return this.main !== undefined;
  }

  get url(): string | undefined {
    return this.main && baseUrl(this.main);
  }

  get controlUrl(): string | undefined {
    return this.controlAddress && baseUrl(this.controlAddress);
  }

  get isDown(): boolean {
    return this.main !== undefined && !this.mainServer.listening;
  }

  /** True when the socket came in through the main port (not the control port, not inject). */
  isMainPort(socket: Socket): boolean {
    return this.main !== undefined && socket.localPort === this.main.port && this.mainServer.listening;
  }

  async start(host: string, port: number, controlPort?: number): Promise<void> {
    if (this.main) {
      throw new Error('the sandbox insurer is already started');
    }
    this.main = { host, port: await listen(this.mainServer, host, port) };
    if (controlPort !== undefined) {
      const onlyControl = (req: IncomingMessage, res: ServerResponse): void => {
        if (req.url?.startsWith('/sandbox/')) {
          this.handler(req, res);
        } else {
          res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"control port: /sandbox/* only"}');
        }
      };
      this.control = createServer(onlyControl);
      this.controlAddress = { host, port: await listen(this.control, host, controlPort) };
    }
  }

  /** Closes (down) or reopens (up) the main listening socket, on the same port. */
  async setDown(down: boolean): Promise<void> {
    if (!this.main) {
      return; // not started: start() applies the state
    }
    if (down && this.mainServer.listening) {
      await closeServer(this.mainServer);
    } else if (!down && !this.mainServer.listening) {
      await listen(this.mainServer, this.main.host, this.main.port);
    }
  }

  /** Keeps a request unanswered (timeout fault) until the client gives up or we stop. */
  hold(socket: Socket): void {
    this.held.add(socket);
    socket.once('close', () => this.held.delete(socket));
  }

  async stop(): Promise<void> {
    for (const socket of this.held) {
      socket.destroy();
    }
    this.held.clear();
    if (this.mainServer.listening) {
      await closeServer(this.mainServer);
    }
    if (this.control?.listening) {
      await closeServer(this.control);
    }
    this.main = undefined;
    this.control = undefined;
    this.controlAddress = undefined;
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.removeListener('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/** Stops accepting, then cuts every open connection (an insurer that goes down drops them all). */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

function baseUrl({ host, port }: ListenAddress): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
