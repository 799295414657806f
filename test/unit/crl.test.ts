// CRLs: createCrl -> parseCrl round trip, lookups, refusals, typed parse
// errors, inspect (text and JSON), and verifyCertificate with crls /
// revocation modes on a chain made here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { derSeq, derInt, derOid, derOctets, derBool, derExplicit, derBitString, derRaw, derImplicitBytes, encodeDer } from '../../src/encoding/der.js';
import { encodeTime } from '../../src/x509/time.js';
import { parsePkcs8, type PrivateKey, createRootCa, createIntermediateCa, issueCertificate, createCrl, parseCrl, parseCrls, findCrlEntry, checkCrlSignature, inspectCrl, crlToJson, verifyCertificate, MAX_CRL_SIGNATURE_CHECKS, isMailPkiError, encodePem, OID } from '../../src/index.js';

const ec = (): PrivateKey => parsePkcs8(new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'der' })));
const code = (c: string, re?: RegExp) => (e: unknown) => isMailPkiError(e, c as never) && (!re || re.test((e as Error).message));

const NOW = new Date('2026-06-01T12:00:00Z');
const rootKey = ec();
const root = createRootCa({ subject: { CN: 'Unit CRL Root' }, privateKey: rootKey, now: new Date('2026-01-01T00:00:00Z') });
const icaKey = ec();
const ica = createIntermediateCa({ subject: { CN: 'Unit CRL ICA' }, publicKey: icaKey, issuer: root, issuerKey: rootKey, now: new Date('2026-01-01T00:00:00Z') });
const leafKey = ec();
const mk = (host: string) => issueCertificate({ profile: 'tls-server', sans: [host], publicKey: leafKey as never, issuer: ica, issuerKey: icaKey, now: new Date('2026-05-01T00:00:00Z'), days: 90 });
const good = mk('good.example');
const bad = mk('bad.example');

const icaCrl = (entries = [{ serial: bad as never, revocationDate: new Date('2026-05-20T00:00:00Z'), reason: 'keyCompromise' as const }], extra = {}) =>
  createCrl({ issuerCertificate: ica, issuerKey: icaKey, crlNumber: 5n, thisUpdate: new Date('2026-05-30T00:00:00Z'), entries, ...extra });
const rootCrl = createCrl({ issuerCertificate: root, issuerKey: rootKey, crlNumber: 1n, thisUpdate: new Date('2026-05-30T00:00:00Z'), days: 30 });

test('createCrl -> parseCrl: fields, entries, lookup, signature', () => {
  const inv = new Date('2026-05-19T10:00:00Z');
  const crl = icaCrl([
    { serial: bad as never, revocationDate: new Date('2026-05-20T00:00:00Z'), reason: 'keyCompromise', invalidityDate: inv } as never,
    { serial: 77n, revocationDate: new Date('2026-05-21T00:00:00Z') } as never,
    { serial: 78n, revocationDate: new Date('2026-05-21T00:00:00Z'), reason: 'unspecified' } as never,
  ]);
  const back = parseCrl(crl.pem);
  assert.deepEqual(back.der, crl.der);
  assert.equal(back.version, 2);
  assert.equal(back.crlNumber, 5n);
  assert.equal(back.thisUpdate.toISOString(), '2026-05-30T00:00:00.000Z');
  assert.equal(back.nextUpdate?.toISOString(), '2026-06-06T00:00:00.000Z'); // 7 days by default
  assert.deepEqual(back.authorityKeyIdentifier?.keyIdentifier, ica.decoded.subjectKeyIdentifier);
  assert.equal(back.revokedCount, 3);
  assert.equal(back.entries.length, 3);
  const e = findCrlEntry(back, bad)!;
  assert.equal(e.reason, 'keyCompromise');
  assert.equal(e.invalidityDate?.toISOString(), inv.toISOString());
  assert.equal(findCrlEntry(back, 77n)?.reason, undefined);
  assert.equal(findCrlEntry(back, 78n)?.extensions.length, 0, 'unspecified is left out (RFC 5280 5.3.1)');
  assert.equal(findCrlEntry(back, good), undefined);
  assert.deepEqual(checkCrlSignature(back, ica), { ok: true });
  assert.equal(checkCrlSignature(back, root).ok, false);
  assert.equal(parseCrl(back.der).revokedCount, 3, 'DER input');
  assert.equal(parseCrls(crl.pem + rootCrl.pem).length, 2);
});

