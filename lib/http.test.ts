import { describe, expect, it } from "vitest";
import { z } from "zod";
import { readJson } from "@/lib/http";

const Input = z.object({ name: z.string() }).strict();

/** A body of `total` bytes made on demand, counting what the reader pulled. */
function streamed(total: number) {
  const pulled = { bytes: 0 };
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled.bytes >= total) return controller.close();
      pulled.bytes += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { pulled, req: new Request("http://test/v1/x", { method: "POST", body, headers: { "content-type": "application/json" }, duplex: "half" } as RequestInit) };
}

describe("readJson", () => {
  it("refuses a body over the limit after reading the limit, not the whole body", async () => {
    const { pulled, req } = streamed(50_000_000);
    await expect(readJson(req, Input)).rejects.toMatchObject({ code: "payload_too_large" });
    expect(pulled.bytes).toBeLessThan(2_000_000);
  });

  it("refuses a declared length over the limit before reading", async () => {
    const { pulled, req } = streamed(50_000_000);
    const declared = new Request(req, { headers: { "content-length": "50000000", "content-type": "application/json" } });
    await expect(readJson(declared, Input)).rejects.toMatchObject({ code: "payload_too_large" });
    expect(pulled.bytes).toBeLessThan(200_000);
  });

  it("reads a body within the limit, multi-byte characters across chunks included", async () => {
    const name = "é".repeat(200_000);
    const req = new Request("http://test/v1/x", { method: "POST", body: JSON.stringify({ name }) });
    expect(await readJson(req, Input)).toEqual({ name });
    await expect(readJson(new Request("http://test/v1/x", { method: "POST", body: "{" }), Input)).rejects.toMatchObject({ code: "bad_request" });
    await expect(readJson(new Request("http://test/v1/x", { method: "POST", body: '{"x":1}' }), Input)).rejects.toMatchObject({ code: "validation_failed" });
  });
});
