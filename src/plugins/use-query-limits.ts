import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import {
  type ASTNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type validate,
  type ValidationContext,
  type ValidationRule,
  visit,
} from 'graphql';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';

/**
 * Limits on the shape of one GraphQL document, enforced by GraphQL Armor and graphql-js before
 * anything executes. The gateway's own operations stay far below them (the heaviest, `login`
 * with every field, has depth 3, cost 46, no directive and about 50 tokens).
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
  /**
   * Directives in one operation, fragments included. The schema's operations need none; this
   * leaves room for `@include`/`@skip` on a few fields.
   * @default 5
   */
  maxDirectives: number;
  /**
   * Armor's estimated cost of one operation: 1 per scalar field, 2 per object field, each
   * level's children weighted by 1.5; a fragment adds 2. Introspection (`__schema`) is free. A
   * field repeated in one selection set counts each time, though it runs once, so 500
   * `__typename`s are refused. Selecting every field of every mutation at once costs about 100.
   * A page size (`first`, `last`) does not multiply the cost: a page is one upstream call, and
   * its size is bounded by the field's own validation.
   * @default 200
   */
  maxCost: number;
  /**
   * Validation errors reported for one document. graphql-js reports one per offending node (ten
   * unknown directives, ten errors); past this many it stops validating and adds "Too many
   * validation errors, error limit reached. Validation aborted.".
   * @default 5
   */
  maxErrors: number;
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
  maxDirectives: 5,
  maxCost: 200,
  maxErrors: 5,
  blockFieldSuggestions: false,
});

// Armor multiplies a field's cost by a literal `first`/`last` (a variable's value it cannot see),
// so `masqueradeCompanies(first: 20)`, the default written out, would cost 220 and one by
// variable 11. A page is one upstream call whose size the resolver bounds: Armor's rule is given
// the document with literal page sizes as variables, which it counts once, as it does a variable.
const PAGE_SIZE_ARGUMENTS = new Set(['first', 'last']);

function withoutLiteralPageSizes<T extends ASTNode>(node: T): T {
  return visit(node, {
    Argument(argument) {
      if (!PAGE_SIZE_ARGUMENTS.has(argument.name.value) || argument.value.kind !== Kind.INT) return undefined;
      return { ...argument, value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: argument.name.value } } };
    },
  });
}

function costRuleWithoutPageSizes(options: Parameters<typeof costLimitRule>[0]): ValidationRule {
  const rule = costLimitRule(options);
  return (context) => {
    const fragments = new Map<string, FragmentDefinitionNode | undefined>();
    const getFragment = (name: string) => {
      if (!fragments.has(name)) {
        const fragment = context.getFragment(name);
        fragments.set(name, fragment ? withoutLiteralPageSizes(fragment) : undefined);
      }
      return fragments.get(name);
    };
    // The rule reads fragments through the context and reports through it: only the former changes.
    const view = new Proxy(context, {
      get: (target, key) => (key === 'getFragment' ? getFragment : (Reflect.get(target, key, target) as unknown)),
    });
    const { enter } = rule(view).OperationDefinition as { enter: (operation: OperationDefinitionNode) => void };
    return {
      OperationDefinition(operation) {
        enter(withoutLiteralPageSizes(operation));
      },
    };
  };
}

// Armor throws from inside a validation rule by default, which stops validation with an error
// Yoga answers with HTTP 200 and no code. Reported through the context instead, the limit's
// error is an ordinary validation error: `GRAPHQL_VALIDATION_FAILED`, HTTP 400 (200 to clients
// that accept only application/json, as the GraphQL-over-HTTP spec asks). Armor prefixes
// "Syntax Error: " to every message; the document's syntax is fine, so that goes. Each refusal
// is remembered, so the answer can hold it alone.
function reportAsValidationError(refusals: WeakSet<GraphQLError>) {
  return {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        const refusal = new GraphQLError(error.message.replace(/^Syntax Error: /, ''));
        refusals.add(refusal);
        context?.reportError(refusal);
      },
    ],
  };
}