test('createCrl refusals', () => {
  const leafAsCa = mk('x.example');
  assert.throws(() => createCrl({ issuerCertificate: leafAsCa, issuerKey: leafKey, crlNumber: 1n }), code('ERR_ISSUER_NOT_CA', /cRLSign/));
  assert.throws(() => createCrl({ issuerCertificate: ica, issuerKey: rootKey, crlNumber: 1n }), code('ERR_KEY_MISMATCH'));
  assert.throws(() => createCrl({ issuerCertificate: ica, issuerKey: icaKey, crlNumber: 3n, previousCrlNumber: 3n }), code('ERR_POLICY', /greater/));
  assert.throws(() => createCrl({ issuerCertificate: ica, issuerKey: icaKey, crlNumber: -1n }), RangeError);
  assert.throws(() => createCrl({ issuerCertificate: ica, issuerKey: icaKey, crlNumber: 1n << 200n }), RangeError);
  const d = new Date();
  assert.throws(() => createCrl({ issuerCertificate: ica, issuerKey: icaKey, crlNumber: 1n, entries: [{ serial: 1n, revocationDate: d }, { serial: 1n, revocationDate: d }] }), code('ERR_POLICY', /twice/));
  assert.throws(() => createCrl({ issuerCertificate: ica, issuerKey: icaKey, crlNumber: 1n, entries: [{ serial: 1n, revocationDate: d, reason: 'removeFromCRL' }] }), code('ERR_POLICY', /delta/));
  assert.throws(() => createCrl({ issuerCertificate: ica, issuerKey: icaKey, crlNumber: 1n, thisUpdate: d, nextUpdate: d }), code('ERR_VALIDITY'));
});

test('parseCrl: typed errors for malformed input', () => {
  const der = rootCrl.der;
  const bads: Array<[string, Uint8Array | string, string]> = [
    ['empty', new Uint8Array(0), 'ERR_DER_MALFORMED'],
    ['truncated', der.subarray(0, der.length - 5), 'ERR_DER_MALFORMED'],
    ['trailing data', Uint8Array.of(...der, 0), 'ERR_DER_TRAILING_DATA'],
    ['not a sequence', Uint8Array.of(0x04, 0x00), 'ERR_CRL_MALFORMED'],
    ['empty sequence', Uint8Array.of(0x30, 0x00), 'ERR_DER_MALFORMED'],
    ['no CRL in PEM', encodePem('CERTIFICATE', root.der), 'ERR_PEM_NOT_FOUND'],
    ['certificate as CRL', root.der, 'ERR_CRL_MALFORMED'],
  ];
  for (const [what, input, c] of bads) assert.throws(() => parseCrl(input), (e: unknown) => isMailPkiError(e) && (e.code === c || assert.fail(`${what}: got ${e.code}: ${e.message}`)), what);
  // Indefinite length (BER) is refused.
  const ber = Uint8Array.of(0x30, 0x80, ...der.subarray(der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2), 0, 0);
  assert.throws(() => parseCrl(ber), (e: unknown) => isMailPkiError(e) && /DER/.test(e.code));
  // An entry whose serial is not minimally encoded.
  const crl = icaCrl([{ serial: 5n, revocationDate: new Date('2026-05-20T00:00:00Z') } as never]);
  const i = indexOfBytes(crl.der, Uint8Array.of(0x02, 0x01, 0x05, 0x17));
  assert.ok(i > 0);
  const broken = Uint8Array.from(crl.der);
  broken[i + 3] = 0x04; // time tag -> OCTET STRING
  assert.throws(() => parseCrl(broken), code('ERR_CRL_MALFORMED', /revocationDate/));
  const badTime = Uint8Array.from(crl.der);
  badTime[i + 5 + 2] = 0x31; // month 1x -> 1? keep digits but make month 13+
  badTime[i + 5 + 3] = 0x39;
  assert.throws(() => parseCrl(badTime), code('ERR_CRL_MALFORMED', /time/));
});

function indexOfBytes(h: Uint8Array, n: Uint8Array): number {
  outer: for (let i = 0; i + n.length <= h.length; i++) {
    for (let k = 0; k < n.length; k++) if (h[i + k] !== n[k]) continue outer;
    return i;
  }
  return -1;
}

