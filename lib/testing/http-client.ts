import http from "node:http";
import net from "node:net";

// A plain HTTP client for the fault tests, where fetch hides what matters:
// which connection a request rides on, a body written slowly, and a request
// sent partly before a signal and partly after.

export type Answer = { status: number; headers: Record<string, string>; body: string } | { error: string };

/**
 * POSTs `body` in `chunks` pieces, `gapMs` apart. `started` settles once the
 * first piece is on the wire.
 */
export function postSlowly(url: string, body: string, options: { headers: Record<string, string>; chunks?: number; gapMs?: number; agent?: http.Agent }): { started: Promise<void>; answer: Promise<Answer> } {
  const chunks = options.chunks ?? 1;
  let onStarted!: () => void;
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  const answer = new Promise<Answer>((resolve) => {
    const req = http.request(url, { method: "POST", agent: options.agent, headers: { ...options.headers, "content-length": String(Buffer.byteLength(body)) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body: text }));
      res.on("error", (err) => resolve({ error: err.message }));
    });
    req.on("error", (err) => {
      onStarted();
      resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message });
    });
    const size = Math.ceil(body.length / chunks);
    void (async () => {
      for (let i = 0; i < chunks; i++) {
        if (req.destroyed) return;
        req.write(body.slice(i * size, (i + 1) * size));
        if (i === 0) onStarted();
        if (i < chunks - 1) await new Promise((r) => setTimeout(r, options.gapMs ?? 0));
      }
      req.end();
    })();
  });
  return { started, answer };
}

/**
 * A request on a raw connection: `head` (the request line and some headers) is
 * sent now; calling the returned function sends the rest and reads the answer.
 */
export async function requestInTwoParts(port: number, head: string): Promise<(rest: string) => Promise<Answer>> {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  let raw = "";
  socket.setEncoding("utf8");
  socket.on("data", (d: string) => (raw += d));
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("error", () => {});
  socket.write(head);
  return async (rest) => {
    socket.write(rest);
    await closed;
    const [top, ...body] = raw.split("\r\n\r\n");
    const [statusLine, ...lines] = (top ?? "").split("\r\n");
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? "")?.[1]);
    if (!status) return { error: `no answer before the connection closed (${JSON.stringify(raw.slice(0, 80))})` };
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
    const text = body.join("\r\n\r\n");
    return { status, headers, body: /chunked/i.test(headers["transfer-encoding"] ?? "") ? unchunk(text) : text };
  };
}

function unchunk(text: string): string {
  let out = "";
  for (let at = 0; ; ) {
    const eol = text.indexOf("\r\n", at);
    const size = parseInt(text.slice(at, eol), 16);
    if (!(size > 0)) return out;
    out += text.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}
