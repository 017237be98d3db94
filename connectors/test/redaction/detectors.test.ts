import { ibanValid, luhnValid, shannonEntropy, type RedactionRules } from '../../src/redaction';
import { scrub } from './support';

const only = (name: keyof NonNullable<RedactionRules['detectors']>): RedactionRules => ({ detectors: { [name]: true } });

describe('e-mail', () => {
  test.each([
    ['mail bob@example.com now', 'mail REDACTED now'],
    ['<Bob.Smith+tag@mail.example.co.uk>', '<REDACTED>'],
    ['mailto:bob@example.com', 'mailto:REDACTED'],
    ['a@b.io', 'REDACTED'],
  ])('finds %s', (input, expected) => expect(scrub(only('email'), input)).toBe(expected));

  test.each(['@opentelemetry/api', 'user@localhost', 'price: 5 @ 3.50', 'https://REDACTED:REDACTED@shop.example/', 'no at sign here'])('leaves %s', (input) => {
    expect(scrub(only('email'), input)).toBe(input);
  });
});

describe('payment card (Luhn)', () => {
  test('luhnValid', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111 1111 1111 1111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });

  test.each([
    ['card 4111111111111111 ok', 'card REDACTED ok'],
    ['4111-1111-1111-1111', 'REDACTED'],
    ['5500 0000 0000 0004', 'REDACTED'],
    ['amex 378282246310005', 'amex REDACTED'],
    // A rejected candidate does not hide a valid card right after it.
    ['2 4111 1111 1111 1111', '2 REDACTED'],
  ])('finds %s', (input, expected) => expect(scrub(only('paymentCard'), input)).toBe(expected));

  test.each([
    '4111111111111112', // Luhn-invalid
    '1700000000000000', // a timestamp-like number starting with 1
    '41111111111111111111111', // longer than any card
    'order 4111111111',
  ])('leaves %s', (input) => expect(scrub(only('paymentCard'), input)).toBe(input));

  test('numbers are checked too: a card number in a numeric attribute', () => {
    expect(scrub(only('paymentCard'), 4111111111111111)).toBe('REDACTED');
    expect(scrub(only('paymentCard'), 4111111111111112)).toBe(4111111111111112);
    expect(scrub(only('paymentCard'), 200)).toBe(200);
  });
});

describe('IBAN (mod 97)', () => {
  test('ibanValid', () => {
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanValid('DE89370400440532013001')).toBe(false);
  });

  test.each([
    ['pay to DE89370400440532013000 today', 'pay to REDACTED today'],
    ['GB82 WEST 1234 5698 7654 32', 'REDACTED'],
    ['DE89 3704 0044 0532 0130 00 ABCD', 'REDACTED ABCD'],
  ])('finds %s', (input, expected) => expect(scrub(only('iban'), input)).toBe(expected));

  test.each(['DE89370400440532013001', 'AB12 CDEF GHIJ KLMN', 'ISO8601 TIMESTAMP VALUE'])('leaves %s', (input) => expect(scrub(only('iban'), input)).toBe(input));
});

