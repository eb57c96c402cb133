// The client's address for throttling and audit, from the socket, or from
// X-Forwarded-For only as far as proxies the operator trusts (TRUST_PROXY).
// A header the client sets is never believed on its own: with no trusted
// proxy, X-Forwarded-For is ignored.
import net from "node:net";

/**
 * TRUST_PROXY: unset, "0" or "false" trusts no proxy (the socket's peer is the
 * client); a number N trusts the N proxies nearest to this server (each appends
 * the address it saw to X-Forwarded-For); a comma-separated list of addresses
 * and CIDR ranges trusts proxies at those addresses.
 * @param {string | undefined} value
 * @returns {{ kind: "none" } | { kind: "hops", hops: number } | { kind: "list", list: net.BlockList }}
 */
export function parseTrustProxy(value) {
  const text = (value ?? "").trim();
  if (text === "" || text === "0" || text.toLowerCase() === "false") return { kind: "none" };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 20) throw new Error(`TRUST_PROXY: expected at most 20 proxy hops (got "${text}")`);
    return { kind: "hops", hops };
  }
  const list = new net.BlockList();
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [address, bits, extra] = part.split("/");
    const family = net.isIP(address);
    const type = family === 6 ? "ipv6" : "ipv4";
    if (!family || extra !== undefined) throw new Error(`TRUST_PROXY: "${part}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, 192.168.1.5, fd00::/8), nor a hop count`);
    if (bits === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const prefix = Number(bits);
    if (!/^\d+$/.test(bits) || prefix > (family === 6 ? 128 : 32)) throw new Error(`TRUST_PROXY: "${part}" has an invalid prefix length`);
    list.addSubnet(address, prefix, type);
  }
  return { kind: "list", list };
}

/** "::ffff:10.0.0.1" → "10.0.0.1"; "[::1]:443" and "10.0.0.1:80" lose the port; anything else that is not an address → undefined. */
export function normalizeAddress(raw) {
  if (typeof raw !== "string") return undefined;
  let a = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(":"));
  if (/^::ffff:[\d.]+$/i.test(a)) a = a.slice(7);
  return net.isIP(a) ? a.toLowerCase() : undefined;
}

function trusted(trust, address) {
  if (trust.kind !== "list") return false;
  return trust.list.check(address, net.isIP(address) === 6 ? "ipv6" : "ipv4");
}

/**
 * The client address: the nearest address (from the socket outwards through
 * X-Forwarded-For) that is not a trusted proxy. An entry that is not an address
 * ends the walk: the proxy that passed it on is taken as the client.
 * @param {string | undefined} socketAddress
 * @param {string | string[] | undefined} forwardedFor
 * @param {ReturnType<typeof parseTrustProxy>} trust
 */
export function clientAddress(socketAddress, forwardedFor, trust) {
  const peer = normalizeAddress(socketAddress) ?? "unknown";
  if (trust.kind === "none") return peer;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor ?? "";
  // Nearest first: the socket's peer, then X-Forwarded-For from right to left.
  const chain = [peer, ...header.split(",").map((s) => s.trim()).filter(Boolean).reverse()];
  let client = peer;
  for (let i = 0; i < chain.length - 1; i++) {
    const isProxy = trust.kind === "hops" ? i < trust.hops : trusted(trust, chain[i]);
    if (!isProxy) break;
    const next = normalizeAddress(chain[i + 1]);
    if (!next) break;
    client = next;
  }
  return client;
}
