// Postfix and Dovecot config generators: version thresholds, profiles, no
// deprecated settings, path checks. Expected values come from
// shared/MAIL-TLS.md and postconf(5) / Dovecot docs, not from our output;
// acceptance by the real daemons is in test/e2e/mail-servers.test.ts, by
// doveconf in test/interop/mail-config-doveconf.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_DOVECOT_VERSION,
  DEFAULT_POSTFIX_VERSION,
  INTERMEDIATE_TLS12_CIPHERS,
  generateDovecotConfig,
  generatePostfixConfig,
  mailPortInfo,
  MAIL_PORTS,
} from '../../src/index.js';

// Mozilla guideline 6.0 "intermediate", as listed in shared/MAIL-TLS.md.
const MOZILLA_SIX = 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305';
const EXCLUDE_12 = '!SSLv2, !SSLv3, !TLSv1, !TLSv1.1';

/** The non-comment `name = value` settings of a main.cf text. */
function settings(cf: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of cf.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const r = /^([a-z0-9_]+) =(?: (.*))?$/.exec(line);
    assert.ok(r, `not a main.cf setting line: ${JSON.stringify(line)}`);
    assert.ok(!m.has(r[1]!), `${r[1]} set twice`);
    m.set(r[1]!, r[2] ?? '');
  }
  return m;
}

const chainFile = '/etc/mailpki/postfix-chain.pem';

test('Postfix: thresholds 3.4 (smtpd_tls_chain_files) and 3.6 (>=TLSv1.2), compared as numbers (3.10 > 3.6)', () => {
  const cases: Array<[string, boolean, boolean]> = [
    ['3.0', false, false],
    ['3.3.22', false, false],
    ['3.4', true, false],
    ['3.5.18', true, false],
    ['3.6', true, true],
    ['3.7.11', true, true],
    ['3.10.2', true, true],
    ['4.0', true, true],
  ];
  for (const [version, chainFiles, ranges] of cases) {
    const s = settings(generatePostfixConfig({ chainFile, version }).mainCf);
    if (chainFiles) {
      assert.equal(s.get('smtpd_tls_chain_files'), chainFile, version);
      assert.ok(!s.has('smtpd_tls_cert_file') && !s.has('smtpd_tls_key_file'), version);
    } else {
      assert.equal(s.get('smtpd_tls_cert_file'), chainFile, version);
      assert.equal(s.get('smtpd_tls_key_file'), chainFile, version);
      assert.ok(!s.has('smtpd_tls_chain_files'), version);
    }
    const want = ranges ? '>=TLSv1.2' : EXCLUDE_12;
    for (const p of ['smtpd_tls_protocols', 'smtpd_tls_mandatory_protocols', 'smtp_tls_protocols', 'smtp_tls_mandatory_protocols']) {
      assert.equal(s.get(p), want, `${version} ${p}`);
    }
  }
  assert.equal(DEFAULT_POSTFIX_VERSION, '3.4');
  assert.equal(settings(generatePostfixConfig({ chainFile }).mainCf).get('smtpd_tls_protocols'), EXCLUDE_12, 'default works on every supported Postfix');
});

test('Postfix: separate cert and key files: key listed first for chain_files (files are read as concatenated)', () => {
  const s = settings(generatePostfixConfig({ certFile: '/etc/x/chain.pem', keyFile: '/etc/x/key.pem', version: '3.7' }).mainCf);
  assert.equal(s.get('smtpd_tls_chain_files'), '/etc/x/key.pem, /etc/x/chain.pem');
  const old = settings(generatePostfixConfig({ certFile: '/etc/x/chain.pem', keyFile: '/etc/x/key.pem', version: '3.3' }).mainCf);
  assert.equal(old.get('smtpd_tls_cert_file'), '/etc/x/chain.pem');
  assert.equal(old.get('smtpd_tls_key_file'), '/etc/x/key.pem');
});

test('Postfix intermediate: Mozilla 6.0 settings, "may" on port 25, no deprecated parameters', () => {
  const cfg = generatePostfixConfig({ chainFile, version: '3.7' });
  const s = settings(cfg.mainCf);
  assert.equal(s.get('smtpd_tls_security_level'), 'may');
  assert.equal(s.get('smtpd_tls_auth_only'), 'yes');
  assert.equal(s.get('smtpd_tls_mandatory_ciphers'), 'medium');
  assert.equal(s.get('smtp_tls_mandatory_ciphers'), 'medium');
  assert.equal(s.get('tls_medium_cipherlist'), MOZILLA_SIX);
  assert.equal(INTERMEDIATE_TLS12_CIPHERS.join(':'), MOZILLA_SIX);
  assert.equal(s.get('tls_preempt_cipherlist'), 'no');
  assert.equal(s.get('tls_eecdh_auto_curves'), 'X25519 prime256v1 secp384r1');
  for (const bad of ['smtpd_use_tls', 'smtp_use_tls', 'smtpd_tls_eecdh_grade', 'smtpd_enforce_tls', 'smtpd_tls_dh1024_param_file']) {
    assert.ok(!s.has(bad), `deprecated ${bad} emitted`);
  }
  assert.ok(![...s.values()].includes('encrypt'), 'never encrypt in main.cf (public MX)');
  assert.ok(![...s.values()].some((v) => v.includes('MLKEM')), 'no ML-KEM by default');
  // parameters mirror the text
  assert.deepEqual(new Map(cfg.parameters), s);
  assert.equal(cfg.version, '3.7');
});

