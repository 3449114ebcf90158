/**
 * Keeps webhook deliveries away from internal networks (SSRF): an endpoint URL
 * must be https (http only for allow-listed hosts), and every address a host
 * name resolves to must be public unicast, checked at connect time so a DNS
 * answer that changes after registration cannot slip through.
 * `TRELLIS_WEBHOOK_ALLOW_PRIVATE` lists the hosts, addresses and CIDR ranges
 * that are let through anyway (local tests, on-premises receivers).
 */
import dns from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';

type Ip = ipaddr.IPv4 | ipaddr.IPv6;

export interface AllowList {
  hosts: ReadonlySet<string>;
  ranges: ReadonlyArray<[Ip, number]>;
}

/** Parses the comma-separated setting; returns the problems instead of throwing, for config validation. */
export function parseAllowList(raw: string | undefined): { allow: AllowList; problems: string[] } {
  const hosts = new Set<string>();
  const ranges: [Ip, number][] = [];
  const problems: string[] = [];
  for (const entry of (raw ?? '').split(',').map((e) => e.trim().toLowerCase()).filter(Boolean)) {
    const bare = entry.replace(/^\[(.*)\]$/, '$1');
    if (ipaddr.isValidCIDR(bare)) {
      const [address, bits] = ipaddr.parseCIDR(bare);
      ranges.push([address, bits]);
    } else if (ipaddr.isValid(bare)) {
      const address = unwrap(ipaddr.parse(bare));
      ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else if (/^[a-z0-9.-]+$/.test(entry)) {
      hosts.add(entry.replace(/\.$/, ''));
    } else {
      problems.push(`TRELLIS_WEBHOOK_ALLOW_PRIVATE: "${entry}" is not a host name, an IP address or a CIDR range`);
    }
  }
  return { allow: { hosts, ranges }, problems };
}

/** The IPv4 address an IPv6 one embeds (mapped `::ffff:a.b.c.d`, or the deprecated compatible `::a.b.c.d`), so it is judged as that. */
function unwrap(address: Ip): Ip {
  if (address.kind() !== 'ipv6') return address;
  const v6 = address as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, high = 0, low = 0] = v6.parts;
  // ::/96 but not :: or ::1 (their own ranges): RFC 4291 §2.5.5.1's IPv4-compatible form.
  const compatible = a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && f === 0 && (high !== 0 || low > 1);
  return compatible ? new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]) : address;
}

/** Why this address may not be called, or undefined when it may. */
export function blockedAddressReason(address: string, allow: AllowList): string | undefined {
  if (!ipaddr.isValid(address)) return `"${address}" is not an IP address`;
  const ip = unwrap(ipaddr.parse(address.replace(/%.*$/, '')));
  if (isAllowListed(ip.toString(), allow)) return undefined;
  const range = ip.range();
  // Only public unicast: loopback, private, link-local (cloud metadata), unique-local,
  // CGNAT, reserved, multicast and the IPv6 ranges that embed IPv4 are all refused.
  return range === 'unicast' ? undefined : `${ip.toString()} is a ${range} address`;
}

function hostAllowed(host: string, allow: AllowList): boolean {
  return allow.hosts.has(host.toLowerCase().replace(/\.$/, ''));
}

/**
 * Checks an endpoint URL when it is registered: a problem message, or
 * undefined. Host names are checked again, after resolution, on every delivery.
 */
export function checkEndpointUrl(raw: string, allow: AllowList): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password';
  // A trailing dot names the same host ("localhost." is localhost).
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  const literal = ipaddr.isValid(host);
  const allowed = literal ? isAllowListed(host, allow) : hostAllowed(host, allow);
  if (url.protocol === 'http:' && !allowed) return 'must use https (http is accepted only for hosts in TRELLIS_WEBHOOK_ALLOW_PRIVATE)';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use https';
  if (literal) {
    const reason = blockedAddressReason(host, allow);
    if (reason) return `must not point at an internal address (${reason})`;
  } else if (!hostAllowed(host, allow) && (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.'))) {
    return `must not point at an internal host ("${host}")`;
  }
  return undefined;
}

function isAllowListed(address: string, allow: AllowList): boolean {
  const ip = unwrap(ipaddr.parse(address));
  return allow.ranges.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits));
}

export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKEDADDRESS';
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for sockets: resolves like dns.lookup, then refuses the connection
 * when any address is internal (unless the host or address is allow-listed).
 */
export function guardedLookup(allow: AllowList) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      if (!hostAllowed(hostname, allow)) {
        for (const { address } of addresses) {
          const reason = blockedAddressReason(address, allow);
          if (reason) return callback(new BlockedAddressError(`${hostname} resolves to an internal address (${reason}); deliveries to internal addresses are refused`), []);
        }
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}
