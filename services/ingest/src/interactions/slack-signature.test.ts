import { describe, expect, it } from 'vitest';
import { checkSlackSignature, slackSignature } from './slack-signature.js';

// The worked example of Slack's "Verifying requests from Slack" page.
const secret = Buffer.from('8f742231b10e8888abcd99yyyzzz85a5');
const timestamp = '1531420618';
const body = Buffer.from(
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
);
const documented = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

describe('Slack request signatures', () => {
  it('computes the signature of Slack’s documented example', () => {
    expect(slackSignature(secret, timestamp, body)).toBe(documented);
  });

  it('accepts it within five minutes of the timestamp and refuses it later', () => {
    expect(checkSlackSignature(secret, timestamp, documented, body, 1531420618 + 299)).toBe('valid');
    expect(checkSlackSignature(secret, timestamp, documented, body, 1531420618 + 301)).toBe('stale');
    expect(checkSlackSignature(secret, timestamp, documented, body, 1531420618 - 301)).toBe('stale');
  });

  it('refuses a changed body, another secret, or a malformed header', () => {
    const now = 1531420618;
    expect(checkSlackSignature(secret, timestamp, documented, Buffer.concat([body, Buffer.from('x')]), now)).toBe('mismatch');
    expect(checkSlackSignature(Buffer.from('another-secret'), timestamp, documented, body, now)).toBe('mismatch');
    expect(checkSlackSignature(secret, timestamp, documented.replace('v0=', 'v1='), body, now)).toBe('mismatch');
    expect(checkSlackSignature(secret, timestamp, undefined, body, now)).toBe('mismatch');
    expect(checkSlackSignature(secret, undefined, documented, body, now)).toBe('stale');
  });
});
