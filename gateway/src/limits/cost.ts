import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export const QUERY_TOO_COSTLY = 'QUERY_TOO_COSTLY';

export interface CostOptions {
  /** Multiplier for a list field without a page-size argument. */
  defaultListSize: number;
  /** Arguments whose value is the page size of a list or connection. */
  pageSizeArguments: readonly string[];
}

export const DEFAULT_COST_OPTIONS: CostOptions = { defaultListSize: 10, pageSizeArguments: ['first', 'last', 'limit'] };

/**
 * Estimated cost of an operation: every field costs 1, and what is selected under a list is
 * multiplied by its page size (`first`/`last`/`limit`, with the request's variables) or by
 * `defaultListSize`. A connection field with `first: 20` multiplies its subtree once: its `edges`
 * list is not multiplied again. Introspection is free.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
  options: CostOptions = DEFAULT_COST_OPTIONS,
): number {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  const variableDefaults: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) variableDefaults[definition.variable.name.value] = valueFromASTUntyped(definition.defaultValue);
  }
  const variableValues = { ...variableDefaults, ...variables };

  const pageSize = (field: FieldNode): number | undefined => {
    for (const argument of field.arguments ?? []) {
      if (!options.pageSizeArguments.includes(argument.name.value)) continue;
      const value = valueFromASTUntyped(argument.value, variableValues);
      if (typeof value === 'number' && Number.isFinite(value)) return Math.max(0, value);
    }
    return undefined;
  };

  const fieldType = (parent: GraphQLCompositeType, name: string) => {
    if (isObjectType(parent) || isInterfaceType(parent)) return parent.getFields()[name]?.type;
    return undefined;
  };

  const costOf = (
    selectionSet: SelectionSetNode,
    parent: GraphQLCompositeType,
    parentWasPaged: boolean,
    visiting: Set<string>,
  ): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === '__schema' || name === '__type') continue;
        total += 1;
        const type = fieldType(parent, name);
        const named = type ? getNamedType(type) : undefined;
        if (!selection.selectionSet || !named || !isCompositeType(named)) continue;
        const paged = pageSize(selection);
        const isList = type ? isListType(getNullableType(type)) : false;
        let multiplier = 1;
        if (paged !== undefined) multiplier = paged;
        else if (isList && !parentWasPaged) multiplier = options.defaultListSize;
        total += multiplier * costOf(selection.selectionSet, named, paged !== undefined && !isList, visiting);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        const target = condition && isCompositeType(condition) ? condition : parent;
        total += costOf(selection.selectionSet, target, parentWasPaged, visiting);
      } else {
        const name = selection.name.value;
        const fragment = fragments[name];
        if (!fragment || visiting.has(name)) continue;
        const condition = schema.getType(fragment.typeCondition.name.value);
        visiting.add(name);
        total += costOf(fragment.selectionSet, condition && isCompositeType(condition) ? condition : parent, parentWasPaged, visiting);
        visiting.delete(name);
      }
    }
    return total;
  };

  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  return costOf(operation.selectionSet, root, false, new Set());
}

export function costLimitError(cost: number, maxCost: number): GraphQLError {
  return new GraphQLError(
    `The operation is estimated to cost ${cost}; the limit is ${maxCost}. Ask for fewer fields or smaller pages (first/last).`,
    { extensions: { code: QUERY_TOO_COSTLY, cost, maxCost, http: { status: 400 } } },
  );
}

