import { describe, expect, it } from 'vitest';
import { withoutEchoedValue } from '../../src/errors/strip-echoed-values.js';

describe('graphql-js messages that echo a value lose the value', () => {
  it.each([
    [
      'Variable "$input" got invalid value { email: "a@b.co", password: "S3cret; at \\"x\\"; y" }; Exactly one key must be specified for OneOf type "IssueStorefrontTokenInput".',
      'Variable "$input" got an invalid value: Exactly one key must be specified for OneOf type "IssueStorefrontTokenInput".',
    ],
    [
      'Variable "$input" got invalid value { password: "S3cret" }; Field "email" of required type "String!" was not provided.',
      'Variable "$input" got an invalid value: Field "email" of required type "String!" was not provided.',
    ],
    [
      'Variable "$input" got invalid value "S3cret" at "input.channelId"; Int cannot represent non-integer value: "S3cret"',
      'Variable "$input" got an invalid value at "input.channelId": it does not match its type.',
    ],
    ['Expected value of type "Int", found "S3cret".', 'Expected value of type "Int", found a value of another type.'],
    ['String cannot represent a non string value: { secret: "S3cret" }', 'String cannot represent a non string value.'],
    ['Syntax Error: Expected Name, found String "S3cret \\" quoted".', 'Syntax Error: Expected Name, found String.'],
  ])('%s', (message, expected) => {
    expect(withoutEchoedValue(message)).toBe(expected);
    expect(withoutEchoedValue(message)).not.toContain('S3cret');
  });

  it('leaves messages without values alone', () => {
    const message = 'Cannot query field "nope" on type "Query".';
    expect(withoutEchoedValue(message)).toBe(message);
  });
});