test('Postfix modern: TLS 1.3 only on the server side, client side stays at TLS 1.2+; ML-KEM only on request', () => {
  const s = settings(generatePostfixConfig({ chainFile, version: '3.8', profile: 'modern' }).mainCf);
  assert.equal(s.get('smtpd_tls_protocols'), '>=TLSv1.3');
  assert.equal(s.get('smtpd_tls_mandatory_protocols'), '>=TLSv1.3');
  assert.equal(s.get('smtp_tls_protocols'), '>=TLSv1.2');
  assert.ok(!s.has('smtpd_tls_mandatory_ciphers'));
  const old = settings(generatePostfixConfig({ chainFile, version: '3.5', profile: 'modern' }).mainCf);
  assert.equal(old.get('smtpd_tls_protocols'), `${EXCLUDE_12}, !TLSv1.2`);
  const noClient = settings(generatePostfixConfig({ chainFile, version: '3.8', profile: 'modern', client: false }).mainCf);
  assert.ok(![...noClient.keys()].some((k) => k.startsWith('smtp_')));
  assert.ok(!noClient.has('tls_medium_cipherlist'), 'modern: no cipher list');
  const pq = settings(generatePostfixConfig({ chainFile, version: '3.10', mlkem: true }).mainCf);
  assert.equal(pq.get('tls_eecdh_auto_curves'), 'X25519MLKEM768 X25519 prime256v1 secp384r1');
  // tls_eecdh_auto_curves exists from 3.2
  assert.ok(!settings(generatePostfixConfig({ chainFile, version: '3.1' }).mainCf).has('tls_eecdh_auto_curves'));
});

test('Postfix master.cf: 587 submission with encrypt, 465 submissions with wrappermode, SASL via Dovecot or commented out', () => {
  const { masterCf } = generatePostfixConfig({ chainFile, version: '3.7' });
  const services = masterCf.split('\n').filter((l) => /^\S/.test(l) && !l.startsWith('#'));
  assert.deepEqual(services.map((l) => l.split(/\s+/).slice(0, 2).join(' ')), ['submission inet', 'submissions inet']);
  const block = (name: string): string[] => {
    const lines = masterCf.split('\n');
    const i = lines.findIndex((l) => l.startsWith(`${name} `));
    const out: string[] = [];
    for (let j = i + 1; j < lines.length && /^\s+-o /.test(lines[j]!); j++) out.push(lines[j]!.trim());
    return out;
  };
  const sub = block('submission');
  const subs = block('submissions');
  assert.ok(sub.includes('-o smtpd_tls_security_level=encrypt'));
  assert.ok(!sub.includes('-o smtpd_tls_wrappermode=yes'));
  assert.ok(subs.includes('-o smtpd_tls_wrappermode=yes'));
  for (const b of [sub, subs]) {
    assert.ok(b.includes('-o smtpd_sasl_auth_enable=yes') && b.includes('-o smtpd_sasl_type=dovecot') && b.includes('-o smtpd_sasl_path=private/auth'));
    assert.ok(b.includes('-o smtpd_relay_restrictions=permit_sasl_authenticated,reject'));
    for (const o of b) assert.doesNotMatch(o.slice(3), /\s/, 'no whitespace inside an -o value');
  }
  const none = generatePostfixConfig({ chainFile, sasl: 'none' }).masterCf;
  assert.doesNotMatch(none, /^\s+-o smtpd_sasl/m);
  assert.match(none, /^#\s+-o smtpd_sasl_auth_enable=yes$/m);
});

test('Postfix: bad arguments are refused before anything is emitted', () => {
  assert.throws(() => generatePostfixConfig({}), TypeError);
  assert.throws(() => generatePostfixConfig({ certFile: '/a' }), TypeError);
  assert.throws(() => generatePostfixConfig({ chainFile, certFile: '/a', keyFile: '/b' }), TypeError);
  assert.throws(() => generatePostfixConfig({ chainFile: 'relative/chain.pem' }), RangeError);
  for (const p of ['/etc/my certs/c.pem', '/etc/a,b.pem', '/etc/$x.pem', '/etc/a.pem\nsmtpd_tls_security_level = none']) {
    assert.throws(() => generatePostfixConfig({ chainFile: p }), RangeError, JSON.stringify(p));
  }
  assert.throws(() => generatePostfixConfig({ chainFile, version: '2.11' }), RangeError);
  assert.throws(() => generatePostfixConfig({ chainFile, version: 'latest' }), RangeError);
  assert.throws(() => generatePostfixConfig({ chainFile, profile: 'old' as 'modern' }), RangeError);
  assert.throws(() => generatePostfixConfig({ chainFile, sasl: 'cyrus' as 'none' }), RangeError);
});

// ------------------------------------------------------------------ Dovecot

/** Non-comment `name = value` lines of a Dovecot snippet, in order. */
function dsettings(conf: string): Array<[string, string]> {
  return conf
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const r = /^([a-z_]+) = (.*)$/.exec(l);
      assert.ok(r, `not a setting line: ${l}`);
      return [r[1]!, r[2]!] as [string, string];
    });
}
const cert = '/etc/mailpki/server-chain.pem';
const key = '/etc/mailpki/server.key';

