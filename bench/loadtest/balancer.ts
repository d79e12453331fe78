// The load test's local balancer for --instances N: a TCP round robin over the app servers on 127.0.0.1. A new
// connection goes to the next server; one that refuses (killed, restarting) is skipped, so clients only see errors
// for connections that were open on a server when it died. HTTP passes through untouched (X-Forwarded-For from the
// clients included: the servers run with TRUST_PROXY=1).
import net from "node:net";

export interface Balancer {
  url: string;
  /** Connections each server was given. */
  given: number[];
  close(): Promise<void>;
}

export async function startBalancer(ports: number[]): Promise<Balancer> {
  let next = 0;
  const given = ports.map(() => 0);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    client.pause();
    client.on("error", () => {});
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    const attempt = (tries: number) => {
      if (tries >= ports.length || client.destroyed) return void client.resetAndDestroy();
      const index = next++ % ports.length;
      const upstream = net.connect(ports[index]!, "127.0.0.1");
      let connected = false;
      upstream.on("error", () => {
        if (!connected) attempt(tries + 1);
        else client.destroy();
      });
      upstream.once("connect", () => {
        connected = true;
        given[index]! += 1;
        sockets.add(upstream);
        upstream.on("close", () => (sockets.delete(upstream), client.destroy()));
        client.on("close", () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.resume();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    given,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
