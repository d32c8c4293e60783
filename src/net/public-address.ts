import ipaddr from 'ipaddr.js';

/** What the outbound guard thinks of one IP address. */
export interface AddressVerdict {
  /** True only for a globally routable unicast address. */
  public: boolean;
  /** The range that decided it: ipaddr.js's name (`loopback`, `private`, `reserved`…). */
  range: string;
  /** For IPv6 forms that carry an IPv4 address (mapped, NAT64, 6to4…), the address judged. */
  embedded?: string;
}

type IPv4 = ipaddr.IPv4;
type IPv6 = ipaddr.IPv6;

/**
 * Classifies an address with ipaddr.js's IANA special-purpose ranges: every range it names but
 * `unicast` is refused (loopback, private, link-local, unique-local, CGNAT, benchmarking 198.18/15,
 * multicast, documentation and other reserved blocks, unspecified, broadcast). IPv6 forms that
 * embed an IPv4 address are judged by that address, because that is where the packet ends up:
 * mapped `::ffff:a.b.c.d`, translated `::ffff:0:a.b.c.d`, compatible `::a.b.c.d`, NAT64
 * `64:ff9b::/96`, 6to4 `2002::/16` and Teredo (server and client). An unparsable text is refused.
 */
export function classifyAddress(text: string): AddressVerdict {
  if (!ipaddr.isValid(text)) return { public: false, range: 'invalid' };
  const address = ipaddr.parse(text);
  return address.kind() === 'ipv4' ? classifyIPv4(address as IPv4) : classifyIPv6(address as IPv6);
}

function classifyIPv4(address: IPv4): AddressVerdict {
  const range = address.range();
  return { public: range === 'unicast', range };
}

/** Global unicast space (2000::/3): IPv6 outside it is not allocated for the public Internet. */
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3') as [IPv6, number];
/** RFC 8215 local-use NAT64: translated by a local gateway, never a public destination. */
const LOCAL_NAT64 = ipaddr.parseCIDR('64:ff9b:1::/48') as [IPv6, number];

function classifyIPv6(address: IPv6): AddressVerdict {
  const range = address.range();
  const parts = address.parts;
  const embedded = (high: number, low: number): IPv4 =>
    ipaddr.fromByteArray([high >> 8, high & 0xff, low >> 8, low & 0xff]) as IPv4;
  const judgeBy = (name: string, ...inner: IPv4[]): AddressVerdict => {
    const verdicts = inner.map(classifyIPv4);
    const refused = verdicts.findIndex((v) => !v.public);
    const decisive = inner[refused === -1 ? 0 : refused] as IPv4;
    return {
      public: refused === -1,
      range: refused === -1 ? name : `${name}(${verdicts[refused]?.range})`,
      embedded: decisive.toString(),
    };
  };
  switch (range) {
    case 'ipv4Mapped':
    case 'rfc6145':
      return judgeBy(range, embedded(parts[6] ?? 0, parts[7] ?? 0));
    case 'rfc6052':
      if (address.match(LOCAL_NAT64)) return { public: false, range: 'rfc8215' };
      return judgeBy(range, embedded(parts[6] ?? 0, parts[7] ?? 0));
    case '6to4':
      return judgeBy(range, embedded(parts[1] ?? 0, parts[2] ?? 0));
    case 'teredo':
      // Server in bits 32–63; client in the last 32 bits, inverted (RFC 4380).
      return judgeBy(
        range,
        embedded(parts[2] ?? 0, parts[3] ?? 0),
        embedded(~(parts[6] ?? 0) & 0xffff, ~(parts[7] ?? 0) & 0xffff),
      );
    case 'unicast':
      // ipaddr.js names the rest of ::/96 `unicast`: these are IPv4-compatible addresses.
      if (parts.slice(0, 6).every((p) => p === 0)) {
        return judgeBy('ipv4Compatible', embedded(parts[6] ?? 0, parts[7] ?? 0));
      }
      return address.match(GLOBAL_UNICAST)
        ? { public: true, range }
        : { public: false, range: 'unallocated' };
    default:
      return { public: false, range };
  }
}