test('Dovecot 2.3: ssl_cert/ssl_key with "<", ssl_min_protocol, prefer client ciphers; never ssl_protocols', () => {
  assert.equal(DEFAULT_DOVECOT_VERSION, '2.3');
  const conf = generateDovecotConfig({ certFile: cert, keyFile: key });
  const s = new Map(dsettings(conf));
  assert.equal(s.get('ssl'), 'required');
  assert.equal(s.get('ssl_cert'), `<${cert}`);
  assert.equal(s.get('ssl_key'), `<${key}`);
  assert.equal(s.get('ssl_min_protocol'), 'TLSv1.2');
  assert.equal(s.get('ssl_cipher_list'), MOZILLA_SIX);
  assert.equal(s.get('ssl_curve_list'), 'X25519:prime256v1:secp384r1');
  assert.equal(s.get('ssl_prefer_server_ciphers'), 'no');
  for (const k of ['ssl_protocols', 'ssl_server_cert_file', 'ssl_server_prefer_ciphers', 'dovecot_config_version', 'ssl_dh_parameters_length']) assert.ok(!s.has(k), k);
});

test('Dovecot 2.4: dovecot_config_version first, ssl_server_cert_file / _key_file without "<", ssl_server_prefer_ciphers = client', () => {
  const conf = generateDovecotConfig({ certFile: cert, keyFile: key, version: '2.4' });
  const list = dsettings(conf);
  assert.deepEqual(list[0], ['dovecot_config_version', '2.4.0']);
  const s = new Map(list);
  assert.equal(s.get('ssl_server_cert_file'), cert);
  assert.equal(s.get('ssl_server_key_file'), key);
  assert.equal(s.get('ssl_server_prefer_ciphers'), 'client');
  assert.equal(s.get('ssl_min_protocol'), 'TLSv1.2');
  for (const k of ['ssl_cert', 'ssl_key', 'ssl_prefer_server_ciphers', 'ssl_protocols']) assert.ok(!s.has(k), k);
  assert.equal(new Map(dsettings(generateDovecotConfig({ certFile: cert, keyFile: key, version: '2.4.1' }))).get('dovecot_config_version'), '2.4.1');
});

test('Dovecot: modern profile, ssl = yes, ML-KEM on request, bad arguments', () => {
  const m = new Map(dsettings(generateDovecotConfig({ certFile: cert, keyFile: key, profile: 'modern', required: false, mlkem: true })));
  assert.equal(m.get('ssl_min_protocol'), 'TLSv1.3');
  assert.ok(!m.has('ssl_cipher_list'));
  assert.equal(m.get('ssl'), 'yes');
  assert.equal(m.get('ssl_curve_list'), 'X25519MLKEM768:X25519:prime256v1:secp384r1');
  assert.throws(() => generateDovecotConfig({ certFile: cert } as never), TypeError);
  assert.throws(() => generateDovecotConfig({ certFile: 'cert.pem', keyFile: key }), RangeError);
  for (const p of ['/etc/a b.pem', '/etc/a#b.pem', '/etc/a.pem\nssl = no', '/etc/$x']) {
    assert.throws(() => generateDovecotConfig({ certFile: p, keyFile: key }), RangeError, JSON.stringify(p));
  }
  for (const v of ['2.2', '3.0', '1.2']) assert.throws(() => generateDovecotConfig({ certFile: cert, keyFile: key, version: v }), RangeError, v);
  assert.throws(() => generateDovecotConfig({ certFile: cert, keyFile: key, version: '2.4', configVersion: '2.3.0' }), RangeError);
});

test('ports: RFC 8314 table (587 STARTTLS, 465 implicit, ...)', () => {
  const table = Object.fromEntries(MAIL_PORTS.map((p) => [p.port, `${p.protocol}/${p.tls}`]));
  assert.deepEqual(table, {
    25: 'smtp/starttls',
    587: 'smtp/starttls',
    465: 'smtp/implicit',
    143: 'imap/starttls',
    993: 'imap/implicit',
    110: 'pop3/starttls',
    995: 'pop3/implicit',
  });
  assert.equal(mailPortInfo(465)?.service, 'submissions');
  assert.equal(mailPortInfo(8080), undefined);
});
