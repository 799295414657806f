// The strict DER reader (src/encoding/der.ts) against `openssl asn1parse`
// over openssl-made certificates: every element's offset, depth, header and
// content length, INTEGER values and OIDs must agree with ours. (The reader's
// own rules are tested without external tools in test/unit/der.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DerNode, decodeDer, rawDer, readBigInt, readBoolean, readOid } from '../../src/encoding/der.js';
import { toHex } from '../../src/index.js';
import { oracle, runOk, tempDir } from '../helpers/env.js';

interface Asn1ParseLine { offset: number; depth: number; hl: number; len: number; cons: boolean; type: string; value: string }
function asn1parse(file: string, strparse?: number): Asn1ParseLine[] {
  const args = ['asn1parse', '-inform', 'DER', '-in', file, ...(strparse === undefined ? [] : ['-strparse', String(strparse)])];
  return runOk('openssl', args)
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const m = /^\s*(\d+):d=(\d+)\s+hl=(\d+)\s+l=\s*(\d+)\s+(cons|prim):\s+(.*?)\s*(?::(.*))?$/.exec(l);
      assert.ok(m, `unexpected asn1parse line: ${l}`);
      return { offset: +m[1]!, depth: +m[2]!, hl: +m[3]!, len: +m[4]!, cons: m[5] === 'cons', type: m[6]!.trim(), value: (m[7] ?? '').trim() };
    });
}
function preorder(n: DerNode, depth = 0, out: Array<{ n: DerNode; depth: number }> = []): Array<{ n: DerNode; depth: number }> {
  out.push({ n, depth });
  for (const c of n.children ?? []) preorder(c, depth + 1, out);
  return out;
}

test('oracle: openssl asn1parse agrees on every element of openssl-made certificates (offsets, lengths, INTEGERs, OIDs)', (t) => {
  if (!oracle(t, 'openssl')) return;
  const dir = tempDir();
  const certs: string[] = [];
  const make = (name: string, keyArgs: string[], ext: string[]) => {
    const out = join(dir, `${name}.der`);
    runOk('openssl', ['req', '-x509', '-newkey', ...keyArgs, '-nodes', '-keyout', join(dir, `${name}.key`), '-subj', '/C=DE/O=Müller & Söhne/CN=mail.example.test', '-days', '3', '-outform', 'DER', '-out', out, ...ext.flatMap((e) => ['-addext', e])]);
    certs.push(out);
  };
  make('ec', ['ec', '-pkeyopt', 'ec_paramgen_curve:P-384'], [
    'subjectAltName=DNS:mail.example.test,IP:10.0.0.1,IP:2001:db8::1,email:x@example.test,URI:https://example.test/',
    'basicConstraints=critical,CA:true,pathlen:3',
    'certificatePolicies=1.2.3.4.5,2.999.12345678901234567890',
    'nameConstraints=permitted;DNS:example.test',
  ]);
  make('rsa', ['rsa:2048'], ['extendedKeyUsage=serverAuth,clientAuth', 'keyUsage=critical,digitalSignature,keyEncipherment']);
  let elements = 0;
  let ints = 0;
  const oids = new Set<string>();
  const check = (file: string, bytes: Uint8Array, lines: Asn1ParseLine[]) => {
    const ours = preorder(decodeDer(bytes, file));
    assert.equal(ours.length, lines.length, `${file}: element count`);
    ours.forEach(({ n, depth }, i) => {
      const l = lines[i]!;
      assert.deepEqual([n.start, depth, (n.contentStart - n.start), n.contentEnd - n.contentStart, n.constructed], [l.offset, l.depth, l.hl, l.len, l.cons], `${file} element ${i} (${l.type})`);
      assert.deepEqual(rawDer(n), bytes.subarray(l.offset, l.offset + l.hl + l.len));
      if (l.type === 'INTEGER') {
        const v = readBigInt(n, 'i');
        const want = l.value.startsWith('-') ? -BigInt('0x' + l.value.slice(1)) : BigInt('0x' + l.value);
        assert.equal(v, want, `${file} INTEGER at ${l.offset}`);
        ints++;
      }
      if (l.type === 'OBJECT') {
        const s = readOid(n, 'o');
        if (/^\d+(\.\d+)+$/.test(l.value)) assert.equal(s, l.value); // openssl prints unknown OIDs dotted
        oids.add(`${s} ${toHex(rawDer(n))}`);
      }
      if (l.type === 'BOOLEAN') assert.equal(readBoolean(n, 'b'), l.value === '255');
      elements++;
    });
  };
  for (const file of certs) {
    const bytes = new Uint8Array(readFileSync(file));
    check(file, bytes, asn1parse(file));
    // and inside every extension value (openssl -strparse)
    for (const l of asn1parse(file).filter((x) => x.type.startsWith('OCTET STRING'))) {
      check(`${file}@${l.offset}`, bytes.subarray(l.offset + l.hl, l.offset + l.hl + l.len), asn1parse(file, l.offset));
    }
  }
  // every OID we read, written back by openssl from our dotted text, is the same element
  for (const entry of oids) {
    const [dotted, hex] = entry.split(' ');
    const out = join(dir, 'oid.der');
    runOk('openssl', ['asn1parse', '-genstr', `OID:${dotted}`, '-out', out, '-noout']);
    assert.equal(toHex(new Uint8Array(readFileSync(out))), hex, dotted);
  }
  t.diagnostic(`${elements} elements, ${ints} INTEGERs, ${oids.size} distinct OIDs agree with openssl`);
  assert.ok(elements > 150 && ints >= 4 && oids.size >= 15, 'the certificates exercised enough elements');
});
