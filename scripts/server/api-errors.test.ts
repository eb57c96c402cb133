import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonErrorsOnApi } from "./api-errors.mjs";

// A real HTTP server whose handler answers the way Next does in each case;
// the wrapper must turn bare 4xx answers on /v1 and /api into the JSON error.

type Reply = (res: http.ServerResponse) => void;
const replies: Record<string, Reply> = {
  // Next's answer to a method a route handler does not export.
  "/v1/events": (res) => {
    res.statusCode = 405;
    res.setHeader("allow", "OPTIONS, POST");
    res.end();
  },
  // Its HTML 404 page, streamed.
  "/v1/nowhere": (res) => {
    res.statusCode = 404;
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.write("<!DOCTYPE html><html>");
    res.end("</html>");
  },
  // next-auth's plain-text 400, headers passed to writeHead.
  "/api/auth/x": (res) => {
    res.writeHead(400, { "Content-Type": "text/plain;charset=UTF-8", "Content-Length": "5" });
    res.end("Error");
  },
  "/api/health": (res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"status":"ok"}');
  },
  "/v1/me": (res) => {
    res.writeHead(401, { "content-type": "application/json" });
    res.end('{"error":{"code":"missing_api_key","message":"Send your API key."}}');
  },
  "/admin/x": (res) => {
    res.writeHead(404, { "content-type": "text/html" });
    res.end("<html>not found</html>");
  },
};

let server: http.Server;
let port: number;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path.startsWith("/v1") || path.startsWith("/api")) jsonErrorsOnApi(req, res);
    replies[path](res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const get = (path: string, method = "GET") =>
  new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    http.request({ host: "127.0.0.1", port, path, method }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    }).on("error", reject).end();
  });

describe("jsonErrorsOnApi", () => {
  it("turns Next's empty 405 into the JSON error, with the Allow header kept", async () => {
    const res = await get("/v1/events", "PUT");
    expect(res.status).toBe(405);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(res.headers.allow).toBe("OPTIONS, POST");
    expect(JSON.parse(res.body).error).toEqual({ code: "method_not_allowed", message: "This address does not take that method. Use one of: OPTIONS, POST." });
  });

  it("turns an HTML 404 and a plain-text 400 into the JSON error", async () => {
    const missing = await get("/v1/nowhere");
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error.code).toBe("not_found");
    const auth = await get("/api/auth/x");
    expect(auth.status).toBe(400);
    expect(Number(auth.headers["content-length"])).toBe(Buffer.byteLength(auth.body));
    expect(JSON.parse(auth.body).error.code).toBe("bad_request");
  });

  it("leaves JSON answers, successes and non-API paths alone; HEAD gets no body", async () => {
    expect(await get("/api/health")).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    expect(JSON.parse((await get("/v1/me")).body).error.code).toBe("missing_api_key");
    expect(await get("/admin/x")).toMatchObject({ status: 404, body: "<html>not found</html>" });
    const head = await get("/v1/nowhere", "HEAD");
    expect(head.status).toBe(404);
    expect(head.body).toBe("");
  });
});
