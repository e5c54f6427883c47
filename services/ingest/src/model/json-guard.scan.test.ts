import { describe, expect, it } from 'vitest';
import { ScanFormatError } from './scan-format.error.js';
import { parseScanBody } from './parse-scan-body.js';

const caught = (fn: () => unknown): ScanFormatError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ScanFormatError) return err;
    throw err;
  }
  throw new Error('expected a ScanFormatError');
};

describe('strict JSON reading of scan bodies', () => {
  it('keeps integers past 2^53 as their exact digits, and safe ones as numbers', () => {
    expect(parseScanBody('native', '{"a":12345678901234567891,"b":-9007199254740993,"c":9007199254740991,"d":1.5e3}')).toEqual({
      a: '12345678901234567891',
      b: '-9007199254740993',
      c: 9007199254740991,
      d: 1500,
    });
  });

  it('refuses a key given twice in one object, naming it, but not the same key in sibling objects', () => {
    expect(caught(() => parseScanBody('native', '{"x":[{"k":1,"j":2,"k":1}]}'))).toMatchObject({
      code: 'duplicate_key',
      path: '/x/0/k',
    });
    expect(caught(() => parseScanBody('native', '{"\\u006b":1,"k":2}'))).toMatchObject({ code: 'duplicate_key', path: '/k' });
    expect(parseScanBody('native', '{"a":{"k":1},"b":{"k":1}}')).toEqual({ a: { k: 1 }, b: { k: 1 } });
  });

  it('refuses NUL, lone surrogates and overflowing numbers with their path, and accepts surrogate pairs', () => {
    expect(caught(() => parseScanBody('native', '{"a":["ok","x\\u0000"]}'))).toMatchObject({
      code: 'unrepresentable_value',
      path: '/a/1',
    });
    expect(caught(() => parseScanBody('native', '{"a":{"\\udc00":1}}'))).toMatchObject({
      code: 'unrepresentable_value',
      path: '/a/\udc00',
    });
    expect(caught(() => parseScanBody('native', '{"a":"\\ud83dx"}'))).toMatchObject({
      code: 'unrepresentable_value',
      path: '/a',
    });
    expect(caught(() => parseScanBody('native', '{"n":[1,2,-1e400]}'))).toMatchObject({
      code: 'unrepresentable_value',
      path: '/n/2',
    });
    expect(parseScanBody('native', '{"a":"\\ud83d\\ude00"}')).toEqual({ a: '😀' });
  });

  it('refuses the same values in YAML (kubernetes) bodies', () => {
    expect(caught(() => parseScanBody('kubernetes', 'live:\n  name: "a\\0b"\n'))).toMatchObject({
      code: 'unrepresentable_value',
      path: '/live/name',
    });
    expect(caught(() => parseScanBody('kubernetes', 'live:\n  n: .inf\n'))).toMatchObject({
      code: 'unrepresentable_value',
      path: '/live/n',
    });
    expect(parseScanBody('kubernetes', 'live:\n  n: 12345678901234567891\n')).toEqual({ live: { n: '12345678901234567891' } });
  });

  it('still reports malformed JSON at its line, even when big integers were quoted', () => {
    expect(caught(() => parseScanBody('native', '{"a":12345678901234567891,\n"b":}')).message).toMatch(/line 2/);
  });
});