describe('JWT', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
  test('finds signed and unsigned tokens', () => {
    expect(scrub(only('jwt'), `token ${jwt} end`)).toBe('token REDACTED end');
    expect(scrub(only('jwt'), 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.')).toBe('REDACTED');
  });
  test.each(['a.b.c', 'eyJ alone', 'version 1.2.3', 'file.tar.gz'])('leaves %s', (input) => expect(scrub(only('jwt'), input)).toBe(input));
});

describe('bearer tokens', () => {
  test.each([
    ['Bearer abcdef123456', 'Bearer REDACTED'],
    ['authorization: bearer abc.def-ghi_jkl', 'authorization: bearer REDACTED'],
    ['Basic dXNlcjpwYXNzd29yZA==', 'Basic REDACTED'],
    ['Digest username="bob", response="6629fae4"', 'Digest REDACTED'],
  ])('finds %s', (input, expected) => expect(scrub(only('bearerToken'), input)).toBe(expected));
  test.each(['the bearer of bad news', 'basic plan', 'Bearer', 'token expired'])('leaves %s', (input) => expect(scrub(only('bearerToken'), input)).toBe(input));
});

describe('API keys by prefix', () => {
  test.each([
    ['key sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'key REDACTED'],
    ['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', 'REDACTED'],
    ['xoxb-2345678901-abcdefghijklmnop', 'REDACTED'],
    ['AKIAIOSFODNN7EXAMPLE', 'REDACTED'],
    ['AIzaSyA-1234567890abcdefghijklmnopq', 'REDACTED'],
  ])('finds %s', (input, expected) => expect(scrub(only('apiKey'), input)).toBe(expected));

  test.each(['sk_live_', 'mask_live_abcdefghijklmnop', 'ghp_short', 'AKIA'])('leaves %s', (input) => expect(scrub(only('apiKey'), input)).toBe(input));

  test('prefixes and tail length are configurable', () => {
    const document: RedactionRules = { detectors: { apiKey: { prefixes: ['acme_'], minTailLength: 6 } } };
    expect(scrub(document, 'acme_abc123')).toBe('REDACTED');
    expect(scrub(document, 'sk_live_4eC39HqLyjWDarjtT1zdp7dc')).toBe('sk_live_4eC39HqLyjWDarjtT1zdp7dc');
  });
});

describe('high entropy', () => {
  test('entropy in bits per character', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
  });

  test.each([
    'q8Zr2LmX0pVt7WkA9sYb3NcE5uHd1GfJ', // random base62
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', // AWS secret key shape
    '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', // hex digest
    'kPzWqRtYuIoPaSdFgHjKlZxCvBnMqWeRtYuIoP', // 38 letters, mixed case, no digit
  ])('finds %s', (token) => expect(scrub(only('highEntropy'), `secret ${token} here`)).toBe('secret REDACTED here'));

  test.each([
    'application/x-www-form-urlencoded',
    'order_service_instance_01',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
    '20240115T103000Z_batch_0042',
    'the quick brown fox jumps over the lazy dog',
    '4bf92f3577b34da6', // short hex
  ])('leaves %s', (input) => expect(scrub(only('highEntropy'), input)).toBe(input));

  test('thresholds are configurable', () => {
    expect(scrub({ detectors: { highEntropy: { minLength: 40 } } }, 'q8Zr2LmX0pVt7WkA9sYb3NcE5uHd1GfJ')).toBe('q8Zr2LmX0pVt7WkA9sYb3NcE5uHd1GfJ');
  });
});

describe('passwords in URLs', () => {
  test.each([
    ['see postgres://app:hunter2@db.internal:5432/orders', 'see postgres://REDACTED:REDACTED@db.internal:5432/orders'],
    ['https://bob@example.com/x', 'https://REDACTED:REDACTED@example.com/x'],
  ])('finds %s', (input, expected) => expect(scrub(only('urlCredentials'), input)).toBe(expected));
  test.each(['https://example.com/a@b', 'https://REDACTED:REDACTED@x.example/', 'bob@example.com'])('leaves %s', (input) => expect(scrub(only('urlCredentials'), input)).toBe(input));
});

describe('phone numbers', () => {
  test.each([
    ['call +49 30 1234567', 'call REDACTED'],
    ['+1 (555) 123-4567', 'REDACTED'],
    ['0044 20 7946 0958', 'REDACTED'],
    ['(555) 123-4567', 'REDACTED'],
    ['555-123-4567', 'REDACTED'],
  ])('finds %s', (input, expected) => expect(scrub(only('phone'), input)).toBe(expected));
  test.each(['order 12345678', '2024-01-15 10:30:00', 'v1.2.3', '+12', '1700000000000'])('leaves %s', (input) => expect(scrub(only('phone'), input)).toBe(input));
});

describe('IP addresses', () => {
  test.each([
    ['from 203.0.113.7 via', 'from REDACTED via'],
    ['10.0.0.1', 'REDACTED'],
    ['2001:db8::8a2e:370:7334', 'REDACTED'],
    ['[fe80::1]:8080', '[REDACTED]:8080'],
  ])('finds %s', (input, expected) => expect(scrub(only('ipAddress'), input)).toBe(expected));
  test.each(['version 1.2.3', 'v1.2.3.4', '1.2.3.4.5', '2.0.0-beta.1', '999.1.1.1', '12:30:45', 'aa:bb:cc:dd:ee:ff', 'a::b', 'chrome/124.0.6367.91'])('leaves %s', (input) => {
    expect(scrub(only('ipAddress'), input)).toBe(input);
  });
});

describe('custom patterns and allowed values', () => {
  test('a pattern redacts its match; a redact group only that group', () => {
    const document: RedactionRules = {
      patterns: [
        { name: 'ticket', regex: 'TCK-[0-9]{6}' },
        { name: 'pin', regex: 'pin=(?<redact>[0-9]+)', action: { type: 'mask', keep: 1 } },
      ],
    };
    expect(scrub(document, 'see TCK-123456 and pin=98765')).toBe('see REDACTED and pin=****5');
  });

  test('requires: the regex only runs on values holding one of the texts', () => {
    const document: RedactionRules = { patterns: [{ regex: '[0-9]{4}', requires: ['id'], ignoreCase: true }] };
    expect(scrub(document, 'ID 1234')).toBe('ID REDACTED');
    expect(scrub(document, 'no 1234')).toBe('no 1234');
  });

  test('allowed values win over detectors; the rest of the value is still checked', () => {
    const document: RedactionRules = { detectors: { email: true, ipAddress: true }, allowedValues: [{ regex: 'noreply@example\\.com' }, { regex: '127(?:\\.[0-9]+){3}' }] };
    expect(scrub(document, 'from noreply@example.com to bob@example.com')).toBe('from noreply@example.com to REDACTED');
    expect(scrub(document, '127.0.0.1 and 10.0.0.1')).toBe('127.0.0.1 and REDACTED');
  });

  test('overlapping findings: the earlier detector wins, nothing is redacted twice', () => {
    const document: RedactionRules = { detectors: { urlCredentials: true, email: true, highEntropy: true, jwt: true } };
    expect(scrub(document, 'https://bob:pw@example.com/')).toBe('https://REDACTED:REDACTED@example.com/');
    expect(scrub(document, 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U')).toBe('REDACTED');
  });

  test('detectors are off unless turned on', () => {
    expect(scrub({}, 'bob@example.com 4111111111111111')).toBe('bob@example.com 4111111111111111');
    expect(scrub({ detectors: { email: false, paymentCard: { enabled: false } } }, 'bob@example.com 4111111111111111')).toBe('bob@example.com 4111111111111111');
  });
});
