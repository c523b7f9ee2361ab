import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationContext } from 'graphql';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';

/**
 * Limits on the shape of one GraphQL document, enforced by GraphQL Armor before anything
 * executes. The gateway's own operations stay far below them (the heaviest, `login` with every
 * field, has depth 3, cost 46 and about 50 tokens).
 */
export interface QueryLimits {
  /**
   * Deepest field nesting of an operation; each fragment counts as a level. `__schema`
   * (introspection) is not counted: graphql-js's own `MaxIntrospectionDepthRule` bounds it.
   * @default 10
   */
  maxDepth: number;
  /** Aliased fields in one operation, fragments included; `a1: __typename` counts too. @default 10 */
  maxAliases: number;
  /** Lexical tokens (names, punctuation, values) in the document; counted while parsing. @default 1000 */
  maxTokens: number;
  /** Directives in one operation, fragments included. @default 10 */
  maxDirectives: number;
  /**
   * Armor's estimated cost of one operation: 1 per scalar field, 2 per object field, each
   * level's children weighted by 1.5. Introspection (`__schema`) is free.
   * @default 500
   */
  maxCost: number;
  /**
   * Removes graphql-js's "Did you mean …?" hints from error messages, so a client cannot map the
   * schema by guessing names once introspection is off.
   * @default false (the gateway turns it on in production)
   */
  blockFieldSuggestions: boolean;
}

/** The limits the gateway applies. */
export const DEFAULT_QUERY_LIMITS: Readonly<QueryLimits> = Object.freeze({
  maxDepth: 10,
  maxAliases: 10,
  maxTokens: 1000,
  maxDirectives: 10,
  maxCost: 500,
  blockFieldSuggestions: false,
});

// Armor throws from inside a validation rule by default, which stops validation with an error
// Yoga answers with HTTP 200 and no code. Reported through the context instead, the limit's
// error is an ordinary validation error: `GRAPHQL_VALIDATION_FAILED`, HTTP 400 (200 to clients
// that accept only application/json, as the GraphQL-over-HTTP spec asks). Armor prefixes
// "Syntax Error: " to every message; the document's syntax is fine, so that goes.
const reportAsValidationError = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) =>
      context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''))),
  ],
};

// graphql-js hints: `Did you mean "email"?`, `Did you mean "a", "b", or "c"?`,
// `Did you mean the enum value "ADMIN"?`.
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

// In place, as Armor does: the error keeps its locations, path and extensions.
const stripSuggestions = (error: unknown) => {
  if (error instanceof Error) error.message = error.message.replace(SUGGESTION, '');
};

/**
 * GraphQL Armor with {@link DEFAULT_QUERY_LIMITS}, each overridable. A document over a limit is
 * refused before execution: no resolver runs and the upstream is never called.
 */
export function useQueryLimits(overrides: Partial<QueryLimits> = {}): Plugin {
  const limits = { ...DEFAULT_QUERY_LIMITS, ...overrides };
  const armor = EnvelopArmorPlugin<YogaInitialContext>({
    maxDepth: { n: limits.maxDepth, ...reportAsValidationError },
    // Armor's default allow-list exempts `__typename`, whose aliases would then be free.
    maxAliases: { n: limits.maxAliases, allowList: [], ...reportAsValidationError },
    maxDirectives: { n: limits.maxDirectives, ...reportAsValidationError },
    costLimit: { maxCost: limits.maxCost, ...reportAsValidationError },
    // Counted by the parser, so there is no validation context to report to: the parse error
    // Armor throws becomes Yoga's `GRAPHQL_PARSE_FAILED`, HTTP 400.
    maxTokens: { n: limits.maxTokens },
    blockFieldSuggestion: { enabled: limits.blockFieldSuggestions, mask: '' },
  });
  if (!limits.blockFieldSuggestions) return armor;
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(armor);
    },
    // Armor hides hints in validation errors only. Variable coercion happens at execution and
    // names input fields the same way (`Field "emial" is not defined by type "LoginInput". Did
    // you mean "email"?`): those are cleaned on the result.
    onExecutionResult({ result }) {
      if (typeof result === 'object' && result !== null && 'errors' in result && Array.isArray(result.errors)) result.errors.forEach(stripSuggestions);
    },
  };
}