test('inspectCrl and crlToJson', () => {
  const crl = icaCrl();
  const text = inspectCrl(crl, { now: NOW });
  assert.match(text, /Issuer:\s+CN=Unit CRL ICA/);
  assert.match(text, /CRL number:\s+5/);
  assert.match(text, /Next update:\s+2026-06-06 00:00:00 UTC \(in 4 days\)/);
  assert.match(text, /Revoked certificates:\s+1/);
  assert.match(text, /keyCompromise/);
  const j = crlToJson(crl) as { entries: Array<{ reason: string; serialNumber: string }>; crlNumber: string };
  assert.equal(j.crlNumber, '5');
  assert.equal(j.entries[0]!.reason, 'keyCompromise');
  assert.equal(j.entries[0]!.serialNumber, bad.serialHex);
  assert.doesNotThrow(() => JSON.stringify(crlToJson(crl)));
});

test('verifyCertificate with CRLs: revoked, modes, expired and missing CRLs', () => {
  const base = { trustAnchors: [root], intermediates: [ica], at: NOW };
  const crl = icaCrl();
  // if-present (default): revoked is found; without any CRL nothing is checked.
  const r = verifyCertificate(bad, { ...base, crls: [crl] });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.reason, 'revoked');
    assert.equal(r.revocationReason, 'keyCompromise');
    assert.equal(r.revocationDate?.toISOString(), '2026-05-20T00:00:00.000Z');
    assert.equal(r.certificate, bad);
  }
  assert.equal(verifyCertificate(good, { ...base, crls: [crl] }).ok, true, 'if-present: the ICA has no root CRL given, not checked');
  assert.equal(verifyCertificate(bad, base).ok, true, 'no CRLs: nothing to check');
  assert.equal(verifyCertificate(bad, { ...base, crls: [crl], revocation: 'off' }).ok, true);
  // require: every certificate below the anchor needs a CRL.
  const req = verifyCertificate(good, { ...base, crls: [crl], revocation: 'require' });
  assert.equal(req.ok ? 'ok' : req.reason, 'crl-not-found');
  if (!req.ok) assert.equal(req.certificate, ica);
  assert.equal(verifyCertificate(good, { ...base, crls: [crl, rootCrl], revocation: 'require' }).ok, true);
  // Expired: past nextUpdate.
  const late = verifyCertificate(good, { ...base, at: new Date('2026-06-10T00:00:00Z'), crls: [crl, rootCrl], revocation: 'require' });
  assert.equal(late.ok ? 'ok' : late.reason, 'crl-expired');
  // Not yet valid CRL: unusable.
  const early = verifyCertificate(good, { ...base, at: new Date('2026-05-29T00:00:00Z'), crls: [crl, rootCrl] });
  assert.equal(early.ok ? 'ok' : early.reason, 'crl-invalid');
  // A CRL with the ICA's name but signed by another key: invalid.
  const otherKey = ec();
  const fakeIca = createIntermediateCa({ subject: { CN: 'Unit CRL ICA' }, publicKey: otherKey, issuer: root, issuerKey: rootKey, now: new Date('2026-01-01T00:00:00Z') });
  const forged = createCrl({ issuerCertificate: fakeIca, issuerKey: otherKey, crlNumber: 9n, thisUpdate: new Date('2026-05-30T00:00:00Z') });
  const f = verifyCertificate(bad, { ...base, crls: [forged] });
  assert.equal(f.ok ? 'ok' : f.reason, 'crl-invalid');
  // A revoked intermediate is reported on the intermediate.
  const rootRevokes = createCrl({ issuerCertificate: root, issuerKey: rootKey, crlNumber: 2n, thisUpdate: new Date('2026-05-30T00:00:00Z'), entries: [{ serial: ica, revocationDate: new Date('2026-05-25T00:00:00Z'), reason: 'cACompromise' }] });
  const ri = verifyCertificate(good, { ...base, crls: [rootRevokes] });
  assert.equal(ri.ok ? 'ok' : `${ri.reason} ${ri.revocationReason}`, 'revoked cACompromise');
  if (!ri.ok) assert.equal(ri.certificate, ica);
  assert.throws(() => verifyCertificate(good, { ...base, crls: [{}] as never }), TypeError);
  assert.throws(() => verifyCertificate(good, { ...base, revocation: 'maybe' as never }), TypeError);
});

