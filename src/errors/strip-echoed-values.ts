/**
 * graphql-js prints the offending value into some error messages: a variable that does not fit
 * its type (`Variable "$input" got invalid value { email: …, password: "…" }`) or a literal of
 * the wrong type (`Expected value of type "Int!", found "…"`). A password sent in the wrong
 * shape would come straight back, so these messages are rewritten without the value.
 */

// Reasons graphql-js gives after the value; none of them contains a value.
const SAFE_REASONS = [
  /Exactly one key must be specified for OneOf type "\w+"\.$/,
  /Field "\w+" must be non-null\.$/,
  /Field "\w+" of required type "[\w![\]]+" was not provided\.$/,
  /Field "\w+" is not defined by type "\w+"\.(?: Did you mean [^.]*\?)?$/,
  /Expected type "\w+" to be an object\.$/,
];

const VARIABLE_VALUE = /^Variable "\$(\w+)" got invalid value /;
const LITERAL_VALUE = /^(Expected value of type "[\w![\]]+"), found [\s\S]*?(;[^;]*)?$/;
const SCALAR_VALUE = /^(\w+ cannot represent [\w -]+?)(?: value)?: [\s\S]*$/;

// The parser names the token it did not expect, quoting string literals whole.
const QUOTED_STRING_TOKEN = /\b(Block)?String "(?:[^"\\]|\\.)*"/g;

/** The message without any echoed value; the same message when it echoes none. */
export function withoutEchoedValue(message: string): string {
  if (message.startsWith('Syntax Error:')) return message.replace(QUOTED_STRING_TOKEN, (_match, block) => `${block ?? ''}String`);
  const variable = VARIABLE_VALUE.exec(message);
  if (variable) {
    const path = [...message.matchAll(/ at "([\w.[\]]+)"; /g)].pop()?.[1];
    const reason = SAFE_REASONS.map((pattern) => pattern.exec(message)?.[0]).find((found) => found !== undefined);
    return `Variable "$${variable[1]}" got an invalid value${path ? ` at "${path}"` : ''}: ${reason ?? 'it does not match its type.'}`;
  }
  const literal = LITERAL_VALUE.exec(message);
  if (literal) return `${literal[1]}, found a value of another type.`;
  const scalar = SCALAR_VALUE.exec(message);
  if (scalar) return `${scalar[1]} value.`;
  return message;
}
