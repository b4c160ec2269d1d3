import {
  Kind,
  OperationTypeNode,
  getNamedType,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';
import type { EntityField } from './fields';

export const ENTITY_KEY_VARIABLE = '__entityKey';

/** A query loading one entity field of a change object with exactly the selection the client made. */
export interface EntityQuery {
  /** Name of the field in the change type (`team`). */
  field: string;
  /** The query text, run through the gateway for each event with the entity's key. */
  query: string;
  /** Names of the client's variables the query uses (passed along with the key). */
  variables: string[];
}

function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return fragments;
}

/** Field nodes named `name` directly in a selection set (through fragments, which merge there). */
function collectFields(
  selectionSet: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
  name: string,
  out: FieldNode[],
  visiting = new Set<string>(),
): FieldNode[] {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === name) out.push(selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collectFields(selection.selectionSet, fragments, name, out, visiting);
    } else {
      const fragment = fragments[selection.name.value];
      if (!fragment || visiting.has(fragment.name.value)) continue;
      visiting.add(fragment.name.value);
      collectFields(fragment.selectionSet, fragments, name, out, visiting);
      visiting.delete(fragment.name.value);
    }
  }
  return out;
}

/** The single root field of a subscription operation (the validator guarantees there is one). */
export function rootFieldOf(document: DocumentNode, operation: OperationDefinitionNode): FieldNode | undefined {
  const fragments = fragmentsOf(document);
  const find = (selectionSet: SelectionSetNode, visiting: Set<string>): FieldNode | undefined => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) return selection;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const found = find(selection.selectionSet, visiting);
        if (found) return found;
      } else {
        const fragment = fragments[selection.name.value];
        if (!fragment || visiting.has(fragment.name.value)) continue;
        visiting.add(fragment.name.value);
        const found = find(fragment.selectionSet, visiting);
        if (found) return found;
      }
    }
    return undefined;
  };
  return find(operation.selectionSet, new Set());
}

/** Fragment names and variable names used (transitively) by some AST nodes. */
function usages(nodes: readonly (FieldNode | FragmentDefinitionNode)[], fragments: Record<string, FragmentDefinitionNode>) {
  const fragmentNames = new Set<string>();
  const variableNames = new Set<string>();
  const queue = [...nodes];
  while (queue.length > 0) {
    const node = queue.shift() as FieldNode | FragmentDefinitionNode;
    visit(node, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        const fragment = fragments[name];
        if (fragment && !fragmentNames.has(name)) {
          fragmentNames.add(name);
          queue.push(fragment);
        }
      },
      Variable(variable) {
        variableNames.add(variable.name.value);
      },
    });
  }
  return { fragmentNames, variableNames };
}

/** Adds `__typename` to every selection set, so abstract types resolve when the result is replayed. */
function withTypenames<T extends FieldNode | FragmentDefinitionNode>(node: T): T {
  return visit(node, {
    SelectionSet(selectionSet) {
      const hasTypename = selectionSet.selections.some(
        (s) => s.kind === Kind.FIELD && s.name.value === '__typename' && !s.alias,
      );
      if (hasTypename) return undefined;
      return {
        ...selectionSet,
        selections: [...selectionSet.selections, { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } }],
      };
    },
  }) as T;
}

/**
 * Builds, once per subscription, the query that loads `entityField` (e.g. TeamChange.team) with
 * the client's own selection, aliases, fragments and variables:
 * `query SubscriptionEntity($__entityKey: ID!, …) { <alias>: team(id: $__entityKey) { … } }`.
 * Returns null when the client did not select the field.
 */
export function buildEntityQuery(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  rootField: FieldNode,
  fieldName: string,
  entity: EntityField<unknown>,
): EntityQuery | null {
  if (!rootField.selectionSet) return null;
  const fragments = fragmentsOf(document);
  const occurrences = collectFields(rootField.selectionSet, fragments, fieldName, []);
  if (occurrences.length === 0) return null;

  const keyArgument = schema.getQueryType()?.getFields()[entity.queryField]?.args.find((a) => a.name === entity.keyArgument);
  if (!keyArgument) {
    throw new Error(`Query.${entity.queryField}(${entity.keyArgument}:) is not in the supergraph`);
  }
  const keyType = getNamedType(keyArgument.type).name;

  const fields: FieldNode[] = occurrences.map((occurrence) =>
    withTypenames({
      ...occurrence,
      alias: { kind: Kind.NAME, value: occurrence.alias?.value ?? occurrence.name.value },
      name: { kind: Kind.NAME, value: entity.queryField },
      arguments: [
        {
          kind: Kind.ARGUMENT,
          name: { kind: Kind.NAME, value: entity.keyArgument },
          value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: ENTITY_KEY_VARIABLE } },
        },
      ],
    }),
  );
  const { fragmentNames, variableNames } = usages(fields, fragments);
  variableNames.delete(ENTITY_KEY_VARIABLE);
  const variableDefinitions: VariableDefinitionNode[] = [
    {
      kind: Kind.VARIABLE_DEFINITION,
      variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: ENTITY_KEY_VARIABLE } },
      type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: keyType } } },
    },
    ...(operation.variableDefinitions ?? []).filter((d) => variableNames.has(d.variable.name.value)),
  ];
  const query: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: OperationTypeNode.QUERY,
        name: { kind: Kind.NAME, value: 'SubscriptionEntity' },
        variableDefinitions,
        selectionSet: { kind: Kind.SELECTION_SET, selections: fields },
      },
      ...[...fragmentNames].map((name) => withTypenames(fragments[name] as FragmentDefinitionNode)),
    ],
  };
  return { field: fieldName, query: print(query), variables: [...variableNames] };
}
