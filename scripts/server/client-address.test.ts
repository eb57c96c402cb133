import { describe, expect, it } from "vitest";
import { clientAddress, normalizeAddress, parseTrustProxy } from "./client-address.mjs";

const none = parseTrustProxy(undefined);

describe("client address", () => {
  it("is the socket's peer when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(clientAddress("::ffff:127.0.0.1", "203.0.113.9", none)).toBe("127.0.0.1");
    expect(clientAddress("10.1.2.3", ["1.1.1.1", "2.2.2.2"], none)).toBe("10.1.2.3");
    expect(clientAddress(undefined, "1.1.1.1", none)).toBe("unknown");
    for (const v of ["", "0", "false", " FALSE "]) expect(parseTrustProxy(v)).toEqual({ kind: "none" });
  });

  it("with a hop count, takes the address the outermost trusted proxy saw, not what the client wrote", () => {
    const one = parseTrustProxy("1");
    // The client wrote "6.6.6.6"; the proxy appended the address it saw.
    expect(clientAddress("10.0.0.2", "6.6.6.6, 198.51.100.4", one)).toBe("198.51.100.4");
    expect(clientAddress("10.0.0.2", undefined, one)).toBe("10.0.0.2");
    const two = parseTrustProxy("2");
    expect(clientAddress("10.0.0.2", "6.6.6.6, 198.51.100.4, 10.0.0.1", two)).toBe("198.51.100.4");
    // Fewer entries than hops: the leftmost real address.
    expect(clientAddress("10.0.0.2", "198.51.100.4", two)).toBe("198.51.100.4");
  });

  it("with a list, walks out through trusted addresses and stops at the first one that is not", () => {
    const list = parseTrustProxy("10.0.0.0/8, 192.168.1.5, fd00::/8");
    expect(clientAddress("10.0.0.2", "6.6.6.6, 198.51.100.4, 192.168.1.5", list)).toBe("198.51.100.4");
    expect(clientAddress("fd00::1", "2001:db8::7", list)).toBe("2001:db8::7");
    // An untrusted peer is the client, whatever it forwards.
    expect(clientAddress("198.51.100.9", "6.6.6.6", list)).toBe("198.51.100.9");
    // Garbage in the header: the trusted proxy that passed it on is the client.
    expect(clientAddress("10.0.0.2", "<script>, not-an-ip", list)).toBe("10.0.0.2");
  });

  it("refuses a TRUST_PROXY it cannot read, naming the bad part", () => {
    expect(() => parseTrustProxy("10.0.0.0/40")).toThrow(/invalid prefix/);
    expect(() => parseTrustProxy("proxy.internal")).toThrow(/"proxy.internal" is not an IP address/);
    expect(() => parseTrustProxy("99")).toThrow(/at most 20/);
  });

  it("normalizes addresses and rejects what is not one", () => {
    expect(normalizeAddress("[::1]:443")).toBe("::1");
    expect(normalizeAddress("10.0.0.1:8080")).toBe("10.0.0.1");
    expect(normalizeAddress("::FFFF:10.0.0.1")).toBe("10.0.0.1");
    expect(normalizeAddress("unknown")).toBeUndefined();
    expect(normalizeAddress("1.2.3.4, 5.6.7.8")).toBeUndefined();
  });
});
