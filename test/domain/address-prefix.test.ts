import t from 'tap';
import fc from 'fast-check';
import { addressPrefix } from '../../src/domain/address-prefix.js';

t.test('IPv4 addresses are counted one by one; IPv4-mapped IPv6 as the IPv4 address', async (t) => {
  t.equal(addressPrefix('192.0.2.1'), '192.0.2.1');
  t.equal(addressPrefix('::ffff:192.0.2.1'), '192.0.2.1');
  t.equal(addressPrefix('::FFFF:10.0.0.7'), '10.0.0.7');
});

t.test('IPv6 addresses are counted by their /64, whatever their spelling', async (t) => {
  t.equal(addressPrefix('2001:db8:aa:bb::1'), '2001:db8:aa:bb::/64');
  t.equal(addressPrefix('2001:0db8:00aa:00bb:ffff:ffff:ffff:ffff'), '2001:db8:aa:bb::/64', 'leading zeros');
  t.equal(addressPrefix('2001:DB8:AA:BB:0:0:0:2'), '2001:db8:aa:bb::/64', 'upper case, no ::');
  t.equal(addressPrefix('2001:db8::1'), '2001:db8:0:0::/64', ':: inside the prefix');
  t.equal(addressPrefix('::1'), '0:0:0:0::/64', 'loopback');
  t.equal(addressPrefix('fe80::1%eth0'), 'fe80:0:0:0::/64', 'a zone index is dropped');
  t.equal(addressPrefix('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64', 'an embedded IPv4 tail');
  t.not(addressPrefix('2001:db8:aa:bb::1'), addressPrefix('2001:db8:aa:bc::1'), 'the next /64 is another client');
});

t.test('what is not an address is kept as it is (never merged with a real one)', async (t) => {
  for (const odd of ['', 'inconnu', '1:2:3', '1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1', '::ffff:300.1.1.1']) t.equal(addressPrefix(odd), odd, JSON.stringify(odd));
});

t.test('property: every address of a /64 has the same prefix, and different /64s different ones', async () => {
  const group = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
  const groups = (n: number) => fc.array(group, { minLength: n, maxLength: n });
  fc.assert(
    fc.property(groups(4), groups(4), groups(4), groups(4), (network, host1, otherNetwork, host2) => {
      const a = addressPrefix([...network, ...host1].join(':'));
      const b = addressPrefix([...network, ...host2].join(':'));
      const c = addressPrefix([...otherNetwork, ...host2].join(':'));
      const sameNetwork = network.map((g) => parseInt(g, 16)).join() === otherNetwork.map((g) => parseInt(g, 16)).join();
      return a === b && (c === a) === sameNetwork;
    }),
  );
});
