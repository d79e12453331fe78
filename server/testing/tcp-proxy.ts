// A TCP forwarder that tests put between a client and PostgreSQL to take the database "down" for real: `down()`
// resets every open connection and refuses new ones, `up()` accepts again. The client sees genuine connection
// errors (no mock of pg), while other tests sharing the same database are unaffected.
import net from "node:net";

export interface TcpProxy {
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string;
  down(): void;
  up(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let accepting = true;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!accepting) return void client.resetAndDestroy();
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
    close: () => {
      accepting = false;
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
