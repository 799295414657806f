// matchesHost agrees with Node's X509Certificate.checkHost / checkIP
// (OpenSSL's X509_check_host with partial and multi-label wildcards off:
// RFC 9525 rules) on one certificate with tricky SANs, for a fixed list of
// hosts and for random ones built from the SAN labels. Non-ASCII hosts are
// left out on purpose: mailpki maps U-labels to A-labels, OpenSSL does not.
// A SAN with a trailing dot (`dot.example.net.`) matches nothing in either.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { oracle } from '../helpers/env.js';
import { OpensslPki } from '../helpers/openssl-pki.js';
import { matchesHost } from '../../src/index.js';

const DNS = ['mail.example.com', '*.wild.example.com', 'f*.partial.example.net', 'xn--bcher-kva.example', '*.xn--bcher-kva.example', '*.com', 'a.*.mid.example.org', 'UPPER.Example.ORG', 'dot.example.net.'];
const IPS = ['192.0.2.1', '2001:db8::1', '::1', '::ffff:192.0.2.7'];

test('matchesHost agrees with node:crypto checkHost/checkIP', (t) => {
  if (!oracle(t, 'openssl')) return;
  const pki = new OpensslPki();
  const c = pki.cert({ name: 'Hostname Test', ext: [`subjectAltName=${[...DNS.map((d) => `DNS:${d}`), ...IPS.map((i) => `IP:${i}`)].join(',')}`] });
  const x = new X509Certificate(c.cert.pem);
  // One trailing dot is the same absolute name: mailpki ignores it, OpenSSL's
  // X509_check_host does not, so the oracle is asked without it.
  const nodeSays = (h: string) =>
    /^[0-9.]+$|:/.test(h)
      ? x.checkIP(h) !== undefined
      : x.checkHost(h.replace(/\.$/, ''), { subject: 'never', wildcards: true, partialWildcards: false, multiLabelWildcards: false }) !== undefined;

  const fixed = [
    'mail.example.com', 'MAIL.EXAMPLE.COM', 'mail.example.com.', 'example.com', 'x.mail.example.com',
    'a.wild.example.com', 'wild.example.com', 'a.b.wild.example.com', 'foo.partial.example.net', 'f.partial.example.net',
    'xn--bcher-kva.example', 'a.xn--bcher-kva.example', 'example.com', 'foo.com', 'a.b.mid.example.org',
    'upper.example.org', 'a.wild.example.com.', 'dot.example.net', 'dot.example.net.',
    '192.0.2.1', '192.0.2.2', '2001:db8::1', '2001:DB8:0:0:0:0:0:1', '2001:db8::2', '::1', '0:0:0:0:0:0:0:1', '::ffff:192.0.2.7', '::ffff:c000:207', '192.0.2.7',
  ];
  for (const h of fixed) assert.equal(matchesHost(c.cert, h), nodeSays(h), `host ${h}`);

  const label = fc.constantFrom('a', 'mail', 'wild', 'example', 'com', 'org', 'net', 'xn--bcher-kva', 'partial', 'foo', 'f', 'UPPER', 'mid', 'b', 'dot');
  const host = fc.tuple(fc.array(label, { minLength: 1, maxLength: 5 }), fc.boolean()).map(([ls, dot]) => ls.join('.') + (dot ? '.' : ''));
  fc.assert(fc.property(host, (h) => matchesHost(c.cert, h) === nodeSays(h)), { numRuns: 2000 });

  const word = fc.integer({ min: 0, max: 0xffff });
  const ipv6 = fc.tuple(fc.array(word, { minLength: 8, maxLength: 8 }), fc.constantFrom(0, 1, 2)).map(([ws, form]) => {
    const hex = ws.map((w) => w.toString(16));
    return form === 0 ? hex.join(':') : form === 1 ? hex.map((h) => h.padStart(4, '0').toUpperCase()).join(':') : hex.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  });
  const known = fc.constantFrom('2001:db8:0:0:0:0:0:1', '0:0:0:0:0:0:0:1', '0000:0000:0000:0000:0000:ffff:c000:0207', '2001:0DB8::0001');
  fc.assert(fc.property(fc.oneof(ipv6, known), (h) => matchesHost(c.cert, h) === nodeSays(h)), { numRuns: 1000 });
});