test('an older CRL that is still current does not hide a revocation in a newer one; delta CRLs are not written', () => {
  const base = { trustAnchors: [root], intermediates: [ica], at: NOW };
  const old = createCrl({ issuerCertificate: ica, issuerKey: icaKey, crlNumber: 4n, thisUpdate: new Date('2026-05-29T00:00:00Z'), days: 30 });
  const newer = icaCrl();
  for (const crls of [[old, newer], [newer, old]]) {
    const r = verifyCertificate(bad, { ...base, crls });
    assert.equal(r.ok ? 'ok' : r.reason, 'revoked');
  }
  // ... and a newer CRL that no longer lists a held certificate wins over an older one that does.
  const held = createCrl({ issuerCertificate: ica, issuerKey: icaKey, crlNumber: 6n, thisUpdate: new Date('2026-05-30T00:00:00Z'), days: 30, entries: [{ serial: good, revocationDate: new Date('2026-05-29T00:00:00Z'), reason: 'certificateHold' }] });
  const released = createCrl({ issuerCertificate: ica, issuerKey: icaKey, crlNumber: 7n, thisUpdate: new Date('2026-05-31T00:00:00Z'), days: 30 });
  assert.equal(verifyCertificate(good, { ...base, crls: [held, released] }).ok, true);
  const h = verifyCertificate(good, { ...base, crls: [held] });
  assert.equal(h.ok ? 'ok' : `${h.reason} ${h.revocationReason}`, 'revoked certificateHold');
});


/** A CRL from parts (unsigned: parseCrl does not check signatures), to reach each structural check. */
function craft(o: { version?: number | null; entries?: ReturnType<typeof derSeq>[]; exts?: ReturnType<typeof derSeq>[]; innerAlg?: string } = {}): Uint8Array {
  const alg = derSeq(derOid('1.2.840.10045.4.3.2'));
  const tbs = derSeq(
    ...(o.version === null ? [] : [derInt(o.version ?? 1)]),
    o.innerAlg ? derSeq(derOid(o.innerAlg)) : alg,
    derRaw(ica.subject.der),
    encodeTime(new Date('2026-05-30T00:00:00Z')),
    encodeTime(new Date('2026-06-06T00:00:00Z')),
    ...(o.entries ? [derSeq(...o.entries)] : []),
    ...(o.exts ? [derExplicit(0, derSeq(...o.exts))] : []),
  );
  return encodeDer(derSeq(tbs, alg, derBitString(Uint8Array.of(1, 2, 3))));
}
const ext = (oid: string, value: Uint8Array, critical = false) => derSeq(derOid(oid), ...(critical ? [derBool(true)] : []), derOctets(value));
const entry = (serial: bigint, exts?: ReturnType<typeof derSeq>[]) => derSeq(derInt(serial), encodeTime(new Date('2026-05-20T00:00:00Z')), ...(exts ? [derSeq(...exts)] : []));
const reason = (code: number) => ext(OID.crlReason, Uint8Array.of(0x0a, 0x01, code));