type ValidateFunction = typeof validate;
type AfterValidate = Exclude<ReturnType<NonNullable<Plugin<YogaInitialContext>['onValidate']>>, void>;

// graphql-js hints: `Did you mean "email"?`, `Did you mean "a", "b", or "c"?`,
// `Did you mean the enum value "ADMIN"?`.
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

// In place, as Armor does: the error keeps its locations, path and extensions.
const stripSuggestions = (error: unknown) => {
  if (error instanceof Error) error.message = error.message.replace(SUGGESTION, '');
};

/**
 * GraphQL Armor with {@link DEFAULT_QUERY_LIMITS}, each overridable, and graphql-js validation
 * capped at `maxErrors`. A document over a limit is refused before execution, with that limit's
 * error alone: no resolver runs and the upstream is never called.
 */
export function useQueryLimits(overrides: Partial<QueryLimits> = {}): Plugin {
  const limits = { ...DEFAULT_QUERY_LIMITS, ...overrides };
  const refusals = new WeakSet<GraphQLError>();
  const reported = reportAsValidationError(refusals);
  const armor = EnvelopArmorPlugin<YogaInitialContext>({
    maxDepth: { n: limits.maxDepth, ...reported },
    // Armor's default allow-list exempts `__typename`, whose aliases would then be free.
    maxAliases: { n: limits.maxAliases, allowList: [], ...reported },
    maxDirectives: { n: limits.maxDirectives, ...reported },
    // Armor's own cost rule is replaced by the one below, which counts page sizes once.
    costLimit: { enabled: false },
    // Counted by the parser, so there is no validation context to report to: the parse error
    // Armor throws becomes Yoga's `GRAPHQL_PARSE_FAILED`, HTTP 400.
    maxTokens: { n: limits.maxTokens },
    blockFieldSuggestion: { enabled: limits.blockFieldSuggestions, mask: '' },
  });
  // A fragment adds 2, not a level: Armor's default also weighs its fields ×1.5 as if nested one
  // deeper, so eight nested `... on LoginPayload` around `token { value }` cost 284, not 23.
  const costRule = costRuleWithoutPageSizes({ maxCost: limits.maxCost, flattenFragments: true, ...reported });
  // Built once, not per request: the engine's `validate` is the same function every time.
  let inner: ValidateFunction | undefined;
  let capped: ValidateFunction | undefined;
  const cap = (validate: ValidateFunction): ValidateFunction => {
    if (validate !== inner) {
      inner = validate;
      capped = (schema, document, rules, options, typeInfo) => validate(schema, document, rules, { ...options, maxErrors: limits.maxErrors }, typeInfo);
    }
    return capped as ValidateFunction;
  };
  // The other rules run in the same pass and would add an error per offending node (one per
  // unknown directive of `__typename @aa@aa…`): a document over a limit gets the limit's alone.
  const onValidateEnd: AfterValidate = ({ result, setResult }) => {
    if (result.length === 0) return;
    const refused = result.filter((error) => refusals.has(error));
    if (refused.length > 0 && refused.length < result.length) setResult(refused);
  };
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(armor);
    },
    onValidate({ validateFn, setValidationFn, addValidationRule }) {
      addValidationRule(costRule);
      setValidationFn(cap(validateFn));
      return onValidateEnd;
    },
    // Armor hides hints in validation errors only. Variable coercion happens at execution and
    // names input fields the same way (`Field "emial" is not defined by type "LoginInput". Did
    // you mean "email"?`): those are cleaned on the result.
    ...(limits.blockFieldSuggestions && {
      onExecutionResult({ result }) {
        if (typeof result === 'object' && result !== null && 'errors' in result && Array.isArray(result.errors)) result.errors.forEach(stripSuggestions);
      },
    }),
  };
}
