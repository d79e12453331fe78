// A TCP forwarder that tests put between a client and PostgreSQL to take the database "down" for real: `down()`
// resets every open connection and refuses new ones, `up()` accepts again; `stall()` is a host that stops
// answering: connections stay open (new ones are accepted) but nothing is forwarded either way. The client sees
// genuine connection behaviour (no mock of pg), while other tests sharing the same database are unaffected.
import net from "node:net";

export interface TcpProxy {
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string;
  down(): void;
  up(): void;
  stall(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let accepting = true;
  let stalled = false;
  const sockets = new Set<net.Socket>();
  const hold = (s: net.Socket) => {
    s.unpipe();
    s.pause();
  };
  const server = net.createServer((client) => {
    if (!accepting) return void client.resetAndDestroy();
    if (stalled) {
      sockets.add(client);
      client.on("close", () => sockets.delete(client));
      client.on("error", () => {});
      return void client.pause();
    }
    const upstream = net.connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    urlFor(url) {
      const u = new URL(url);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    down() {
      accepting = false;
      for (const s of sockets) s.resetAndDestroy();
    },
    up() {
      accepting = true;
    },
    stall() {
      stalled = true;
      for (const s of sockets) hold(s);
    },
    close: () => {
      accepting = false;
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
