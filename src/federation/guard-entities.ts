import { type GraphQLSchema, isObjectType } from 'graphql';
import type { GatewayContext } from '../context.js';
import { ForbiddenError, InputValidationError } from '../errors/gateway-errors.js';

/**
 * Wraps federation's `_entities` resolver. @apollo/subgraph trusts its representations: any
 * other shape (a string, an unknown `__typename`, no key) ends in an internal error. Here only
 * trusted callers may look entities up at all, and each representation must name an entity type
 * of this schema and carry its `id`; anything else is BAD_USER_INPUT naming the item.
 */
export function guardEntities(schema: GraphQLSchema): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()['_entities'];
  const resolve = field?.resolve;
  if (field === undefined || resolve === undefined) return schema;
  const entityTypes = new Set(
    Object.values(schema.getTypeMap())
      .filter((type) => isObjectType(type) && type.astNode?.directives?.some((directive) => directive.name.value === 'key'))
      .map((type) => type.name),
  );
  field.resolve = (source, args: { representations?: unknown }, context: GatewayContext, info) => {
    if (!context.trusted) throw new ForbiddenError('Looking up entities needs a trusted caller (X-Gateway-Key).');
    const representations = Array.isArray(args.representations) ? args.representations : [];
    representations.forEach((representation, index) => {
      const item = typeof representation === 'object' && representation !== null ? (representation as Record<string, unknown>) : undefined;
      const typename = item?.['__typename'];
      if (typeof typename !== 'string' || !entityTypes.has(typename)) {
        throw new InputValidationError(`representations.${index}`, `must be an object whose __typename is one of ${[...entityTypes].join(', ')}`);
      }
      if (typeof item?.['id'] !== 'string' && typeof item?.['id'] !== 'number') {
        throw new InputValidationError(`representations.${index}.id`, 'must be given');
      }
    });
    return resolve(source, args, context, info);
  };
  return schema;
}