test('parseCrl: crafted structures give ERR_CRL_MALFORMED naming the rule', () => {
  assert.equal(parseCrl(craft()).revokedCount, 0, 'the crafted baseline parses');
  assert.equal(parseCrl(craft({ entries: [entry(5n, [reason(1)])] })).entries[0]!.reason, 'keyCompromise');
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['version 3', craft({ version: 2 }), /version/],
    ['explicit v1', craft({ version: 0 }), /only v2/],
    ['v1 with extensions', craft({ version: null, exts: [ext(OID.crlNumber, encodeDer(derInt(1)))] }), /v1 CRL/],
    ['v1 entry extensions', craft({ version: null, entries: [entry(5n, [reason(1)])] }), /v1 CRL/],
    ['reason 7', craft({ entries: [entry(5n, [reason(7)])] }), /reason code 7/],
    ['reason 11 (general path)', craft({ entries: [entry(5n, [reason(11), ext(OID.invalidityDate, encodeDer(derRaw(Uint8Array.of(0x18, 15, ...Array.from('20260519000000Z', (c) => c.charCodeAt(0))))))])] }), /reason code 11/],
    ['invalidityDate as UTCTime', craft({ entries: [entry(5n, [ext(OID.invalidityDate, encodeDer(encodeTime(new Date('2026-05-19T00:00:00Z'))))])] }), /GeneralizedTime/],
    ['negative cRLNumber', craft({ exts: [ext(OID.crlNumber, encodeDer(derInt(-1)))] }), /non-negative/],
    ['deltaCRLIndicator not critical', craft({ exts: [ext(OID.deltaCrlIndicator, encodeDer(derInt(1)))] }), /must be critical/],
    ['IDP not critical', craft({ exts: [ext(OID.issuingDistributionPoint, encodeDer(derSeq(derImplicitBytes(1, Uint8Array.of(0xff)))))] }), /must be critical/],
    ['IDP user and CA', craft({ exts: [ext(OID.issuingDistributionPoint, encodeDer(derSeq(derImplicitBytes(1, Uint8Array.of(0xff)), derImplicitBytes(2, Uint8Array.of(0xff)))), true)] }), /at most one/],
    ['IDP explicit FALSE', craft({ exts: [ext(OID.issuingDistributionPoint, encodeDer(derSeq(derImplicitBytes(4, Uint8Array.of(0x00)))), true)] }), /FALSE must be omitted/],
    ['inner and outer algorithms differ', craft({ innerAlg: '1.2.840.10045.4.3.3' }), /differs/],
    ['serial not minimal', craft({ entries: [derSeq(derRaw(Uint8Array.of(0x02, 0x02, 0x00, 0x05)), encodeTime(new Date('2026-05-20T00:00:00Z')))] }), /minimally encoded/],
    ['entry with an extra element', craft({ entries: [derSeq(derInt(5n), encodeTime(new Date('2026-05-20T00:00:00Z')), derInt(1))] }), /unexpected element/],
  ];
  for (const [what, der, re] of cases) assert.throws(() => parseCrl(der), code('ERR_CRL_MALFORMED', re), what);
  assert.throws(() => parseCrl(craft({ exts: [ext(OID.crlNumber, encodeDer(derInt(1))), ext(OID.crlNumber, encodeDer(derInt(2)))] })), code('ERR_EXTENSION_INVALID', /twice/));
  // Unknown critical extensions are read, flagged, and the CRL is not used.
  const flagged = parseCrl(craft({ exts: [ext('1.2.3.4', Uint8Array.of(5, 0), true)], entries: [entry(6n, [ext('1.2.3.5', Uint8Array.of(5, 0), true)])] }));
  assert.deepEqual([...flagged.unknownCriticalExtensions].sort(), ['1.2.3.4', '1.2.3.5']);
});

test('bounded work: many CRLs with the issuer name but a foreign key stop at MAX_CRL_SIGNATURE_CHECKS', () => {
  const otherKey = ec();
  const impostor = createIntermediateCa({ subject: { CN: 'Unit CRL ICA' }, publicKey: otherKey, issuer: root, issuerKey: rootKey, now: new Date('2026-01-01T00:00:00Z') });
  // The impostor claims the real ICA's key identifier, so the AKI does not rule its CRLs out: each costs a signature check.
  const claimsIcaKeyId = { ...impostor, decoded: { ...impostor.decoded, subjectKeyIdentifier: ica.decoded.subjectKeyIdentifier } };
  const forged = Array.from({ length: MAX_CRL_SIGNATURE_CHECKS + 20 }, (_, i) =>
    createCrl({ issuerCertificate: claimsIcaKeyId, issuerKey: otherKey, crlNumber: BigInt(i + 1), thisUpdate: new Date('2026-05-30T00:00:00Z') }),
  );
  const t0 = performance.now();
  const r = verifyCertificate(good, { trustAnchors: [root], intermediates: [ica], at: NOW, crls: forged });
  const ms = performance.now() - t0;
  assert.equal(r.ok ? 'ok' : r.reason, 'crl-invalid');
  if (!r.ok) assert.match(r.message, new RegExp(`more than ${MAX_CRL_SIGNATURE_CHECKS} CRL signature checks`));
  assert.ok(ms < 5000, `took ${ms.toFixed(0)} ms`);
});
