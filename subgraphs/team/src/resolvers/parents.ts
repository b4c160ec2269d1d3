/** A user as this subgraph knows one: only its key (the user subgraph owns everything else). */
export interface UserReference {
  id: string;
}
