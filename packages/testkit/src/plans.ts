/** A node of `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)` output: what tests read of it. */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  /** Rows per loop: a node under a nested loop runs once per outer row. */
  'Actual Rows': number;
  'Actual Loops': number;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  Plans?: PlanNode[];
}

/** Anything that runs a query: a pg client or pool. */
interface Queryable {
  query<R extends Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/**
 * Runs `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)` of `sql` (so it executes: wrap it in a transaction
 * to roll back) and returns every node of the plan, the root first, depth first.
 */
export async function explainNodes(db: Queryable, sql: string, values?: unknown[]): Promise<PlanNode[]> {
  const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, values);
  const flatten = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(flatten)];
  return flatten(rows[0]!['QUERY PLAN'][0].Plan);
}

/** The plan's first index scan (the one tests look at), or undefined. */
export function indexScanOf(nodes: readonly PlanNode[]): PlanNode | undefined {
  return nodes.find((node) => node['Node Type'] === 'Index Scan');
}

/** Blocks a node read (from shared buffers or from disk). */
export function blocksOf(node: PlanNode): number {
  return node['Shared Hit Blocks'] + node['Shared Read Blocks'];
}

/**
 * The shape of a batch deletion "rows found by a range of one index, at most a limit, deleted by
 * their ctid": node types in order, the index and rows of the index scan, the rows of the TID scan,
 * and the nodes that would mean reading more than the batch (sorts, sequential or bitmap scans).
 */
export function batchDeletionShape(nodes: readonly PlanNode[]) {
  const types = nodes.map((node) => node['Node Type']);
  const scan = indexScanOf(nodes);
  return {
    root: types[0],
    limited: types.includes('Limit'),
    index: scan?.['Index Name'],
    indexRows: scan?.['Actual Rows'],
    tidRows: nodes.find((node) => node['Node Type'] === 'Tid Scan')?.['Actual Rows'],
    wideReads: types.filter((type) => type === 'Sort' || type === 'Seq Scan' || type.startsWith('Bitmap')),
  };
}
