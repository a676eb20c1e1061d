/**
 * The part of a client address that throttles count on. An IPv4 address is one client (or one
 * room behind its NAT); an IPv6 client usually holds a whole /64 and can change address within it
 * at will, so IPv6 addresses count by their /64. IPv4-mapped IPv6 (`::ffff:192.0.2.1`, what a
 * dual-stack socket reports) counts as the IPv4 address.
 */
export function addressPrefix(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped && mapped[1]!.split('.').every((octet) => Number(octet) <= 255)) return mapped[1]!;
  if (!ip.includes(':')) return ip;
  const groups = expandIpv6(ip.split('%')[0]!);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : ip;
}

/** The eight groups of an IPv6 address, lower case without leading zeros; null when it is not one. */
function expandIpv6(ip: string): string[] | null {
  const halves = ip.toLowerCase().split('::');
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  let head = parse(halves[0]!);
  let tail = halves.length === 2 ? parse(halves[1]!) : [];
  // An embedded IPv4 tail (`64:ff9b::192.0.2.1`) stands for the last two groups.
  const last = (halves.length === 2 ? tail : head).at(-1);
  if (last?.includes('.')) {
    const octets = last.split('.').map(Number);
    if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return null;
    const v4 = [((octets[0]! << 8) | octets[1]!).toString(16), ((octets[2]! << 8) | octets[3]!).toString(16)];
    if (halves.length === 2) tail = [...tail.slice(0, -1), ...v4];
    else head = [...head.slice(0, -1), ...v4];
  }
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => g.replace(/^0+(?=.)/, ''));
}
